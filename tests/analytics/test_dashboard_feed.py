"""The dashboard feed: one refresh per change for every open dashboard, and none when nobody watches."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.engine import Engine

from accumulator.analytics.feed import DashboardFeed
from accumulator.analytics.incoming import IncomingEvent
from accumulator.analytics.ingest import Ingestor
from accumulator.analytics.topics import ANALYTICS_TOPIC, AnalyticsChanged
from accumulator.realtime import MemoryBus, MemoryPresence

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.selects = 0
        event.listen(engine, "before_cursor_execute", self._count)
        self.engine = engine

    def _count(self, _conn, _cursor, statement: str, *_args) -> None:
        # (The writer's look-up of open visits, analytics/depth.py, is not a dashboard read.)
        if statement.lstrip().upper().startswith("SELECT") and "analytics_visit" not in statement:
            self.selects += 1

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


async def test_many_open_dashboards_cost_the_queries_of_one(engine: Engine) -> None:
    bus, presence = MemoryBus(), MemoryPresence()
    ingestor = Ingestor(engine=engine, zone=ZoneInfo("UTC"), presence=presence, bus=bus, flush_interval=0)
    feed = DashboardFeed(engine=engine, zone=ZoneInfo("UTC"), presence=presence, bus=bus, min_interval=0,
                         shares_every=0)  # fmt: skip
    refreshed = asyncio.Event()
    seen: list[int] = []

    async def give_to_every_dashboard() -> None:
        for _ in range(50):  # fifty open dashboards, each showing everything
            snapshot = feed.snapshot()
            feed.chart()
            feed.breakdowns("30")
        seen.append(snapshot.total_views)
        refreshed.set()

    async def page_view(visitor: str) -> int:
        counter = QueryCounter(engine)
        try:
            refreshed.clear()
            await ingestor.accept(
                IncomingEvent("pageview", "blog", "/a", visitor), ip="1.2.3.4", user_agent=CHROME, page_origin=None
            )
            await ingestor.flush()
            await asyncio.wait_for(refreshed.wait(), 2)
        finally:
            counter.close()
        return counter.selects

    feed.listeners.update(f"tab-{n}" for n in range(50))
    runner = asyncio.create_task(feed.run(give_to_every_dashboard))
    await asyncio.sleep(0.05)
    try:
        first = await page_view("visitor-01")
        second = await page_view("visitor-02")
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    assert seen == [1, 2]
    # One snapshot (3 queries), one chart (2), one set of breakdowns: the days before today (4, and
    # the period before for the change) and today (4); not fifty of each.
    assert first <= 14
    # Then the days before today are known: today's breakdowns alone are read again.
    assert second <= first - 5
    assert feed.breakdowns("30")["totals"][0]["views"] == 2


async def test_with_no_dashboard_open_an_update_queries_nothing(engine: Engine) -> None:
    bus, presence = MemoryBus(), MemoryPresence()
    feed = DashboardFeed(engine=engine, zone=ZoneInfo("UTC"), presence=presence, bus=bus)
    called = asyncio.Event()

    async def on_change() -> None:
        called.set()

    runner = asyncio.create_task(feed.run(on_change))
    await asyncio.sleep(0.05)
    counter = QueryCounter(engine)
    try:
        await bus.publish("update:analytics")
        await asyncio.sleep(0.2)
    finally:
        counter.close()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    assert counter.selects == 0 and not called.is_set()
    assert feed.version == 1  # the next dashboard to open reads fresh numbers


async def test_the_breakdowns_of_a_burst_catch_up_once_it_ends(engine: Engine) -> None:
    bus, presence = MemoryBus(), MemoryPresence()
    ingestor = Ingestor(engine=engine, zone=ZoneInfo("UTC"), presence=presence, bus=bus, flush_interval=0)
    feed = DashboardFeed(
        engine=engine, zone=ZoneInfo("UTC"), presence=presence, bus=bus,
        min_interval=0, presence_interval=0.05, shares_every=0.5,
    )  # fmt: skip
    shown: list[int] = []

    async def show() -> None:
        browsers = feed.breakdowns("30")["browser"]
        shown.append(browsers[0]["views"] if browsers else 0)

    feed.listeners.add("tab")
    runner = asyncio.create_task(feed.run(show))
    try:
        for n in range(3):  # a burst: the first view renews the breakdowns, the next two wait
            await ingestor.accept(
                IncomingEvent("pageview", "blog", "/a", f"visitor-0{n}"),
                ip="1.2.3.4",
                user_agent=CHROME,
                page_origin=None,
            )
            await ingestor.flush()
            await asyncio.sleep(0.05)
        assert shown and shown[-1] == 1  # within the interval, the breakdowns are not recomputed
        await asyncio.sleep(0.8)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    assert shown[-1] == 3  # once the burst is over, the last push has them all


async def test_a_change_re_reads_only_the_pages_it_names_and_the_table_stays_exact(engine: Engine) -> None:
    bus, presence = MemoryBus(), MemoryPresence()
    ingestor = Ingestor(engine=engine, zone=ZoneInfo("UTC"), presence=presence, bus=bus, flush_interval=0)
    feed = DashboardFeed(engine=engine, zone=ZoneInfo("UTC"), presence=presence, bus=bus, min_interval=0)
    for n in range(30):  # thirty pages, read once in full
        await ingestor.accept(
            IncomingEvent("pageview", "blog", f"/p{n}", f"visitor-{n:02d}"), ip="1.2.3.4", user_agent=CHROME,
            page_origin=None,
        )  # fmt: skip
    await ingestor.flush()
    refreshed = asyncio.Event()

    async def on_change() -> None:
        refreshed.set()

    feed.listeners.add("tab")
    runner = asyncio.create_task(feed.run(on_change))
    try:
        await asyncio.sleep(0.05)
        await feed.refresh_presence()  # as a dashboard does when it opens
        before = feed.snapshot()
        refreshed.clear()
        counter = QueryCounter(engine)
        for visitor in ("visitor-x1", "visitor-x2"):
            await ingestor.accept(
                IncomingEvent("pageview", "blog", "/p7", visitor), ip="1.2.3.4", user_agent=CHROME, page_origin=None
            )
        await ingestor.flush()
        await asyncio.wait_for(refreshed.wait(), 2)
        counter.close()
        after = feed.snapshot()
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    views = {row["path"]: row["views"] for row in after.pages}
    assert views["/p7"] == 3 and after.total_views == before.total_views + 2
    assert {path: n for path, n in views.items() if path != "/p7"} == {
        row["path"]: row["views"] for row in before.pages if row["path"] != "/p7"
    }
    assert feed.page_patch(before.version)[1] == [row for row in after.pages if row["path"] == "/p7"]
    # The page's row and today's visitors: two small reads, not the table and a sum over every page.
    assert counter.selects <= 2


async def test_a_change_landing_while_the_table_is_read_is_in_the_next_snapshot(engine: Engine) -> None:
    """The loop marks a page and bumps the version while a worker thread is reading the table: the
    snapshot being read must not claim the new version (it would never be read again), and the
    next one has the page, as does the patch from the older version."""
    bus, presence = MemoryBus(), MemoryPresence()
    ingestor = Ingestor(engine=engine, zone=ZoneInfo("UTC"), presence=presence, bus=bus, flush_interval=0)
    feed = DashboardFeed(engine=engine, zone=ZoneInfo("UTC"), presence=presence, bus=bus, min_interval=0)
    for path in ("/old", "/new"):
        await ingestor.accept(
            IncomingEvent("pageview", "blog", path, f"visitor{path}"), ip="1.2.3.4", user_agent=CHROME, page_origin=None
        )
        await ingestor.flush()
        if path == "/old":
            feed._changed()
            opened = feed.snapshot()  # an open tab has this table: /old only
            assert [row["path"] for row in opened.pages] == ["/old"]
    read_pages = feed.table.read

    def read_then_a_change_lands(session, today) -> None:
        read_pages(session, today)
        feed.table.read = read_pages
        feed.table.mark(["blog|/new"])  # what the loop does on `update:analytics`, meanwhile
        feed._changed()

    feed.table.read = read_then_a_change_lands
    feed._changed()  # a change before, with no page named (say, presence)
    during = await asyncio.to_thread(feed.snapshot)
    after, patch = await asyncio.to_thread(feed.page_patch, opened.version)
    assert during.version < after.version == feed.version
    assert [row["path"] for row in after.pages if row["path"] == "/new"] == ["/new"]
    assert [row["path"] for row in patch] == ["/new"]


def test_the_chart_compares_each_day_with_the_same_day_thirty_before_and_today_goes_by_hour(engine: Engine) -> None:
    from datetime import timedelta

    from accumulator.analytics import service
    from accumulator.db import session_scope, utcnow

    zone = ZoneInfo("Europe/Paris")
    now = utcnow()
    today = service.local_day(now, zone)

    def views(day, count: int, hour=None) -> list[service.CountedEvent]:
        return [service.CountedEvent(kind="pageview", site="blog", path="/a", day=day, visitor_hash=f"{n:032x}",
                                     hour=hour) for n in range(count)]  # fmt: skip

    with session_scope(engine) as session:
        service.record_events(session=session, events=views(today, 3, service.utc_hour(now)))
        service.record_events(session=session, events=views(today - timedelta(days=30), 2))
        service.record_events(session=session, events=views(today - timedelta(days=60), 7))  # before both windows
    feed = DashboardFeed(engine=engine, zone=zone, presence=MemoryPresence(), bus=MemoryBus(), clock=lambda: now)
    chart = feed.chart()
    assert len(chart) == 30
    assert (chart[-1]["views"], chart[-1]["previous"]) == (3, 2)
    assert sum(point["previous"] for point in chart) == 2 and sum(point["views"] for point in chart) == 3
    hours = feed.hours()
    assert hours[-1] == {"hour": now.astimezone(zone).strftime("%H:00"), "views": 3}
    assert len(hours) == now.astimezone(zone).hour + 1 and sum(point["views"] for point in hours) == 3


def test_the_last_thirty_minutes_count_each_minute_and_old_minutes_are_forgotten(engine: Engine) -> None:
    from datetime import timedelta

    from accumulator.analytics import depth, service
    from accumulator.db import session_scope, utcnow

    now = utcnow()
    zone = ZoneInfo("UTC")
    today = service.local_day(now, zone)

    def seen_at(moment, n: int) -> service.CountedEvent:
        return service.CountedEvent(kind="pageview", site="blog", path="/a", day=today, visitor_hash=f"{n:032x}",
                                    tab=f"{n:032x}", seen=int(moment.timestamp()))  # fmt: skip

    with session_scope(engine) as session:
        events = [seen_at(now, 1), seen_at(now, 2), seen_at(now - timedelta(minutes=5), 3)]
        service.record_events(session=session, events=[*events, seen_at(now - timedelta(hours=3), 4)])
    feed = DashboardFeed(engine=engine, zone=zone, presence=MemoryPresence(), bus=MemoryBus(), clock=lambda: now)
    minutes = feed.minutes()
    assert len(minutes) == 30 and minutes[-1] == {"minute": now.strftime("%H:%M"), "views": 2}
    assert minutes[-6]["views"] == 1 and sum(point["views"] for point in minutes) == 3
    with session_scope(engine) as session:
        assert depth.forget_minutes(session=session, now=now) == 1  # the one three hours ago


def test_a_range_is_a_preset_or_two_days_and_is_compared_with_the_period_before(engine: Engine) -> None:
    from datetime import date, timedelta

    import pytest

    from accumulator.analytics import service
    from accumulator.analytics.range_view import range_bounds, range_view
    from accumulator.db import session_scope

    today = date(2026, 12, 2)
    assert range_bounds("7", today) == (date(2026, 11, 26), today)
    assert range_bounds("all", today) == (None, None)
    assert range_bounds("2026-10-01..2026-10-31", today) == (date(2026, 10, 1), date(2026, 10, 31))
    for bad in ("2026-10-31..2026-10-01", "2026-12-01..2026-12-03", "2020-01-01..2026-12-01", "2026-13-01..2026-13-02",
                "2026-10-01..", "x" * 22, "２０２６-10-01..2026-10-31", ""):  # fmt: skip
        with pytest.raises(ValueError):
            range_bounds(bad, today)

    def views(day, count: int) -> list[service.CountedEvent]:
        return [service.CountedEvent(kind="pageview", site="blog", path="/a", day=day, visitor_hash=f"{n:032x}")
                for n in range(count)]  # fmt: skip

    with session_scope(engine) as session:
        service.record_events(session=session, events=views(date(2026, 10, 15), 6))  # in October
        service.record_events(session=session, events=views(date(2026, 9, 20), 4))  # the 31 days before it
        service.record_events(session=session, events=views(date(2026, 11, 15), 9))  # after it
    [totals] = range_view(engine, date(2026, 10, 1), date(2026, 10, 31))["totals"]
    assert totals == {"views": 6, "visitors": 6, "views_before": 4, "visitors_before": 4}
    [everything] = range_view(engine, None)["totals"]
    assert everything["views"] == 19 and everything["views_before"] == -1
    assert date(2026, 10, 1) - timedelta(days=31) == date(2026, 8, 31)  # the period before starts here


async def _refreshes_during_a_burst(engine: Engine, push_cost: float) -> int:
    """Refreshes the feed gives in a second of changes arriving every 10 ms, when pushing each one to
    the open tabs takes `push_cost` seconds."""
    bus, presence = MemoryBus(), MemoryPresence()
    feed = DashboardFeed(engine=engine, zone=ZoneInfo("UTC"), presence=presence, bus=bus, min_interval=0)
    given = 0

    async def give() -> None:
        nonlocal given
        given += 1
        feed.delivered(push_cost)  # what ui/live.py reports once the tabs were given it

    feed.listeners.add("tab-1")
    runner = asyncio.create_task(feed.run(give))
    await asyncio.sleep(0.05)
    try:
        for _ in range(100):
            await bus.publish(ANALYTICS_TOPIC.name, ANALYTICS_TOPIC.encode(AnalyticsChanged(pages=None)))
            await asyncio.sleep(0.01)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    return given


async def test_refreshes_are_paced_by_what_pushing_them_to_the_open_tabs_costs(engine: Engine) -> None:
    cheap = await _refreshes_during_a_burst(engine, push_cost=0.0)
    dear = await _refreshes_during_a_burst(engine, push_cost=0.04)
    assert cheap >= 20  # nothing to pace by: the dashboards follow the burst closely
    # Pushes of 40 ms: refreshes at least five times that apart, so tabs take at most a fifth of
    # the loop; the dashboards still move several times a second.
    assert 2 <= dear <= 6
