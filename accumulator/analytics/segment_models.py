"""The joint rollup behind the dashboard's filters (analytics/segments.py): page views per day of
each combination of page, referrer, country and agent, and campaign, that occurred.

The per-kind rollups (DailySiteDimension) cannot say "the browsers of visits from referrer X";
this table can, for any AND of filters. Kept from revision 0019 on: nothing older has the joint
values, so a filtered view counts only page views written since."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from accumulator.analytics.models import PATH_MAX, SITE_MAX, VALUE_MAX

# The columns a filter can name, in the order the segment key hashes them.
SEGMENT_FIELDS = ("path", "referrer", "country", "browser", "os", "device", "utm_source", "utm_medium", "utm_campaign")


class DailySegment(SQLModel, table=True):
    __tablename__ = "analytics_daily_segment"
    # A page filter (the most common) reads its page's rows alone, not every row of the range.
    __table_args__ = (Index("ix_analytics_daily_segment_path_day", "path", "day"),)

    day: date = Field(primary_key=True)
    site: str = Field(primary_key=True, max_length=SITE_MAX)
    # A hash of the other columns: a primary key over all of them (up to ~1,600 characters) would
    # pass PostgreSQL's limit on the size of an index entry, and makes every upsert compare them all.
    segment: str = Field(primary_key=True, max_length=32)
    path: str = Field(max_length=PATH_MAX)
    referrer: str = Field(max_length=VALUE_MAX)
    country: str = Field(max_length=VALUE_MAX)
    browser: str = Field(max_length=VALUE_MAX)
    os: str = Field(max_length=VALUE_MAX)
    device: str = Field(max_length=VALUE_MAX)
    utm_source: str = Field(max_length=VALUE_MAX)
    utm_medium: str = Field(max_length=VALUE_MAX)
    utm_campaign: str = Field(max_length=VALUE_MAX)
    views: int = 0
