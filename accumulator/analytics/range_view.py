"""What the dashboard shows for a range of days (7/30/90 days or all time): each breakdown with its
values' shares, entry and exit pages, goals with their conversion rates, and reading time and
scroll depth. Read in one transaction from the rollups (blocking: the feed runs it off the loop)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine

from accumulator.analytics import countries, depth_queries, queries
from accumulator.db import session_scope

TOP = 8  # values shown per breakdown
RANGES = {"7": 7, "30": 30, "90": 90, "all": None}  # dashboard range choice -> days (None: all time)
CUSTOM_DAYS_MAX = 3 * 366  # a chosen range ("2026-10-01..2026-10-31") is at most about three years


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


def range_view(
    engine: Engine, since: date | None, until: date | None = None, limit: int | None = TOP
) -> dict[str, list[dict]]:
    """{kind: [{value, views, share}]} from `since` to `until` (None: all time), the top `limit`
    values of each (None: every value, as a CSV export wants); "goal" rows count distinct
    visitors, their share being of the range's visitors; "reading" is one summary row; "totals"
    one row of views and visitors, and of the period of the same length just before (none for
    all time)."""
    with session_scope(engine) as session:
        found = queries.breakdowns(session=session, since=since, limit=limit, until=until)
        found.update(depth_queries.entries_and_exits(session=session, since=since, limit=limit, until=until))
        views, visitors = depth_queries.totals_in_range(session=session, since=since, until=until)
        reading = depth_queries.reading_summary(session=session, since=since, until=until)
        before = (-1, -1)  # all time has no period before it
        if since is not None and until is not None:
            first = since - timedelta(days=(until - since).days + 1)
            before = depth_queries.totals_in_range(session=session, since=first, until=since - timedelta(days=1))
    result = {kind: shares(rows, kind) for kind, rows in found.items() if kind not in ("goal", "goal_visitors")}
    result["goal"] = goal_rows(found["goal_visitors"], visitors)
    result["reading"] = [reading]
    result["totals"] = [{"views": views, "visitors": visitors, "views_before": before[0],
                         "visitors_before": before[1]}]  # fmt: skip
    return result
