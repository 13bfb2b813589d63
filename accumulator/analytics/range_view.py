"""What the dashboard shows for a range of days (7/30/90 days or all time): each breakdown with its
values' shares, entry and exit pages, goals with their conversion rates, and reading time and
scroll depth. Read in one transaction from the rollups (blocking: the feed runs it off the loop).

A range is read as counts that add up (`RangeCounts`: every value's count, each page's entries and
exits, the reading counters, views and visitors), then ranked. A range that ends today is the days
before today, which do not change while the day lasts, and today: `KeptPast` keeps the first, so a
refresh of a 90-day view under traffic reads one day of rollups, not ninety."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from accumulator.analytics import countries, depth_queries, queries
from accumulator.analytics.ranking import largest_first
from accumulator.db import session_scope

TOP = 8  # values shown per breakdown
RANGES = {"7": 7, "30": 30, "90": 90, "all": None}  # dashboard range choice -> days (None: all time)
CUSTOM_DAYS_MAX = 3 * 366  # a chosen range ("2026-10-01..2026-10-31") is at most about three years
# Seconds the days before today are kept: an import of history (or a late page view of yesterday)
# shows within this long.
PAST_KEPT = 600.0
PASTS_KEPT = 8  # ranges kept (the presets and a few chosen ones)


def range_bounds(range_key: str, today: date) -> tuple[date | None, date | None]:
    """(first, last day) of a range choice: a preset ending today, all time (None, None), or a
    chosen "YYYY-MM-DD..YYYY-MM-DD" (ValueError when it is not one, or ends after today)."""
    if range_key in RANGES:
        days = RANGES[range_key]
        return (None, None) if days is None else (today - timedelta(days=days - 1), today)
    first, separator, last = range_key.partition("..")
    if not separator or len(range_key) != 22:
        raise ValueError("A range is 7, 30, 90, all, or two days as YYYY-MM-DD..YYYY-MM-DD.")
    since, until = date.fromisoformat(first), date.fromisoformat(last)
    if not since <= until <= today or (until - since).days >= CUSTOM_DAYS_MAX:
        raise ValueError("A range starts before it ends, ends by today and spans at most three years.")
    return since, until


def shares(rows: list[tuple[str, int]], kind: str = "") -> list[dict]:
    """{value, key, views, share} rows; `key` is what a click filters by (a country's code, where
    `value` is its name)."""
    total = sum(views for _, views in rows) or 1
    label = countries.label if kind == "country" else str
    return [{"value": label(key), "key": key, "views": views, "share": round(100 * views / total, 1)}
            for key, views in rows]  # fmt: skip


def goal_rows(rows: list[tuple[str, int]], visitors: int) -> list[dict]:
    """Goals with their distinct visitors and their share of the range's visitors (conversion)."""
    return [{"value": value, "key": value, "views": uniques, "share": round(100 * uniques / max(visitors, 1), 1)}
            for value, uniques in rows]  # fmt: skip


@dataclass
class RangeCounts:
    """A range's counts before they are ranked; those of two ranges of days add up (`+`)."""

    values: dict[str, Counter[str]] = field(default_factory=dict)  # kind -> value -> views
    pages: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # (site, path) -> (entries, exits)
    depth: Counter[str] = field(default_factory=Counter)  # the reading counters (DEPTH_COUNTERS)
    views: int = 0
    visitors: int = 0  # daily distinct visitors, summed

    def __add__(self, other: RangeCounts) -> RangeCounts:
        values = {kind: Counter(counts) for kind, counts in self.values.items()}
        for kind, counts in other.values.items():
            values.setdefault(kind, Counter()).update(counts)
        pages = dict(self.pages)
        for page, (entries, exits) in other.pages.items():
            before = pages.get(page, (0, 0))
            pages[page] = (before[0] + entries, before[1] + exits)
        return RangeCounts(values=values, pages=pages, depth=self.depth + other.depth,
                           views=self.views + other.views, visitors=self.visitors + other.visitors)  # fmt: skip


