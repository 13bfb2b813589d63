"""Live "N reading now" of one page over Server-Sent Events (`GET /api/stats/live`), for the
blog's `accumulator.live(el)` (in tracker.js).

The format, for that client:

    GET /api/stats/live?site=S&path=P      (path left out: the whole site)

    retry: 5000                            once, first: reconnect after 5 s when the stream drops

    event: reading                         at once, then each time the number changes
    data: {"viewing":3}

    : keep-alive                           every 15 s (a comment: EventSource ignores it)

`viewing` is the number of visitors on the page (every page of the site without `path`) within
the presence window, as `/api/stats` reports it. Errors are plain JSON answers, not events: 400
`{"error"}` for a bad site or path, 429 (Retry-After) past 8 open streams from one address or the
process's total. Readable by pages of ALLOWED_ORIGINS, without credentials (a plain
`new EventSource(url)`).

Cost: one poller per process reads presence at most every 2 s, while any stream is open, and
hands each watched page its number. `presence.counts()` answers every page at once, so a single
read serves every page and every client: 1,000 open badges cost one read per interval, not 1,000.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from starlette.responses import Response, StreamingResponse

from accumulator.analytics.page_query import PageRef
from accumulator.realtime import Presence
from accumulator.runtime import Services
from accumulator.web import json_error

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
KEEPALIVE_SECONDS = 15.0  # under the usual 30-60 s idle timeouts of proxies
RETRY = "retry: 5000\n\n"

Page = tuple[str, str | None]


class Watcher:
    """One open stream's view of its page: the newest number, and a flag raised when it changes.
    A slow reader skips the numbers it missed and gets the newest: nothing queues up."""

    def __init__(self) -> None:
        self.value: int | None = None
        self._changed = asyncio.Event()

    def offer(self, value: int) -> None:
        if value != self.value:
            self.value = value
            self._changed.set()

    async def changed(self, timeout: float) -> bool:
        """True once the number changed (or arrived), False after `timeout` seconds without."""
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            return False
        self._changed.clear()
        return True


@dataclass
class _Group:
    watchers: set[Watcher] = field(default_factory=set)
    value: int | None = None
    waiting: bool = True  # a watcher joined without a number: the next read serves it


class ReadingNow:
    """Every open stream of this process, grouped by page, and the one poller that feeds them."""

    def __init__(
        self,
        presence: Presence,
        *,
        interval: float = POLL_SECONDS,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.presence, self.interval = presence, interval
        self._clock, self._monotonic = clock, monotonic
        self._groups: dict[Page, _Group] = {}
        self._counts: dict[tuple[str, str], int] | None = None
        self._read_at = -float("inf")
        self._task: asyncio.Task[None] | None = None
        self._reading = False

    @property
    def pages(self) -> int:
        return len(self._groups)

    @contextlib.asynccontextmanager
    async def watch(self, page: Page) -> AsyncIterator[Watcher]:
        watcher = Watcher()
        group = self._groups.setdefault(page, _Group())
        group.watchers.add(watcher)
        if self._counts is not None and self._monotonic() - self._read_at < self.interval:
            watcher.offer(value_of(page, self._counts))  # a fresh read serves a newcomer at once
        else:
            group.waiting = True
        if self._task is None:
            self._task = asyncio.create_task(self._poll(), name="live-reading-now")
        try:
            yield watcher
        finally:
            group.watchers.discard(watcher)
            if not group.watchers and self._groups.get(page) is group:
                del self._groups[page]
            if not self._groups and self._task is not None and not self._reading:
                # Nobody left: stop between reads (a read in flight finishes and the loop ends).
                self._task.cancel()
                self._task = None

    async def _poll(self) -> None:
        try:
            while self._groups:
                wait = self._read_at + self.interval - self._monotonic()
                if wait > 0:  # at most one read per interval, even across restarts of the poller
                    await asyncio.sleep(wait)
                self._reading = True
                try:
                    counts = await self.presence.counts(now=self._clock())
                except Exception:  # whatever presence raises, the open streams carry on
                    log.warning("reading presence for the live badges failed", exc_info=True)
                    counts = None
                finally:
                    self._reading = False
                self._read_at = self._monotonic()
                if counts is not None:
                    self._counts = counts
                    self._deliver(counts)
        finally:
            if self._task is asyncio.current_task():
                self._task = None

    def _deliver(self, counts: dict[tuple[str, str], int]) -> None:
        # Site totals only when some stream follows a whole site; each group is handed its number
        # only when it changed, so 1,000 streams of an unchanged page cost one comparison.
        sites = site_totals(counts) if any(path is None for _, path in self._groups) else {}
        for page, group in self._groups.items():
            value = value_of(page, counts, sites)
            if value != group.value or group.waiting:
                group.value, group.waiting = value, False
                for watcher in group.watchers:
                    watcher.offer(value)


def site_totals(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for (site, _), n in counts.items():
        totals[site] = totals.get(site, 0) + n
    return totals


def value_of(page: Page, counts: dict[tuple[str, str], int], sites: dict[str, int] | None = None) -> int:
    """The number of `page` in presence counts: the page's, or the site's total for a whole site."""
    site, path = page
    if path is None:
        return (sites if sites is not None else site_totals(counts)).get(site, 0)
    return counts.get((site, path), 0)


def reading_now(svc: Services) -> ReadingNow:
    return svc.component("analytics.reading_now", lambda: ReadingNow(svc.presence))


def event(viewing: int) -> str:
    return f"event: reading\ndata: {json.dumps({'viewing': viewing}, separators=(',', ':'))}\n\n"


async def stream(hub: ReadingNow, page: Page, release: Callable[[], None]) -> AsyncIterator[str]:
    """The stream's text, until the reader goes away (StreamingResponse then closes this)."""
    try:
        async with hub.watch(page) as watcher:
            yield RETRY  # sends the headers at once, before the first read is in
            sent: int | None = None
            while True:
                if not await watcher.changed(KEEPALIVE_SECONDS):
                    yield ": keep-alive\n\n"
                elif watcher.value is not None and watcher.value != sent:
                    sent = watcher.value
                    yield event(sent)
    finally:
        release()


def respond(svc: Services, page: PageRef, *, address: str, headers: dict[str, str]) -> Response:
    """The stream of `page`, or 429 when this address (or the process) holds too many already."""
    if not svc.streams.acquire(address):
        return json_error(429, "Too many open live pages from this address.", {**headers, "Retry-After": "30"})
    return StreamingResponse(
        stream(reading_now(svc), page.key, lambda: svc.streams.release(address)),
        media_type="text/event-stream",
        headers={**headers, "Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
