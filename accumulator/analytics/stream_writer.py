"""The consumer end of the stream of page views (with REDIS_URL): one `StreamWriter` per process, a
consumer of the group `writers`, counts what any instance queued (see `stream`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from accumulator.analytics import refused
from accumulator.analytics.stream import (
    GROUP,
    STREAM,
    BadEntry,
    Entry,
    apply,
    apply_apart,
    decode,
    keep_undecodable,
)
from accumulator.db import session_scope

log = logging.getLogger(__name__)

BATCH = 1000  # entries read (or claimed) at once
BLOCK = 1.0  # seconds a read waits for new entries

# Drop the group's consumers that hold nothing and are idle longer than ARGV[2] ms (or are named
# ARGV[3]). Atomic, so a consumer that has just read an entry is never dropped with its entry.
_FORGET_CONSUMERS = """
local removed = 0
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local info = {}
  for i = 1, #c, 2 do info[c[i]] = c[i + 1] end
  if info['pending'] == 0 and (info['name'] == ARGV[3] or info['idle'] > tonumber(ARGV[2])) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name']); removed = removed + 1
  end
end
return removed"""


def consumer_name() -> str:
    """Unique per process: host, pid and a random part (a restarted process is a new consumer)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _shown(values: dict[bytes, bytes]) -> dict[str, str]:
    return {key.decode(errors="replace"): value.decode(errors="replace")[:2000] for key, value in values.items()}


