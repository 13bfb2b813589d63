"""The pages table that open dashboards show, kept up to date by re-reading only the pages a change
names, and the record of which rows changed at which version, so each tab is sent only those."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sqlmodel import Session

from accumulator.analytics import depth_queries, queries
from accumulator.page_counts import PageCount

REREAD_ALL_AFTER = 200  # a change naming more pages than this re-reads the whole table
NO_READING = {"time_avg": -1, "time_median": -1, "scroll75": 0}  # seconds (-1: none yet), % of views


def page_key(site: str, path: str) -> str:
    return f"{site}|{path}"  # a site name has no "|" (see incoming.SITE_NAME), so this splits back


class PageTable:
    def __init__(self, extra: Sequence[PageCount] = ()) -> None:
        self.extra = tuple(extra)  # other features' numbers per page (comments…), as more columns
        self._counters: dict[str, queries.PageRow] = {}
        self._extra: dict[str, dict[tuple[str, str], int]] = {count.key: {} for count in self.extra}
        self._day: date | None = None
        self._stale: set[str] | None = None  # pages to re-read; None: all of them
        self._stale_lock = threading.Lock()  # marked on the event loop, taken by a worker thread
        self.rows: dict[str, dict] = {}  # as last shown, by key
        self._changed_at: dict[str, int] = {}  # the version at which each row last changed
        self._floor = 0  # the oldest version a patch can start from

    def mark(self, pages: Iterable[str] | None) -> None:
        """These pages' counters changed (None: any may have)."""
        with self._stale_lock:
            if pages is None or self._stale is None:
                self._stale = None
                return
            self._stale.update(pages)
            if len(self._stale) > REREAD_ALL_AFTER:
                self._stale = None

    def read(self, session: Session, today: date) -> None:
        """Bring the counters up to date (blocking): the stale pages, or all on a new day."""
        with self._stale_lock:
            stale, self._stale = self._stale, set()
        try:
            if stale is None or today != self._day:
                self._counters = {page_key(r.site, r.path): r for r in queries.pages(session=session, today=today)}
                self._extra = {count.key: count.read_pages(session, None) for count in self.extra}
                self._day = today
            elif stale:
                wanted = [tuple(key.split("|", 1)) for key in stale]
                for row in queries.pages(session=session, today=today, only=wanted):
                    self._counters[page_key(row.site, row.path)] = row
                for count in self.extra:
                    self._extra[count.key].update(count.read_pages(session, wanted))
        except BaseException:
            self.mark(None)  # not read: read everything next time
            raise

    @property
    def total_views(self) -> int:
        return sum(row.views for row in self._counters.values())

    def show(self, version: int, viewing: Mapping[tuple[str, str], int]) -> list[dict]:
        """The rows of `version`, with who is viewing each page now; notes which rows changed."""
        rows = {
            key: {
                "key": key,
                "site": row.site,
                "path": row.path,
                "views": row.views,
                "likes": row.likes,
                "viewing": viewing.get((row.site, row.path), 0),
                "views_today": row.views_today,
                **(depth_queries.reading(row.depth, row.views) if row.depth else NO_READING),
                **{count.key: self._extra[count.key].get((row.site, row.path), 0) for count in self.extra},
            }
            for key, row in self._counters.items()
        }
        if not self.rows or self.rows.keys() - rows.keys():
            self._floor = version  # first table, or rows removed: older tabs get the whole table
        for key, row in rows.items():
            if self.rows.get(key) != row:
                self._changed_at[key] = version
        for key in self._changed_at.keys() - rows.keys():
            del self._changed_at[key]
        self.rows = rows
        return list(rows.values())

    def patch(self, since: int, current: int) -> list[dict] | None:
        """The rows changed after version `since`, or None when the whole table must be sent."""
        if since < self._floor or since > current:
            return None
        return [self.rows[key] for key, version in self._changed_at.items() if version > since]