def count_range(session: Session, since: date | None, until: date | None) -> RangeCounts:
    """The counts of a range (None, None: all time, from the all-time tables)."""
    found = queries.breakdowns(session=session, since=since, limit=None, until=until)
    views, visitors = depth_queries.totals_in_range(session=session, since=since, until=until)
    return RangeCounts(
        values={kind: Counter(dict(rows)) for kind, rows in found.items()},
        pages=depth_queries.page_entries_and_exits(session=session, since=since, until=until),
        depth=Counter(depth_queries.depth_counts(session=session, since=since, until=until)),
        views=views,
        visitors=visitors,
    )


def _before(session: Session, since: date | None, until: date | None) -> tuple[int, int]:
    """(views, visitors) of the period of the same length just before (none for all time)."""
    if since is None or until is None:
        return (-1, -1)
    first = since - timedelta(days=(until - since).days + 1)
    return depth_queries.totals_in_range(session=session, since=first, until=since - timedelta(days=1))


def ranked(counts: RangeCounts, before: tuple[int, int], limit: int | None = TOP) -> dict[str, list[dict]]:
    """range_view's answer from a range's counts and the totals of the period before it."""
    found = {kind: largest_first(counts.values.get(kind, {}).items(), limit) for kind in queries.BREAKDOWN_KINDS}
    found.update(depth_queries.ranked_places(counts.pages, limit))
    result = {kind: shares(rows, kind) for kind, rows in found.items() if kind not in ("goal", "goal_visitors")}
    result["goal"] = goal_rows(found["goal_visitors"], counts.visitors)
    result["reading"] = [depth_queries.summary_of({name: counts.depth[name] for name in depth_queries.DEPTH_COUNTERS})]
    result["totals"] = [{"views": counts.views, "visitors": counts.visitors, "views_before": before[0],
                         "visitors_before": before[1]}]  # fmt: skip
    return result


def range_view(
    engine: Engine, since: date | None, until: date | None = None, limit: int | None = TOP
) -> dict[str, list[dict]]:
    """{kind: [{value, views, share}]} from `since` to `until` (None: all time), the top `limit`
    values of each (None: every value, as a CSV export wants); "goal" rows count distinct
    visitors, their share being of the range's visitors; "reading" is one summary row; "totals"
    one row of views and visitors, and of the period of the same length just before (none for
    all time)."""
    with session_scope(engine) as session:
        counts = count_range(session, since, until)
        before = _before(session, since, until)
    return ranked(counts, before, limit)


class KeptPast:
    """range_view for the dashboard's refreshes: of a range that ends today, the days before today
    are read once (and again after PAST_KEPT seconds), today's on every call. Thread-safe: tabs
    read from worker threads."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.clock = clock
        self._kept: dict[tuple[date, date], tuple[float, RangeCounts, tuple[int, int]]] = {}
        self._lock = threading.Lock()

    def view(self, since: date | None, until: date | None, today: date) -> dict[str, list[dict]]:
        if since is None or until != today or since >= today:
            return range_view(self.engine, since, until)
        with session_scope(self.engine) as session:
            past, before = self._past(session, since, today)
            now = count_range(session, today, today)
        return ranked(past + now, before)

    def _past(self, session: Session, since: date, today: date) -> tuple[RangeCounts, tuple[int, int]]:
        key = (since, today)
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and self.clock() - kept[0] < PAST_KEPT:
            return kept[1], kept[2]
        read_at = self.clock()
        past = count_range(session, since, today - timedelta(days=1))
        before = _before(session, since, today)
        with self._lock:
            self._kept = {k: v for k, v in self._kept.items() if k[1] == today and read_at - v[0] < PAST_KEPT}
            if len(self._kept) >= PASTS_KEPT:
                self._kept.clear()
            self._kept[key] = (read_at, past, before)
        return past, before
