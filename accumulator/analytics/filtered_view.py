"""A filtered dashboard (blocking: the feed runs it off the loop): every number that the filters
can narrow, and the names of the cards they cannot, which then show the unfiltered numbers marked
as such (never a number that only looks filtered).

- Site and page filters alone are answered from the per-page rollups: exact, over all history,
  distinct visitors and reading included; the breakdowns come from the joint rollup.
- Any other filter is answered from the joint rollup (analytics/segments.py), which counts page
  views only, from revision 0019 on. Distinct visitors cannot be summed over its rows (one person
  is in several), nor can reading time, entries and exits be split by referrer or browser: those
  cards stay unfiltered and say so.
- A goal narrows only the goals table: goal events are counted per site, apart from the visit's
  page, referrer or agent. For the same reason the goals table is not narrowed by other filters.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from accumulator.analytics import depth_queries, segments, series
from accumulator.analytics.filters import Filters, narrowing, page_only
from accumulator.analytics.models import DailyPageStat, DailySiteStat
from accumulator.analytics.page_table import page_key
from accumulator.analytics.range_view import TOP, goal_rows, shares
from accumulator.db import session_scope

# Breakdown kinds of the dashboard -> the joint rollup's column.
COLUMNS = {"browser": "browser", "os": "os", "device": "device", "referrer": "referrer", "country": "country",
           "utm_source": "utm_source", "utm_medium": "utm_medium", "utm_campaign": "utm_campaign"}  # fmt: skip
CHART_DAYS = series.CHART_DAYS


def _narrowed(statement, table: type, narrow: Mapping[str, str], since: date | None, until: date | None):
    """`statement` on a per-page or per-site day rollup, narrowed to the site and page, over the range."""
    for name, value in narrow.items():
        statement = statement.where(getattr(table, name) == value)
    if since is not None:
        statement = statement.where(table.day >= since)
    if until is not None:
        statement = statement.where(table.day <= until)
    return statement


def _totals(session: Session, narrow: Mapping[str, str], since, until) -> tuple[int, int]:
    """(views, visitors) of a site or a page over the range, from the exact rollups."""
    table = DailyPageStat if "path" in narrow else DailySiteStat  # a site alone: its own distinct visitors
    statement = select(sa.func.coalesce(sa.func.sum(table.views), 0), sa.func.coalesce(sa.func.sum(table.visitors), 0))
    views, visitors = session.exec(_narrowed(statement, table, narrow, since, until)).one()
    return int(views), int(visitors)


def _pages(session: Session, narrow: Mapping[str, str], since, until) -> dict[str, int]:
    """{page key: views in the range} of a site or a page, from the exact per-page rollup."""
    table = DailyPageStat
    statement = _narrowed(select(table.site, table.path, sa.func.sum(table.views)), table, narrow, since, until)
    rows = session.exec(statement.group_by(table.site, table.path))
    return {page_key(site, path): int(views) for site, path, views in rows if views}


def _chart(days: Mapping[date, int], today: date) -> list[dict]:
    """The last 30 days beside the 30 before, as the unfiltered chart; visitors 0 (the card says
    they are not filtered: they cannot be summed over the joint rollup)."""
    first = today - timedelta(days=2 * CHART_DAYS - 1)
    shown = [first + timedelta(days=offset) for offset in range(2 * CHART_DAYS)]
    pairs = zip(shown[:CHART_DAYS], shown[CHART_DAYS:], strict=True)
    return [{"day": day.strftime("%b %d"), "views": days.get(day, 0), "visitors": 0,
             "previous": days.get(old, 0), "reading": None} for old, day in pairs]  # fmt: skip


def filtered_view(
    engine: Engine, *, filters: Filters, base: Mapping[str, list[dict]], since: date | None, until: date | None,
    today: date, now: datetime, zone: ZoneInfo, limit: int | None = TOP,
) -> dict:  # fmt: skip
    """What a dashboard with these filters shows over the range: `shares` (as range_view's answer),
    `pages` ({key: views}, None when no filter narrows them), `chart` and `hours` (None: unfiltered),
    `unfiltered` (the cards the filters cannot narrow) and `since` (the first day of joint data).
    `base` is the unfiltered range view, from which the cards that cannot be filtered are taken."""
    narrow = narrowing(filters)
    goal = dict(filters).get("goal")
    result_shares = {kind: list(rows) for kind, rows in base.items()}
    if goal is not None:
        result_shares["goal"] = [row for row in base.get("goal", []) if row["key"] == goal]
    if not narrow:  # a goal alone: only the goals table narrows
        return {"shares": result_shares, "pages": None, "chart": None, "hours": None, "unfiltered": [], "since": ""}
    exact = page_only(filters)
    site, path = narrow.get("site"), narrow.get("path")
    unfiltered = ["minutes", "goals"]
    with session_scope(engine) as session:
        last = until or today
        first = since - timedelta(days=(last - since).days + 1) if since is not None else None
        chart_first = today - timedelta(days=2 * CHART_DAYS - 1)
        read_from = None if first is None else min(first, chart_first)
        found = segments.joint(session=session, columns=list(COLUMNS.values()), filters=narrow, since=since,
                               until=last, before=first, read_from=read_from, read_to=max(last, today))  # fmt: skip
        for kind, column in COLUMNS.items():
            result_shares[kind] = shares(found.ranked(column)[:limit], kind)
        views, visitors = _totals(session, narrow, since, until) if exact else (found.views, -1)
        before = (-1, -1)
        if since is not None and until is not None:
            before = _totals(session, narrow, first, since - timedelta(days=1)) if exact else (found.before, -1)
        result_shares["totals"] = [{"views": views, "visitors": visitors, "views_before": before[0],
                                    "visitors_before": before[1]}]  # fmt: skip
        pages = _pages(session, narrow, since, until) if exact else {page_key(*k): n for k, n in found.pages.items()}
        chart = series.days(engine, today, site, path) if exact else _chart(found.days, today)
        if exact:
            places = depth_queries.entries_and_exits(session=session, since=since, until=until, limit=limit,
                                                     site=site, path=path)  # fmt: skip
            result_shares["entry"] = shares(places["entry"])
            result_shares["exit"] = shares(places["exit"])
            reading = depth_queries.reading_summary(session=session, since=since, until=until, site=site, path=path)
            result_shares["reading"] = [reading]
        else:
            unfiltered += ["entries", "exits", "reading", "visitors", "hours"]
        joint_since = segments.first_day(session=session)
    hours = series.hours(engine, now, zone, site, path) if exact else None
    if goal is not None:
        unfiltered.remove("goals")  # narrowed to its goal, though not by the other filters
        unfiltered.append("goals-by-others")
    return {"shares": result_shares, "pages": pages, "chart": chart, "hours": hours, "unfiltered": unfiltered,
            "since": joint_since.isoformat() if joint_since else ""}  # fmt: skip


__all__ = ["filtered_view", "goal_rows"]
