"""What the owner's sites read back (a page's counts), and the dashboard's pages table."""

from __future__ import annotations

from sqlmodel import Session

from accumulator.analytics import actions, queries
from accumulator.analytics.feed import Snapshot
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
