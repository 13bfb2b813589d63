"""The dashboard's time series, read from the rollups (blocking: the feed runs them off the loop):
the last 30 days beside the 30 before, today by hour in the owner's zone, and the last 30 minutes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from accumulator.analytics import depth, depth_queries, queries
from accumulator.db import session_scope

CHART_DAYS = 30


def days(engine: Engine, today: date, site: str | None, path: str | None) -> list[dict]:
    """Views and visitors per day of the last 30, each with the views of the same day of the 30
    before (`previous`: the comparison's dashed line) and the day's average reading time in seconds
    (`reading`, None for a day without one), of everything, a site or a page."""
    with session_scope(engine) as session:
        points = queries.daily_series(session=session, today=today, days=2 * CHART_DAYS, site=site, path=path)
        since = today - timedelta(days=CHART_DAYS - 1)
        reading = depth_queries.daily_reading(session=session, since=since, until=today, site=site, path=path)
    before, shown = points[:CHART_DAYS], points[CHART_DAYS:]
    return [
        {"day": p.day.strftime("%b %d"), "views": p.views, "visitors": p.visitors, "previous": old.views,
         "reading": reading.get(p.day)}
        for p, old in zip(shown, before, strict=True)
    ]  # fmt: skip


def hours(engine: Engine, now: datetime, zone: ZoneInfo, site: str | None, path: str | None) -> list[dict]:
    """Views in each hour of the owner's today, up to the current one."""
    midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    with session_scope(engine) as session:
        points = queries.hourly_series(session=session, since=midnight, until=now, site=site, path=path)
    return [{"hour": p.hour.astimezone(zone).strftime("%H:%M"), "views": p.views} for p in points]


def minutes(engine: Engine, now: datetime, zone: ZoneInfo) -> list[dict]:
    """Page views of every site in each of the last 30 minutes, the current one last."""
    with session_scope(engine) as session:
        points = depth.last_minutes(session=session, now=now)
    return [
        {"minute": datetime.fromtimestamp(minute * 60, zone).strftime("%H:%M"), "views": views}
        for minute, views in points
    ]
