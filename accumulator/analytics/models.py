"""Counters of the owner's sites: totals per page, and per day what came, from where, on what.

Only counts and salted one-day hashes are stored: never an IP address or a user agent.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel

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
    """Page views of a page on a day by browser, OS, device type or referrer host."""

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
