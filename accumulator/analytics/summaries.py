"""Reads other features take from analytics (read only, from the rollups): the views of given hours
(the traffic alert's "usual for this hour") and a week in numbers (the weekly digest)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from accumulator.analytics import depth_queries
from accumulator.analytics.models import DailyPageStat, DailySiteDimension, DailySiteStat, HourlySiteStat
from accumulator.analytics.ranking import largest_first
from accumulator.analytics.service import DIRECT, utc_hour


def views_in_hours(*, session: Session, hours: Collection[datetime]) -> dict[datetime, int]:
    """Page views of every site in each of `hours` (timezone-aware; each names the hour it falls
    in), keyed by the hour's start in UTC; an hour without views is 0."""
    starts = sorted({utc_hour(hour) for hour in hours})
    if not starts:
        return {}
    rows = session.exec(
        select(HourlySiteStat.hour, sa.func.sum(HourlySiteStat.views))
        .where(HourlySiteStat.hour.in_(starts))  # type: ignore[attr-defined]
        .group_by(HourlySiteStat.hour)
    ).all()
    found = {hour: int(views) for hour, views in rows}
    return {start.replace(tzinfo=UTC): found.get(start, 0) for start in starts}


@dataclass(frozen=True)
class PageWeek:
    site: str
    path: str
    views: int
    views_before: int  # the same pages' views in the week before


@dataclass(frozen=True)
class WeekTraffic:
    views: int
    views_before: int
    visitors: int
    top_pages: list[PageWeek]
    reading_avg_seconds: int  # -1: no reading time reported
    reading_median_seconds: int
    timed: int  # page views that reported a reading time
    new_referrers: list[tuple[str, int]]  # hosts first seen this week, with their views


def _page_views(session: Session, since: date, until: date) -> dict[tuple[str, str], int]:
    total = sa.func.sum(DailyPageStat.views)
    rows = session.exec(
        select(DailyPageStat.site, DailyPageStat.path, total)
        .where(DailyPageStat.day >= since, DailyPageStat.day <= until)
        .group_by(DailyPageStat.site, DailyPageStat.path)
    ).all()
    return {(site, path): int(views) for site, path, views in rows}


def week_traffic(*, session: Session, since: date, until: date, before: date, limit: int = 10) -> WeekTraffic:
    """The days `since`…`until` (included), compared with `before`…`since - 1`."""
    this_week, earlier = _page_views(session, since, until), _page_views(session, before, since - timedelta(days=1))
    ranked = largest_first(this_week.items(), limit)
    summed = (sa.func.coalesce(sa.func.sum(column), 0) for column in (DailySiteStat.views, DailySiteStat.visitors))
    site_total = session.exec(select(*summed).where(DailySiteStat.day >= since, DailySiteStat.day <= until)).one()
    before_total = session.exec(
        select(sa.func.coalesce(sa.func.sum(DailySiteStat.views), 0)).where(
            DailySiteStat.day >= before, DailySiteStat.day < since
        )
    ).one()
    reading = depth_queries.reading_summary(session=session, since=since, until=until)
    return WeekTraffic(
        views=int(site_total[0]),
        views_before=int(before_total),
        visitors=int(site_total[1]),
        top_pages=[PageWeek(site, path, views, earlier.get((site, path), 0)) for (site, path), views in ranked],
        reading_avg_seconds=reading["time_avg"],
        reading_median_seconds=reading["time_median"],
        timed=reading["timed"],
        new_referrers=new_referrers(session=session, since=since, until=until, limit=limit),
    )


def new_referrers(*, session: Session, since: date, until: date, limit: int = 10) -> list[tuple[str, int]]:
    """Referrer hosts that sent views in `since`…`until` and never before, most views first."""
    table = DailySiteDimension
    seen_before = select(table.value).where(table.kind == "referrer", table.day < since)
    total = sa.func.sum(table.views)
    rows = session.exec(
        select(table.value, total)
        .where(table.kind == "referrer", table.day >= since, table.day <= until, table.value != DIRECT)
        .where(table.value.not_in(seen_before))  # type: ignore[attr-defined]
        .group_by(table.value)
        .order_by(total.desc(), table.value)
        .limit(limit)
    ).all()
    return [(value, int(views)) for value, views in rows if value]