class StreamWriter:
    """One consumer of the group: reads a batch, counts it, acknowledges it; claims what consumers
    that died left read and unacknowledged for `claim_idle` seconds.

    `step` does one round and raises when Redis or the database failed (what was read stays in hand
    and is tried again next round, with nothing more read meanwhile: the rest waits in Redis); `run`
    repeats it until cancelled, finishing the round in progress. A batch the database refuses
    `write_attempts` times in a row is written in parts; an entry refused alone, or not an event at
    all, is set aside (logged, and appended to `set_aside`) and acknowledged."""

    def __init__(
        self,
        *,
        redis: Any,
        engine: Engine,
        publish: Callable[[set[tuple[str, str]]], Awaitable[None]],  # told the (site, path) pages counted
        clock: Callable[[], datetime],
        claim_idle: float = 30.0,
        name: str | None = None,
        stream: str = STREAM,
        batch: int = BATCH,
        block: float = BLOCK,
        retry_delay: float = 1.0,
        write_attempts: int = 3,
        set_aside: Path | None = None,
    ) -> None:
        self.redis, self.engine, self.publish, self.clock = redis, engine, publish, clock
        self.claim_idle, self.name, self.stream = claim_idle, name or consumer_name(), stream
        self.batch, self.block = batch, block
        self.retry_delay, self.write_attempts, self.set_aside = retry_delay, write_attempts, set_aside
        self._work: list[Entry] = []  # read, not counted yet
        self._done: list[bytes] = []  # counted or set aside, not acknowledged yet
        self._refusals = 0  # failed writes of the work in hand in a row that were not outages
        self._claim_from: bytes | str = "0-0"
        self._next_claim = 0.0
        self._grouped = False
        self.recorded = 0  # events this consumer counted
        self._unannounced: set[tuple[str, str]] = set()  # pages counted, not announced yet

    async def _group(self) -> None:
        import redis.exceptions

        try:  # from the stream's start: entries queued before any consumer existed are read too
            await self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.exceptions.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._grouped = True

    def _take(self, raw: list[tuple[bytes, dict[bytes, bytes] | None]]) -> None:
        """Decode entries into the work in hand; entries that are not events are set aside (and
        acknowledged with the next batch)."""
        bad = []
        for entry_id, values in raw:
            try:
                key, event = decode(values or {})
            except BadEntry as exc:
                bad.append({"entry_id": entry_id.decode(), "reason": str(exc), "fields": _shown(values or {})})
                self._done.append(entry_id)
            else:
                self._work.append(Entry(key, event, entry_id))
        if bad:
            keep_undecodable(self.set_aside, bad)

    async def _claim(self) -> None:
        """Take over a batch of entries left unacknowledged for `claim_idle` by other consumers;
        after a full scan, wait half the claim time, and drop the consumers that hold nothing."""
        cursor, claimed, *deleted = await self.redis.xautoclaim(
            self.stream, GROUP, self.name, int(self.claim_idle * 1000), start_id=self._claim_from, count=self.batch
        )
        self._done += deleted[0] if deleted else []  # pending, but gone from the stream
        self._take(claimed)
        if claimed:
            log.warning("claimed %d analytics events a stopped writer had read and not written", len(claimed))
        self._claim_from = cursor
        if cursor in (b"0-0", "0-0"):
            self._next_claim = time.monotonic() + max(self.claim_idle / 2, 0.5)
            forget_after = int(max(self.claim_idle, 60.0) * 1000)
            await self.redis.eval(_FORGET_CONSUMERS, 1, self.stream, GROUP, forget_after, "")

    async def _read(self, *, wait: bool) -> None:
        block = int(self.block * 1000) if wait else None  # None: answer at once
        found = await self.redis.xreadgroup(GROUP, self.name, {self.stream: ">"}, count=self.batch, block=block)
        for _stream, raw in found or []:
            self._take(raw)

    def _apply(self, entries: list[Entry]) -> int:
        with session_scope(self.engine) as session:
            return apply(session=session, entries=entries, now=self.clock())

    async def _write(self) -> int:
        """Count the work in hand; what is counted or set aside is marked done. Raises, keeping the
        rest in hand, on an outage or while its batch was refused fewer than `write_attempts` times."""
        work = self._work
        try:
            written = await run_in_threadpool(self._apply, work)
            self._work = []
        except Exception as exc:
            outage = refused.database_unreachable(exc)
            self._refusals += 0 if outage else 1
            if outage or self._refusals < self.write_attempts:
                raise
            result = await run_in_threadpool(partial(apply_apart, engine=self.engine, entries=work, now=self.clock()))
            if result.refused:
                aside = [(entry.event, why) for entry, why in result.refused]
                await run_in_threadpool(partial(refused.keep_aside, path=self.set_aside, refused=aside))
            written, self._work = result.written, result.unwritten
        left = {id(entry) for entry in self._work}
        self._done += [entry.entry_id for entry in work if id(entry) not in left]
        self.recorded += written
        if written:
            self._unannounced |= {(entry.event.site, entry.event.path) for entry in work if id(entry) not in left}
        if self._work:  # an outage stopped the parts: the rest is for the next round
            raise result.outage or RuntimeError("analytics events left unwritten")
        self._refusals = 0
        return written

    async def _acknowledge(self) -> None:
        if self._done:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.xack(self.stream, GROUP, *self._done)
                pipe.xdel(self.stream, *self._done)  # counted: nothing to keep (no MAXLEN trims unread ones)
                await pipe.execute()
            self._done = []

    async def step(self, *, wait: bool = True) -> int:
        """One round: acknowledge what is done, claim or read a batch (waiting up to `block` seconds
        for one when `wait`), count it, acknowledge it. Returns the number of events counted."""
        import redis.exceptions

        try:
            if not self._grouped:
                await self._group()
            await self._acknowledge()
            if not self._work and time.monotonic() >= self._next_claim:
                await self._claim()
            if not self._work:
                await self._read(wait=wait)
        except redis.exceptions.ResponseError as exc:
            if "NOGROUP" in str(exc):  # the stream or its group was deleted: make them again
                self._grouped, self._claim_from = False, "0-0"
            raise
        try:
            written = await self._write() if self._work else 0
        finally:
            if self._unannounced:
                pages, self._unannounced = self._unannounced, set()
                await self.publish(pages)
        await self._acknowledge()
        return written

    async def run(self) -> None:
        """Rounds until cancelled. A round in progress is finished (what it read is counted and
        acknowledged), then what is still queued is counted for a moment (`close`)."""
        try:
            while True:
                current = asyncio.ensure_future(self.step())
                try:
                    await asyncio.shield(current)
                except asyncio.CancelledError:
                    with contextlib.suppress(Exception):
                        await current
                    raise
                except Exception:
                    log.exception("counting analytics events from the stream failed; again in %g s", self.retry_delay)
                    await asyncio.sleep(self.retry_delay)
        finally:
            await self.close()

    async def close(self, drain: float = 3.0) -> None:
        """Count what is queued, for up to `drain` seconds, then leave the group if this consumer holds
        nothing unacknowledged. What is left is claimed or read by the other instances (or by this
        one's next start)."""
        deadline = time.monotonic() + drain
        try:
            while time.monotonic() < deadline:
                if not await self.step(wait=False) and not self._work and not self._done:
                    break
            await self.redis.eval(_FORGET_CONSUMERS, 1, self.stream, GROUP, 2**31, self.name)
        except Exception:
            log.warning("the analytics stream writer stopped with %d events in hand", len(self._work), exc_info=True)
