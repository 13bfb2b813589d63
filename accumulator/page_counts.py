"""A number per page that a feature adds to the dashboard's pages table (published comments per
page, …), so analytics shows it without importing the feature that owns it.

The feature declares a `PageCount` in its manifest; the app hands every declaration to analytics
(`Services.page_counts`, filled by the app assembly at start-up). Analytics reads the numbers with
the pages' own counters, off the event loop, and re-reads one page's number when a message on the
declared topic names that page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from accumulator.runtime import Topic

_KEY = re.compile(r"^[a-z][a-z_]{0,31}$")
# Names the pages table already uses for its own fields.
RESERVED = frozenset({"key", "site", "path", "views", "likes", "viewing", "views_today"})

# read(session=…, pages=None | [(site, path), …]) -> {(site, path): number}: every page's number,
# or only those pages' (pages missing from the answer have 0). Blocking: runs in a worker thread.
ReadCounts = Callable[..., dict[tuple[str, str], int]]


@dataclass(frozen=True)
class PageCount:
    key: str  # the field on each row of the table, and the column's id
    label: str  # the column's heading
    read: ReadCounts
    topic: Topic  # a message on it names a page whose number changed (it must go through the bus)
    page_of: Callable[[Any], tuple[str, str] | None]  # the (site, path) a decoded message names

    def __post_init__(self) -> None:
        if not _KEY.match(self.key) or self.key in RESERVED:
            raise ValueError(f"{self.key!r} cannot name a column of the pages table")
        if not self.topic.shared:
            raise ValueError(f"{self.topic.name} stays in one process: every instance's dashboards must hear it")

    def read_pages(self, session: Session, pages: Collection[tuple[str, str]] | None) -> dict[tuple[str, str], int]:
        found = self.read(session=session, pages=None if pages is None else list(pages))
        if pages is None:
            return found
        return {page: found.get(page, 0) for page in pages}
