"""The embedded journal at work: `JournalQueue` appends a process's batches to its journal and wakes
the writer process it started, which counts them (journal_writer.py) and reports each commit back,
so the process announces it to its dashboards.

The writer process runs `python -m accumulator.analytics.journal_process` with the database URL in
its environment (not on its command line, where `ps` shows it). It stops when its stdin closes
(its process stopping, or gone): it counts what is left, removes the journal and exits. SIGTERM and
SIGINT are its process's to handle: a stop of the whole group lets the process close the journal
first. A writer that dies is started again; what it had not counted is still in the journal."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import select
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from accumulator.analytics import journal, refused, service
from accumulator.analytics.journal_writer import Counted, JournalWriter
from accumulator.analytics.page_table import REREAD_ALL_AFTER

log = logging.getLogger(__name__)

URL_VARIABLE = "ACCUMULATOR_JOURNAL_DATABASE_URL"
ADOPT_EVERY = 2.0  # seconds between looks for journals of processes that are gone
RESTART_AFTER = 1.0  # seconds before a writer that died is started again
STOP_TIMEOUT = 60.0  # seconds a stopping process waits for its writer to count what is left
WAKE_EVERY = 0.01  # seconds: the writer is told of new lines at most this often
WAKE_BUFFER = 64  # wake-up bytes the pipe may hold unread; more say nothing new
IDLE_WAIT = 1.0  # seconds the writer waits for a wake-up before it looks anyway
# Seconds between the starts of two commits while page views keep coming. Under load, counting each
# batch as it was appended cost a commit (and a pass over the rollups) per few events; gathering
# for a tenth of a second makes the commits large, and what dashboards show stays within that of
# now. The first page view after a quiet spell is counted at once.
GATHER = 0.1


class JournalQueue:
    """One process's journal and the writer process counting it."""

    def __init__(
        self,
        *,
        folder: Path,
        database_url: str,
        set_aside: Path | None,
        on_counted: Callable[[Counted], Awaitable[None]],
    ) -> None:
        self.appender = journal.Appender(folder)
        self.folder = folder
        self.database_url = database_url
        self.set_aside = set_aside
        self.on_counted = on_counted
        self._process: asyncio.subprocess.Process | None = None
        self._stopping = False
        self.appended = 0  # events this process journaled since start
        self._woken_at = float("-inf")  # when the writer was last told of more (loop time)
        self._wake_pending = False

    def append_now(self, event: service.CountedEvent) -> None:
        """Put one event in the journal, here on the loop; once this returns the kernel has it.
        JournalFull when it could not be written: none of it is in the journal.

        A page view is one write of a few hundred bytes into the page cache, which takes a few
        microseconds: less than a hop to a thread and back costs the loop (about 90 µs of CPU), and
        less than gathering page views into batches did, with a future and a wake-up for each."""
        self.appender.append(journal.encode(event))
        self.appended += 1
        self._wake()

    async def append(self, batch: list[service.CountedEvent]) -> None:
        """Put `batch` (a backlog: events that had to wait) in the journal, encoded and written off
        the loop; returns once the kernel has it. JournalFull as for `append_now`."""
        await run_in_threadpool(self._append, batch)
        self.appended += len(batch)
        self._wake()

    def _append(self, batch: list[service.CountedEvent]) -> None:
        self.appender.append(b"".join(journal.encode(event) for event in batch))

    def _wake(self) -> None:
        """Tell the writer there is more, at most once per WAKE_EVERY (it gathers longer than that
        anyway); an append in between is followed by a wake-up when the interval is over."""
        if self._wake_pending:
            return
        loop = asyncio.get_running_loop()
        due = self._woken_at + WAKE_EVERY
        if loop.time() >= due:
            self._send_wake(loop)
        else:
            self._wake_pending = True
            loop.call_at(due, self._send_wake, loop)

    def _send_wake(self, loop: asyncio.AbstractEventLoop) -> None:
        self._wake_pending, self._woken_at = False, loop.time()
        process = self._process
        if process is None or process.stdin is None or process.stdin.is_closing():
            return
        if process.stdin.transport.get_write_buffer_size() < WAKE_BUFFER:
            process.stdin.write(b"!")

    async def run(self) -> None:
        """Keep a writer process running until `stop`, passing on what it reports."""
        while not self._stopping:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "accumulator.analytics.journal_process",
                "--folder", str(self.folder), "--journal", self.appender.journal,
                "--set-aside", str(self.set_aside or ""),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                env={**os.environ, URL_VARIABLE: self.database_url},
            )  # fmt: skip
            self._process = process
            self._wake()  # what was journaled while it was starting
            assert process.stdout is not None
            async for line in process.stdout:
                counted = parse_report(line)
                if counted is None:
                    log.warning("the journal writer said something unexpected: %r", line[:200])
                    continue
                await self.on_counted(counted)
            code = await process.wait()
            if not self._stopping:
                log.error("the analytics journal writer exited (%s); starting it again", code)
                await asyncio.sleep(RESTART_AFTER)

    async def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Close the journal and let the writer count the rest (it reports as it goes: keep `run`
        going until this returns)."""
        self._stopping = True
        self.appender.close()
        process = self._process
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            log.error("the journal writer did not finish in %g s; the rest is counted at the next start", timeout)
            with contextlib.suppress(ProcessLookupError):
                process.kill()


def report_line(counted: Counted) -> str:
    """What the writer process says after a commit, one short line: the pages it names are at most
    REREAD_ALL_AFTER (more are "every page", null), so a backlog counted at once never makes a line
    longer than the reading side's buffer."""
    pages = sorted(counted.pages) if counted.pages is not None and len(counted.pages) <= REREAD_ALL_AFTER else None
    return json.dumps({"written": counted.written, "pages": pages}, separators=(",", ":")) + "\n"


