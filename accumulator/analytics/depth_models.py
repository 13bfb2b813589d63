"""How people read: engaged time, scroll depth, and where visits start and end, per page and per
day (`DailyPageDepth`), per site and day (the chart, `DailySiteDepth`) and per page of all time
(the pages table, `PageDepthTotal`), kept up to date as events are written (analytics/depth.py).

Reading time is kept as a sum and a histogram of each page view's latest reported time, so an
average is exact and a median is read from the histogram (within its bucket, see depth.py).
A visit is a tab until 30 minutes of silence: `VisitState` holds each open visit's last page under
a salted one-day hash of the tab's random token (no IP, no user agent), deleted a day later.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Index, Integer
from sqlmodel import Field, SQLModel

from accumulator.analytics.models import PATH_MAX, SITE_MAX

# Upper bounds (seconds) of the reading-time buckets t0…t9; the last is open-ended.
TIME_BUCKETS = (5, 10, 20, 30, 60, 120, 300, 600, 1800)
SCROLL_MARKS = (25, 50, 75, 100)
DEPTH_COUNTERS = (
    "timed", "seconds", *(f"t{n}" for n in range(len(TIME_BUCKETS) + 1)),
    *(f"scroll{mark}" for mark in SCROLL_MARKS), "entries", "exits",
)  # fmt: skip


def _counter():
    # A default in the database too: a batch writes only the counters it moves (entries and exits,
    # say), and rows it creates start at zero everywhere else.
    return Field(default=0, sa_column_kwargs={"server_default": "0", "default": None})


class _Depth(SQLModel):
    timed: int = _counter()  # page views with a reported reading time
    seconds: int = _counter()  # their engaged seconds, summed
    t0: int = _counter()
    t1: int = _counter()
    t2: int = _counter()
    t3: int = _counter()
    t4: int = _counter()
    t5: int = _counter()
    t6: int = _counter()
    t7: int = _counter()
    t8: int = _counter()
    t9: int = _counter()
    scroll25: int = _counter()  # page views scrolled at least this far
    scroll50: int = _counter()
    scroll75: int = _counter()
    scroll100: int = _counter()
    entries: int = _counter()  # visits that started here
    exits: int = _counter()  # visits whose last page (so far) is this one


class DailyPageDepth(_Depth, table=True):
    __tablename__ = "analytics_daily_page_depth"
    # Entry and exit pages of a range read only this (covering: no visit to the wide rows).
    __table_args__ = (Index("ix_analytics_daily_page_depth_visits", "day", "site", "path", "entries", "exits"),)

    day: date = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    path: str = Field(primary_key=True, max_length=PATH_MAX)


class DailySiteDepth(_Depth, table=True):
    __tablename__ = "analytics_daily_site_depth"

    day: date = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)


class PageDepthTotal(_Depth, table=True):
    __tablename__ = "analytics_page_depth"

    site: str = Field(primary_key=True, max_length=SITE_MAX)
    path: str = Field(primary_key=True, max_length=PATH_MAX)


class VisitState(SQLModel, table=True):
    """The last page of one open visit (a tab), to tell entries and exits apart."""

    __tablename__ = "analytics_visit"
    __table_args__ = (Index("ix_analytics_visit_day", "day"),)

    tab_hash: str = Field(primary_key=True, max_length=32)
    site: str = Field(max_length=SITE_MAX)
    path: str = Field(max_length=PATH_MAX)
    day: date  # the owner's day of that last page view (its exit is counted on that day)
    last_seen: int = Field(sa_column=Column(Integer, nullable=False))  # Unix seconds


class DailyGoalVisitor(SQLModel, table=True):
    """One distinct visitor who reached a goal on a day (the one-day visitor hash), so a goal's
    unique conversions grow once per visitor; deleted after two days like the other hashes."""

    __tablename__ = "analytics_goal_visitor"

    day: date = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    goal: str = Field(primary_key=True, max_length=64)
    visitor_hash: str = Field(primary_key=True, max_length=32)


class MinuteSiteStat(SQLModel, table=True):
    """A site's page views in one minute, for the live "last 30 minutes" chart; rows older than two
    hours are deleted by the hourly job."""

    __tablename__ = "analytics_minute"

    minute: int = Field(primary_key=True)  # Unix time // 60
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    views: int = 0
