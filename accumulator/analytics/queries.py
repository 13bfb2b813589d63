"""Reading the numbers the dashboard and the owner's sites show, from the counters and rollups:
a few rows per day or per value, however long the history."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from accumulator.analytics.depth_models import DEPTH_COUNTERS, PageDepthTotal
from accumulator.analytics.models import (
    DailyPageStat,
    DailySiteDimension,
    DailySiteStat,
    HourlyPageStat,
    HourlySiteStat,
    PageStat,
    SiteDimensionTotal,
)
from accumulator.analytics.ranking import largest_first
from accumulator.analytics.service import DIMENSIONS, utc_hour
from accumulator.inputs import is_clean

# What the dashboard breaks a range down by: the agents and referrers, and (analytics/depth.py)
# countries, campaigns and goals (a goal's count of events, and of distinct visitors).
BREAKDOWN_KINDS = (*DIMENSIONS, "country", "utm_source", "utm_medium", "utm_campaign", "goal", "goal_visitors")


@dataclass(frozen=True)
class PageRow:
    site: str
    path: str
    views: int
    likes: int
    views_today: int
    depth: dict[str, int] = field(default_factory=dict)  # the page's PageDepthTotal counters (reading)


@dataclass(frozen=True)
class DayPoint:
    day: date
    views: int
    visitors: int


@dataclass(frozen=True)
class HourPoint:
    hour: datetime  # the start of the hour, timezone-aware UTC: `.astimezone(zone)` gives the owner's
    views: int
    likes: int


def page_counts(*, session: Session, site: str, path: str) -> tuple[int, int]:
    """(views, likes) of one page, zeros for a page never seen (or that could never be stored)."""
    if not (is_clean(site) and is_clean(path)):
        return (0, 0)
    row = session.get(PageStat, (site, path))
    return (row.views, row.likes) if row else (0, 0)


def site_views(*, session: Session, site: str) -> int:
    """All-time views of every page of one site (the site's rows of the page counters)."""
    statement = select(sa.func.coalesce(sa.func.sum(PageStat.views), 0)).where(PageStat.site == site)
    return session.exec(statement).one()


def total_views(*, session: Session) -> int:
    return session.exec(select(sa.func.coalesce(sa.func.sum(PageStat.views), 0))).one()


def unique_visitors(*, session: Session, day: date) -> int:
    """Distinct visitors of any page of any site on `day` (one person on two sites counts twice)."""
    return session.exec(
        select(sa.func.coalesce(sa.func.sum(DailySiteStat.visitors), 0)).where(DailySiteStat.day == day)
    ).one()


def pages(*, session: Session, today: date, only: Collection[tuple[str, str]] | None = None) -> list[PageRow]:
    """Every page's counters with today's views; with `only`, just those (site, path) pages."""
    today_views = select(DailyPageStat.site, DailyPageStat.path, DailyPageStat.views).where(DailyPageStat.day == today)
    statement = select(PageStat.site, PageStat.path, PageStat.views, PageStat.likes)
    if only is not None:
        wanted = sa.tuple_(PageStat.site, PageStat.path).in_(list(only))
        statement = statement.where(wanted)
        today_views = today_views.where(sa.tuple_(DailyPageStat.site, DailyPageStat.path).in_(list(only)))
    today_views = today_views.subquery()
    statement = statement.add_columns(today_views.c.views).outerjoin(
        today_views, sa.and_(today_views.c.site == PageStat.site, today_views.c.path == PageStat.path)
    )
    # How the page is read (analytics/depth.py), in the same trip.
    statement = statement.add_columns(*(getattr(PageDepthTotal, name) for name in DEPTH_COUNTERS)).outerjoin(
        PageDepthTotal, sa.and_(PageDepthTotal.site == PageStat.site, PageDepthTotal.path == PageStat.path)
    )
    return [
        PageRow(site=site, path=path, views=views, likes=likes, views_today=views_today or 0,
                depth=dict(zip(DEPTH_COUNTERS, depth, strict=True)) if depth[0] is not None else {})
        for site, path, views, likes, views_today, *depth in session.exec(statement)
    ]  # fmt: skip


def daily_series(
    *, session: Session, today: date, days: int = 30, site: str | None = None, path: str | None = None
) -> list[DayPoint]:
    """Views and distinct visitors for each of the last `days` days (zeros included), oldest first,
    of everything, a site, or a page: read from the day rollups, a few rows per day."""
    first = today - timedelta(days=days - 1)
    if path is not None:
        table = DailyPageStat
        query = select(table.day, sa.func.sum(table.views), sa.func.sum(table.visitors)).where(table.path == path)
    else:
        table = DailySiteStat
        query = select(table.day, sa.func.sum(table.views), sa.func.sum(table.visitors))
    query = query.where(table.day >= first, table.day <= today)
    if site is not None:
        query = query.where(table.site == site)
    found = {day: (int(views), int(visitors)) for day, views, visitors in session.exec(query.group_by(table.day))}
    return [
        DayPoint(day=day, views=found.get(day, (0, 0))[0], visitors=found.get(day, (0, 0))[1])
        for day in (first + timedelta(days=offset) for offset in range(days))
    ]


def first_day(*, session: Session) -> date | None:
    """The first day anything was counted on (where an "all time" series starts), None before that."""
    first = session.exec(select(sa.func.min(DailySiteStat.day))).one()
    return date.fromisoformat(first) if isinstance(first, str) else first


def hourly_series(
    *, session: Session, since: datetime, until: datetime, site: str | None = None, path: str | None = None
) -> list[HourPoint]:
    """Views and likes for each hour from the one `since` falls in up to the one before `until`
    (zeros included), oldest first, of everything, a site, or a page. `since` and `until` are
    timezone-aware; the points' hours are UTC, and showing them in the owner's zone (for "today by
    hour": since the local midnight, until now) is the reader's part. Only events written since
    revision 0009 are in the hours."""
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("since and until must be timezone-aware")
    first, end = utc_hour(since), until.astimezone(UTC).replace(tzinfo=None)
    if path is not None:
        table = HourlyPageStat
        query = select(table.hour, sa.func.sum(table.views), sa.func.sum(table.likes)).where(table.path == path)
    else:
        table = HourlySiteStat
        query = select(table.hour, sa.func.sum(table.views), sa.func.sum(table.likes))
    query = query.where(table.hour >= first, table.hour < end)
    if site is not None:
        query = query.where(table.site == site)
    found = {hour: (int(views), int(likes)) for hour, views, likes in session.exec(query.group_by(table.hour))}
    points = []
    hour = first
    while hour < end:
        views, likes = found.get(hour, (0, 0))
        points.append(HourPoint(hour=hour.replace(tzinfo=UTC), views=views, likes=likes))
        hour += timedelta(hours=1)
    return points


def breakdown(*, session: Session, kind: str, since: date | None = None, limit: int = 10) -> list[tuple[str, int]]:
    """Page views by one of BREAKDOWN_KINDS since a day (None: all time), largest first."""
    if kind not in BREAKDOWN_KINDS:
        raise ValueError(f"unknown dimension {kind!r}")
    table = SiteDimensionTotal if since is None else DailySiteDimension
    total = sa.func.sum(table.views).label("total")
    statement = select(table.value, total).where(table.kind == kind)
    if since is not None:
        statement = statement.where(DailySiteDimension.day >= since)
    statement = statement.group_by(table.value).order_by(total.desc(), table.value).limit(limit)
    return [(value, int(views)) for value, views in session.exec(statement)]


def breakdowns(
    *, session: Session, since: date | None = None, limit: int | None = 10, until: date | None = None
) -> dict[str, list[tuple[str, int]]]:
    """`breakdown` of every dimension at once: one pass over the rollup instead of one per kind
    (from `since` to `until` included; no `since`: all time; `limit` None: every value)."""
    table = SiteDimensionTotal if since is None else DailySiteDimension
    total = sa.func.sum(table.views).label("total")
    statement = select(table.kind, table.value, total)
    if since is not None:
        statement = statement.where(DailySiteDimension.day >= since)
        if until is not None:
            statement = statement.where(DailySiteDimension.day <= until)
    found: dict[str, list[tuple[str, int]]] = {kind: [] for kind in BREAKDOWN_KINDS}
    for kind, value, views in session.exec(statement.group_by(table.kind, table.value)):
        if kind in found:
            found[kind].append((value, int(views)))
    return {kind: largest_first(rows, limit) for kind, rows in found.items()}
