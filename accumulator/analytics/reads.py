"""What the owner's sites read back (a page's counts), the dashboard's pages table, and its
tables as CSV files."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from accumulator.analytics import actions, export, filters, queries, segments
from accumulator.analytics.feed import Snapshot
from accumulator.analytics.filtered_view import filtered_view
from accumulator.analytics.range_view import range_bounds, range_view
from accumulator.runtime import Services, in_transaction, off_loop


async def page_counts(svc: Services, *, site: str, path: str) -> dict[str, int]:
    """One page's views and likes, and the number each other feature adds per page (comments…),
    read in one transaction."""

    def read(*, session: Session) -> dict[str, int]:
        views, likes = queries.page_counts(session=session, site=site, path=path)
        extra = {count.key: count.read_pages(session, [(site, path)])[(site, path)] for count in svc.page_counts}
        return {"views": views, "likes": likes, **extra}

    return await in_transaction(svc, read)


async def views(svc: Services, *, site: str, path: str | None) -> int:
    """All-time views of one page, or of the whole site when `path` is None (the badge's number)."""
    if path is None:
        return await in_transaction(svc, queries.site_views, site=site)
    views, _ = await in_transaction(svc, queries.page_counts, site=site, path=path)
    return views


async def dashboard_pages(svc: Services) -> dict:
    """The whole pages table of the current version, as an opening dashboard fetches it (the
    websocket then brings only the rows that change)."""
    snapshot = await off_loop(actions.feed(svc).snapshot)
    return {"version": snapshot.version, "rows": snapshot.pages}


async def summary(svc: Services) -> Snapshot:
    """The dashboard's headline numbers (total views, visitors today, reading now) and every page's
    counters, from the shared feed: no extra queries when a dashboard has already read them."""
    shared = actions.feed(svc)
    await shared.refresh_presence()  # presence is read fresh when no dashboard was watching
    return await off_loop(shared.snapshot)


async def daily(svc: Services, *, days: int, site: str | None, path: str | None) -> list[queries.DayPoint]:
    """Views and visitors per day of the last `days` days (the owner's days), oldest first."""
    today = actions.feed(svc).today()
    return await in_transaction(svc, queries.daily_series, today=today, days=days, site=site, path=path)


async def breakdowns(svc: Services, *, range_key: str) -> dict[str, list[dict]]:
    """Browsers, systems, devices and referrers over a range ("7", "30", "90", "all"), with shares."""
    return await off_loop(actions.feed(svc).breakdowns, range_key=range_key)


async def export_table(svc: Services, *, table: str, range_key: str, chosen: filters.Filters = ()) -> tuple[str, date]:
    """One of the dashboard's tables (export.TABLES) over a range (a preset of range_view.RANGES,
    or two days) as CSV text, and the owner's day it was read on. Unlike the dashboard, every
    value of a list, not its top eight, and the chart over the range, not the last 30 days. Read
    and shaped on worker threads. With filters, what the filtered dashboard shows; a table they
    cannot narrow (filtered_view.py) is filters.BadFilter, never an unfiltered file under a filtered name."""
    shared = actions.feed(svc)
    today = shared.today()
    since, until = range_bounds(range_key, today)  # checked by the route: a preset or two days
    if filters.narrowing(chosen) or (chosen and table == "goals"):
        return await _filtered_table(svc, table=table, chosen=chosen, since=since, until=until, today=today)
    if table == "pages":  # the live table's counters are all-time: the range does not apply
        await shared.refresh_presence()  # "viewing now" as of this request, also with no dashboard open
        snapshot = await off_loop(shared.snapshot)
        return await off_loop(export.pages_csv, rows=snapshot.pages, extra=svc.page_counts), snapshot.today
    if table == "chart":

        def read(*, session: Session) -> list[queries.DayPoint]:
            # All time: from the first day counted (none yet: today alone; a later one: a clock set back).
            last = until or today
            first = since or min(queries.first_day(session=session) or today, today)
            return queries.daily_series(session=session, today=last, days=(last - first).days + 1)

        return await off_loop(export.chart_csv, points=await in_transaction(svc, read)), today
    view = await off_loop(range_view, engine=svc.engine, since=since, until=until, limit=None)
    return await off_loop(export.range_csv, table=table, view=view), today


# The tables of filtered_view's "unfiltered" list, by file name.
_CARDS = {"entries": "entries", "exits": "exits", "reading": "reading", "goals": "goals"}


async def _filtered_table(
    svc: Services, *, table: str, chosen: filters.Filters, since: date | None, until: date | None, today: date
) -> tuple[str, date]:
    shared = actions.feed(svc)
    base = await off_loop(range_view, engine=svc.engine, since=since, until=until, limit=None)
    found = await off_loop(filtered_view, engine=svc.engine, filters=chosen, base=base, since=since, until=until,
                           today=today, now=shared.clock(), zone=shared.zone, limit=None)  # fmt: skip
    if _CARDS.get(table) in found["unfiltered"]:
        raise filters.BadFilter(f"The {table} table cannot be narrowed by these filters (see the README).")
    if table == "pages":
        await shared.refresh_presence()
        snapshot = await off_loop(shared.snapshot)
        matching = found["pages"]
        rows = [row for row in snapshot.pages if row["key"] in matching]
        return await off_loop(export.pages_csv, rows=rows, extra=svc.page_counts, matching=matching), today
    if table == "chart":
        narrow = filters.narrowing(chosen)

        def read(*, session: Session) -> list[queries.DayPoint]:
            last = until or today
            first = since or min(segments.first_day(session=session) or today, today)
            if filters.page_only(chosen):  # exact, visitors included
                return queries.daily_series(session=session, today=last, days=(last - first).days + 1,
                                            site=narrow.get("site"), path=narrow.get("path"))  # fmt: skip
            views = segments.by_day(session=session, since=first, until=last, filters=narrow)
            return [queries.DayPoint(day=day, views=views.get(day, 0), visitors=-1)
                    for day in (first + timedelta(days=n) for n in range((last - first).days + 1))]  # fmt: skip

        return await off_loop(export.chart_csv, points=await in_transaction(svc, read)), today
    return await off_loop(export.range_csv, table=table, view=found["shares"]), today
