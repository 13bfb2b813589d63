"""What the dashboard shows for a range of days (7/30/90 days or all time): each breakdown with its
values' shares, entry and exit pages, goals with their conversion rates, and reading time and
scroll depth. Read in one transaction from the rollups (blocking: the feed runs it off the loop)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from accumulator.analytics import countries, depth_queries, queries
from accumulator.db import session_scope

TOP = 8  # values shown per breakdown


def _shares(rows: list[tuple[str, int]]) -> list[dict]:
    total = sum(views for _, views in rows) or 1
    return [{"value": value, "views": views, "share": round(100 * views / total, 1)} for value, views in rows]


def range_view(engine: Engine, since: date | None, limit: int | None = TOP) -> dict[str, list[dict]]:
    """{kind: [{value, views, share}]} from `since` (None: all time), the top `limit` values of each
    (None: every value, as a CSV export wants); "goal" rows count distinct visitors, their share
    being of the range's visitors; "reading" is one summary row."""
    with session_scope(engine) as session:
        found = queries.breakdowns(session=session, since=since, limit=limit)
        found.update(depth_queries.entries_and_exits(session=session, since=since, limit=limit))
        visitors = depth_queries.visitors_in_range(session=session, since=since)
        reading = depth_queries.reading_summary(session=session, since=since)
    found["country"] = [(countries.label(code), views) for code, views in found["country"]]
    result = {kind: _shares(rows) for kind, rows in found.items() if kind not in ("goal", "goal_visitors")}
    result["goal"] = [
        {"value": value, "views": uniques, "share": round(100 * uniques / max(visitors, 1), 1)}
        for value, uniques in found["goal_visitors"]
    ]
    result["reading"] = [reading]
    return result
