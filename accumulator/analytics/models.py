"""Counters of the owner's sites: totals per page, and per day what came, from where, on what.

Only counts and salted one-day hashes are stored: never an IP address or a user agent.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from accumulator.db import UTCDateTime

SITE_MAX = 64
PATH_MAX = 512
VALUE_MAX = 128


class PageStat(SQLModel, table=True):
    """All-time totals of one page of one site."""

    __tablename__ = "page_stat"

    site: str = Field(primary_key=True, max_length=SITE_MAX)
    path: str = Field(primary_key=True, max_length=PATH_MAX)
    views: int = 0
    likes: int = 0


class DailyPageStat(SQLModel, table=True):
    """Views and likes of one page on one day of the owner's time zone."""

    __tablename__ = "daily_page_stat"

    day: date = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    path: str = Field(primary_key=True, max_length=PATH_MAX)
    views: int = 0
    likes: int = 0
    visitors: int = 0  # distinct visitors of the page that day, counted as they first come


class DailySiteStat(SQLModel, table=True):
    """A site's views, likes and distinct visitors on one day: the dashboard's chart reads these
    (a few rows per day, whatever the traffic), kept up to date as events are written."""

    __tablename__ = "daily_site_stat"

    day: date = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    views: int = 0
    likes: int = 0
    visitors: int = 0


class HourlySiteStat(SQLModel, table=True):
    """A site's views and likes in one hour ("today by hour"). `hour` is the start of the hour, a
    naive UTC datetime: the reader converts to the owner's time zone.

    Kept from revision 0009 on. Nothing older has hours: the counters before it, and the history
    imported from the original app, hold only days, so they are not in the hours."""

    __tablename__ = "hourly_site_stat"

    hour: NaiveDatetime = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    views: int = 0
    likes: int = 0


class HourlyPageStat(SQLModel, table=True):
    """A page's views and likes in one hour (UTC, naive: see HourlySiteStat), kept from revision 0009 on."""

    __tablename__ = "hourly_page_stat"

    hour: NaiveDatetime = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    path: str = Field(primary_key=True, max_length=PATH_MAX)
    views: int = 0
    likes: int = 0


class DailySiteDimension(SQLModel, table=True):
    """A site's page views on one day by browser, OS, device type or referrer host (the breakdowns)."""

    __tablename__ = "daily_site_dimension"
    # The breakdowns of a range are read from this index alone (alembic 0011).
    __table_args__ = (Index("ix_daily_site_dimension_day_kind_value_views", "day", "kind", "value", "views"),)

    day: date = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    kind: str = Field(primary_key=True, max_length=16)
    value: str = Field(primary_key=True, max_length=VALUE_MAX)
    views: int = 0


class SiteDimensionTotal(SQLModel, table=True):
    """A site's page views of all time by browser, OS, device type or referrer host."""

    __tablename__ = "site_dimension_total"

    site: str = Field(primary_key=True, max_length=SITE_MAX)
    kind: str = Field(primary_key=True, max_length=16)
    value: str = Field(primary_key=True, max_length=VALUE_MAX)
    views: int = 0


class DailySiteVisitor(SQLModel, table=True):
    """One distinct visitor of a site on a day (the salted one-day hash), so that the site's count of
    visitors grows exactly once per visitor, whatever the number of processes writing."""

    __tablename__ = "daily_site_visitor"

    day: date = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    visitor_hash: str = Field(primary_key=True, max_length=32)


class DailyVisitor(SQLModel, table=True):
    """One unique visitor of a page on a day, as a hash that cannot be linked across days.

    The hash mixes a random salt of that day (deleted once the day is over) with site, IP and user
    agent, so nobody, not even the owner, can tell who it was or recognise them the next day.
    """

    __tablename__ = "daily_visitor"

    day: date = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    path: str = Field(primary_key=True, max_length=PATH_MAX)
    visitor_hash: str = Field(primary_key=True, max_length=32)


class DailyDimension(SQLModel, table=True):
    """Page views of a page on a day by browser, OS, device type or referrer host.

    Only the import of the original app's history writes it now: ingestion keeps the breakdowns per
    site (DailySiteDimension, SiteDimensionTotal), which is all the dashboard reads, and a per-page
    row for each of four dimensions was more than half the cost of writing a batch of events."""

    __tablename__ = "daily_dimension"

    day: date = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    path: str = Field(primary_key=True, max_length=PATH_MAX)
    kind: str = Field(primary_key=True, max_length=16)  # browser | os | device | referrer
    value: str = Field(primary_key=True, max_length=VALUE_MAX)
    views: int = 0


class DailySalt(SQLModel, table=True):
    """Today's random salt for visitor hashes; older days' salts are deleted."""

    __tablename__ = "daily_salt"

    day: date = Field(primary_key=True)
    salt: str = Field(max_length=64)


class StreamEntryApplied(SQLModel, table=True):
    """An event from the Redis stream of page views that is counted: written in the same transaction
    as its counts, so an event delivered again (claimed from a consumer that died after committing and
    before acknowledging it, or queued twice by a retried XADD) is recognised and not counted twice.
    Rows older than a day are purged (no entry stays unacknowledged that long)."""

    __tablename__ = "analytics_stream_entry"

    # The key the accepting instance gave the event when it queued it (not Redis's entry id, which
    # a re-queued event would not keep).
    entry_key: str = Field(primary_key=True, max_length=40)
    applied_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


# How people read (engaged time, scroll, entries and exits, goals): tables of their own.
from accumulator.analytics import depth_models as depth_models  # noqa: E402
from accumulator.analytics import journal_models as journal_models  # noqa: E402
from accumulator.analytics import segment_models as segment_models  # noqa: E402
