"""What the owner's sites read back: a page's counts."""

from __future__ import annotations

from accumulator.analytics import service
from accumulator.runtime import Services, in_transaction


async def page_counts(svc: Services, *, site: str, path: str) -> tuple[int, int]:
    """(views, likes) of one page."""
    return await in_transaction(svc, service.page_counts, site=site, path=path)
