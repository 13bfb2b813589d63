"""What open dashboards show, computed once per change for all of them.

The feed listens to `update:analytics` on the bus and checks presence every few seconds. On a
change it bumps a version and, if any dashboard is open in this process, computes the shared
snapshot once (one set of queries, however many dashboards are open, and at most once a second
under heavy traffic); views that depend on a dashboard's own choices (a page's chart, a date
range) are computed once per version and choice, then reused. No dashboard polls the database.

Dashboards are sent changes, not tables: the feed remembers at which version each page's row last
changed, so a tab that has version v is given only the rows changed since (`page_patch`). The
breakdowns (shares over days or months, which one page view hardly moves) are recomputed at most
every `shares_every` seconds, and once more when a burst ends; tabs are sent the charts at most
every `charts_every` seconds in the same way (`charts_cadence`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from accumulator.analytics import queries, series, service
from accumulator.analytics.cadence import Cadence
from accumulator.analytics.filtered_view import filtered_view
from accumulator.analytics.filters import Filters
from accumulator.analytics.page_table import PageTable, page_key
from accumulator.analytics.range_view import KeptPast, range_bounds
from accumulator.analytics.topics import ANALYTICS_TOPIC
from accumulator.db import session_scope, utcnow
from accumulator.inputs import is_clean
from accumulator.page_counts import PageCount
from accumulator.realtime import Bus, Presence

log = logging.getLogger(__name__)

REFRESH_SHARE_INVERSE = 5  # wait four times as long as a refresh took before the next
PATCHES_CACHED = 16  # patches kept per version (tabs at other versions compute theirs)
MISSING = object()
SHARES_CACHED = 16  # range views kept per epoch (the four presets and a few chosen ranges)
SHARES_EVERY = 5.0  # seconds between two recomputations of the breakdowns under steady traffic
# Seconds between two pushes of the charts under steady traffic: redrawing three charts was most of
# what a push cost an open tab, and a chart's last point can lag the numbers by that much.
CHARTS_EVERY = 2.0
# Seconds between two refreshes under traffic (a lone page view is shown at once). Each push is
# drawn by every open tab, often on the server's own machine: ten a second kept five Chromium tabs
# drawing on most of a core, two still cost them a sixth of the server's rate under load (their
# rendering and compositing, not the server's refresh). One a second still reads as live.
REFRESH_EVERY = 1.0


@dataclass(frozen=True)
class Snapshot:
    version: int
    today: date
    total_views: int
    visitors_today: int
    viewing_now: int
    pages: list[dict] = field(default_factory=list)  # site, path, views, likes, viewing, views_today


@dataclass(frozen=True)
class DashboardView:
    """Everything one dashboard is given for the current version, read in one trip off the loop."""

    snapshot: Snapshot
    patch: list[dict] | None  # page rows changed since the tab's version; None: send the whole table
    chart: list[dict]
    hours: list[dict]  # today by hour
    minutes: list[dict]  # the last 30 minutes, of every site
    shares: dict[str, list[dict]]


class DashboardFeed:
    def __init__(
        self,
        *,
        engine: Engine,
        zone: ZoneInfo,
        presence: Presence,
        bus: Bus,
        clock: Callable[[], datetime] = utcnow,
        presence_interval: float = 2.0,
        min_interval: float = REFRESH_EVERY,
        shares_every: float = SHARES_EVERY,
        charts_every: float = CHARTS_EVERY,
        page_counts: Sequence[PageCount] = (),
    ) -> None:
        self.engine = engine
        self.zone = zone
        self.presence = presence
        self.bus = bus
        self.clock = clock
        self.presence_interval = presence_interval
        self.min_interval = min_interval
        self.version = 0
        self.listeners: set[str] = set()  # client tokens of the dashboards open in this process
        self._viewing: Counter[tuple[str, str]] = Counter()
        self._cache: dict[tuple, object] = {}
        self._snapshot: Snapshot | None = None
        self._viewing_stale = True
        self._snapshot_lock = threading.Lock()  # tabs read the snapshot from worker threads
        self.table = PageTable(page_counts)
        self._counted_by_topic = {count.topic.name: count for count in page_counts}
        self.shares_cadence = Cadence(shares_every)  # the breakdowns' epochs
        self.charts_cadence = Cadence(charts_every)  # the charts' (tabs send them once an epoch)
        self._shares: dict[tuple, dict[str, list[dict]]] = {}
        self._kept_past = KeptPast(engine)  # a range's days before today, read once (range_view.py)
        self._delivering = 0.0  # seconds the open tabs' pushes took since the last refresh (`delivered`)

    def today(self) -> date:
        return service.local_day(self.clock(), self.zone)

    def _cached(self, key: tuple, compute: Callable[[], object]) -> object:
        key = (self.version, *key)
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def _read_snapshot(self) -> Snapshot:
        # The version is taken before the pages are read: a change that lands during the read
        # (marked, then the version bumped, on the loop) is then newer than this snapshot and is
        # read by the next one. Taken after, the snapshot would claim a version it lacks a page of.
        version = self.version
        today = self.today()
        viewing = self._viewing
        with session_scope(self.engine) as session:
            self.table.read(session, today)  # only the pages the changes named
            visitors = queries.unique_visitors(session=session, day=today)
        return Snapshot(
            version=version,
            today=today,
            total_views=self.table.total_views,
            visitors_today=visitors,
            viewing_now=sum(viewing.values()),
            pages=self.table.show(version, viewing),
        )

    async def refresh_presence(self) -> None:
        """Read presence again if no dashboard was watching when it last changed."""
        if self._viewing_stale:
            self._viewing = await self.presence.counts(now=time.time())
            self._viewing_stale = False
            self._changed()

    def snapshot(self) -> Snapshot:
        """The shared numbers of the current version (computed on first use)."""
        with self._snapshot_lock:
            return self._current_snapshot()

    def _current_snapshot(self) -> Snapshot:
        if self._snapshot is None or self._snapshot.version != self.version:
            self._snapshot = self._read_snapshot()
        return self._snapshot

    def page_patch(self, since: int) -> tuple[Snapshot, list[dict] | None]:
        """The current snapshot and its page rows changed after version `since` (None when the tab
        must be sent the whole table: it has nothing, or is older than what the feed knows). Read
        together, so the patch is exactly what takes a tab from `since` to the snapshot's version."""
        with self._snapshot_lock:
            snapshot = self._current_snapshot()
            key = (snapshot.version, "patch", since)  # the feed's version may have moved on since the read
            patch = self._cache.get(key, MISSING)
            if patch is MISSING:
                patch = self.table.patch(since, snapshot.version)
                # Tabs mostly share a few versions; a caller asking for many others is not cached for.
                if sum(1 for cached in self._cache if cached[1] == "patch") < PATCHES_CACHED:
                    self._cache[key] = patch
        return snapshot, patch

    def view(self, *, since: int, site: str | None, path: str | None, range_key: str) -> DashboardView:
        """What a dashboard with table version `since`, this chart and this range is to show (blocking)."""
        snapshot, patch = self.page_patch(since)
        return DashboardView(
            snapshot=snapshot,
            patch=patch,
            chart=self.chart(site, path),
            hours=self.hours(site, path),
            minutes=self.minutes(),
            shares=self.breakdowns(range_key),
        )

    def chart(self, site: str | None = None, path: str | None = None) -> list[dict]:
        """Views and visitors per day, last 30 days, each with the same day of the 30 before."""
        return self._cached(("chart", site, path), lambda: series.days(self.engine, self.today(), site, path))

    def hours(self, site: str | None = None, path: str | None = None) -> list[dict]:
        """Today's views by hour of the owner's day, up to the current hour."""
        return self._cached(
            ("hours", site, path), lambda: series.hours(self.engine, self.clock(), self.zone, site, path)
        )

    def minutes(self) -> list[dict]:
        """Page views of every site in each of the last 30 minutes, this one last (the live chart)."""
        return self._cached(("minutes",), lambda: series.minutes(self.engine, self.clock(), self.zone))

    def breakdowns(self, range_key: str) -> dict[str, list[dict]]:
        """Breakdowns, entries and exits, goals and reading over a range (analytics/range_view.py)."""

        def compute() -> dict[str, list[dict]]:
            today = self.today()
            since, until = range_bounds(range_key, today)
            return self._kept_past.view(since, until, today)

        return self._per_epoch(("breakdowns", self.shares_cadence.epoch, range_key), compute)

    def filtered(self, range_key: str, filters: Filters) -> dict:
        """A filtered dashboard over a range (analytics/filtered_view.py), recomputed like the
        breakdowns (at most every `shares_every` seconds under traffic), once per range and filters
        for every tab showing them. An unfiltered dashboard never calls this."""

        def compute() -> dict:
            since, until = range_bounds(range_key, self.today())
            base = self.breakdowns(range_key)
            return filtered_view(self.engine, filters=filters, base=base, since=since, until=until,
                                 today=self.today(), now=self.clock(), zone=self.zone)  # fmt: skip

        return self._per_epoch(("filtered", self.shares_cadence.epoch, range_key, filters), compute)

    def _per_epoch(self, key: tuple, compute: Callable[[], dict]) -> dict:
        if key not in self._shares:
            self._shares = {k: v for k, v in self._shares.items() if k[1] == self.shares_cadence.epoch}
            if len(self._shares) >= SHARES_CACHED:  # chosen ranges and filters are many: keep a few
                self._shares.clear()
            self._shares[key] = compute()
        return self._shares[key]

    def delivered(self, seconds: float) -> None:
        """The open tabs were given a refresh, in `seconds`: counted in the pacing of the next ones
        (five tabs cost five pushes; the feed's own reads are only part of a refresh)."""
        self._delivering += seconds

    def _changed(self) -> None:
        self.version += 1
        self._cache.clear()
        self.shares_cadence.changed()  # renewed when the interval is over, if not now (see `run`)
        self.charts_cadence.changed()

    async def _give(self, on_change: Callable[[], Awaitable[None]]) -> None:
        try:
            await run_in_threadpool(self.snapshot)
            await on_change()
        except Exception:
            log.exception("refreshing the dashboards failed")

    def _note(self, topic: str, raw: str) -> None:
        if topic != ANALYTICS_TOPIC.name:
            self._note_count(self._counted_by_topic[topic], raw)
            return
        message = ANALYTICS_TOPIC.decode(raw)
        pages = None if message is None else message.pages
        if not isinstance(pages, list | tuple) or not all(isinstance(key, str) for key in pages):
            pages = None  # unknown or malformed (the bus is not trusted): re-read every page
        self.table.mark(pages)

    def _note_count(self, count: PageCount, raw: str) -> None:
        """Another feature's number changed on a page (a comment published…): re-read that page."""
        message = count.topic.decode(raw)
        page = None if message is None else count.page_of(message)
        if isinstance(page, tuple) and len(page) == 2 and all(is_clean(part) for part in page) and "|" not in page[0]:
            self.table.mark([page_key(*page)])
        else:
            self.table.mark(None)  # malformed (the bus is not trusted): re-read every page

    @contextlib.asynccontextmanager
    async def _messages(self) -> AsyncIterator[AsyncIterator[tuple[str, str]]]:
        """(topic, message) from analytics and from every topic a page count follows, as they come."""
        topics = [ANALYTICS_TOPIC.name, *self._counted_by_topic]
        arrived: asyncio.Queue[tuple[str, str] | BaseException] = asyncio.Queue()
        async with contextlib.AsyncExitStack() as stack:
            streams = [await stack.enter_async_context(self.bus.subscribe(name)) for name in topics]

            async def pump(name: str, stream: AsyncIterator[str]) -> None:
                try:
                    async for raw in stream:
                        arrived.put_nowait((name, raw))
                except Exception as exc:  # the bus failed: the feed's reader sees it, as with one topic
                    arrived.put_nowait(exc)

            pumps = [asyncio.create_task(pump(name, stream)) for name, stream in zip(topics, streams, strict=True)]

            async def merged() -> AsyncIterator[tuple[str, str]]:
                while True:
                    item = await arrived.get()
                    if isinstance(item, BaseException):
                        raise item
                    yield item

            try:
                yield merged()
            finally:
                for task in pumps:
                    task.cancel()
                await asyncio.gather(*pumps, return_exceptions=True)

    async def _skip_queued(self, messages: AsyncIterator[tuple[str, str]]) -> asyncio.Future:
        """Consume the messages already waiting; return the future of the next new one."""
        while True:
            upcoming = asyncio.ensure_future(anext(messages))
            done, _ = await asyncio.wait({upcoming}, timeout=0)
            if not done:
                return upcoming
            self._note(*upcoming.result())

    async def run(self, on_change: Callable[[], Awaitable[None]]) -> None:
        """Until cancelled: on every analytics update (and presence change), compute the new snapshot
        once, then call `on_change` so the open dashboards can be given it."""
        async with self._messages() as messages:
            next_message = asyncio.ensure_future(anext(messages))
            try:
                while True:
                    done, _ = await asyncio.wait({next_message}, timeout=self.presence_interval)
                    updated = next_message in done
                    if updated:
                        self._note(*next_message.result())
                        # Messages that came while the last refresh ran are covered by this one.
                        next_message = await self._skip_queued(messages)
                    if not self.listeners:
                        # Nobody is watching here: only mark the numbers stale; the next dashboard
                        # to open reads them fresh (presence included).
                        self._changed()
                        self._viewing_stale = True
                        continue
                    viewing = await self.presence.counts(now=time.time())
                    if not updated and viewing == self._viewing:
                        due = [cadence for cadence in (self.shares_cadence, self.charts_cadence) if cadence.due()]
                        for cadence in due:  # the end of a burst: its last breakdowns and charts
                            cadence.renew()
                        if due:
                            await self._give(on_change)
                        continue  # the periodic check found nothing new (visitors aged out, or not)
                    self._viewing = viewing
                    self._viewing_stale = False
                    self._changed()
                    started = time.monotonic()
                    await self._give(on_change)
                    # Under heavy traffic, at most one refresh per min_interval, and refreshing (with
                    # pushing it to every open tab) takes at most a fifth of the time; what arrives
                    # meanwhile is covered by the next.
                    spent = time.monotonic() - started
                    took, self._delivering = spent + self._delivering, 0.0
                    await asyncio.sleep(max(0.0, max(self.min_interval, REFRESH_SHARE_INVERSE * took) - spent))
            finally:
                next_message.cancel()