def parse_report(line: bytes) -> Counted | None:
    """The report of a line from the writer process, or None for a line that is not one."""
    try:
        report = json.loads(line)
        pages = report["pages"]
        return Counted(int(report["written"]), None if pages is None else {(site, path) for site, path in pages})
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def _report(counted: Counted) -> None:
    line = report_line(counted)
    try:
        sys.stdout.write(line)
        sys.stdout.flush()
    except OSError:
        pass  # the process it reports to is gone; the counts are committed all the same


def serve(*, folder: Path, own: str, database_url: str, set_aside: Path | None) -> int:
    """The writer process: count whenever woken (a byte on stdin) and every second, at most every
    GATHER seconds while there is work; stop at EOF."""
    from accumulator.db import create_db_engine

    writer = JournalWriter(
        engine=create_db_engine(database_url), folder=folder, own=own, set_aside=set_aside, on_counted=_report
    )
    stdin = sys.stdin.fileno()
    stopping, adopted_at, stop_deadline, not_before = False, 0.0, float("inf"), 0.0
    while True:
        adopt = time.monotonic() - adopted_at >= ADOPT_EVERY
        started = time.monotonic()
        try:
            if writer.step(adopt=adopt):
                not_before = started + GATHER
            if stopping and writer.finish_own():
                return 0
        except Exception as exc:
            if not refused.database_unreachable(exc):
                log.exception("counting the analytics journal failed; trying again")
            else:
                log.warning("the database cannot be reached (%s); trying again", refused.reason(exc))
            if time.monotonic() > stop_deadline:
                log.error("stopping with the journal not all counted: it is counted at the next start")
                return 1
            time.sleep(1.0)
            continue
        if adopt:
            adopted_at = time.monotonic()
        if stopping:
            if time.monotonic() > stop_deadline:
                log.error("the process closed its pipe but still holds its journal; leaving it for the next start")
                return 1
            time.sleep(0.05)  # the process closed stdin before the journal: it is closing it now
            continue
        if not wait_for_work(stdin, not_before=not_before):
            stopping, stop_deadline = True, time.monotonic() + STOP_TIMEOUT


def wait_for_work(stdin: int, *, not_before: float) -> bool:
    """Wait for a wake-up (a byte on `stdin`) or IDLE_WAIT seconds, and in any case until the
    monotonic time `not_before`; False once stdin is closed (the process is stopping)."""
    woken, idle_until = False, time.monotonic() + IDLE_WAIT
    while True:
        now = time.monotonic()
        until = max(not_before, now if woken else idle_until)
        if now >= until:
            return True
        ready, _, _ = select.select([stdin], [], [], until - now)
        if ready:
            if not os.read(stdin, 4096):
                return False
            woken = True


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Count an analytics journal into the database.")
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--journal", required=True)
    parser.add_argument("--set-aside", default="")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="analytics journal writer: %(message)s")
    os.nice(10)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    url = os.environ.get(URL_VARIABLE)
    if not url:
        log.error("%s is not set", URL_VARIABLE)
        return 2
    set_aside = Path(args.set_aside) if args.set_aside else None
    return serve(folder=args.folder, own=args.journal, database_url=url, set_aside=set_aside)


if __name__ == "__main__":
    sys.exit(main())
