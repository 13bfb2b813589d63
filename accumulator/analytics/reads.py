"""What the owner's sites read back (a page's counts), and the dashboard's pages table."""

from __future__ import annotations

from accumulator.analytics import actions, queries
from accumulator.runtime import Services, in_transaction, off_loop


async def page_counts(svc: Services, *, site: str, path: str) -> tuple[int, int]:
    """(views, likes) of one page."""
    return await in_transaction(svc, queries.page_counts, site=site, path=path)


async def dashboard_pages(svc: Services) -> dict:
    """The whole pages table of the current version, as an opening dashboard fetches it (the
    websocket then brings only the rows that change)."""
    snapshot = await off_loop(actions.feed(svc).snapshot)
    return {"version": snapshot.version, "rows": snapshot.pages}
