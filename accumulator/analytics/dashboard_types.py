"""The shapes the dashboard's state sends to the browser (TypedDicts: plain JSON on the wire)."""

from __future__ import annotations

from typing import TypedDict


class PageRow(TypedDict):
    key: str
    site: str
    path: str
    views: int
    likes: int
    viewing: int
    views_today: int
    time_avg: int  # engaged seconds per page view that reported (-1: none yet)
    time_median: int
    scroll75: int  # % of the page's views that scrolled three quarters of the way
    # … and one number per ExtraColumn, under its key


class ExtraColumn(TypedDict):
    key: str  # the row field (another feature's number per page, e.g. comments)
    label: str


class Reading(TypedDict):
    time_avg: int  # seconds; -1: no page view has reported one
    time_median: int
    timed: int
    scroll25: int  # % of the page views that reported reading
    scroll50: int
    scroll75: int
    scroll100: int


NO_READING: Reading = {"time_avg": -1, "time_median": -1, "timed": 0, "scroll25": 0, "scroll50": 0, "scroll75": 0,
                       "scroll100": 0}  # fmt: skip


class RangeTotals(TypedDict):
    views: int
    visitors: int
    views_before: int  # in the period of the same length just before (-1: none, for all time)
    visitors_before: int


NO_TOTALS: RangeTotals = {"views": 0, "visitors": 0, "views_before": -1, "visitors_before": -1}


class ChartPoint(TypedDict):
    day: str
    views: int
    visitors: int
    previous: int  # views of the same day of the 30 before
    reading: int | None  # the day's average engaged seconds per page view; None: none reported


class HourPoint(TypedDict):
    hour: str  # "09:00" in the owner's zone
    views: int


class MinutePoint(TypedDict):
    minute: str  # "09:41" in the owner's zone
    views: int


class PagesFeed(TypedDict):
    full: bool  # rows is the whole table, not a patch
    base: int  # a patch applies to the table of this version
    version: int
    rows: list[PageRow]
    sent: int  # counts this tab's messages: Reflex's client keeps an equal value as it was, and a
    # repeated message (a second "fetch the table" after a resync) would then never reach the table


class Share(TypedDict):
    value: str
    key: str  # what clicking it filters by (a country's code where value is its name)
    views: int
    share: float


class SharesFeed(TypedDict):
    full: bool  # lists hold every row: the tab starts again from them
    base: int  # a patch applies to the lists of this version (-1: none)
    version: int  # counts this tab's patches
    # By breakdown kind ("browser", "referrer"…), each list that changed: its rows in order, each the
    # place of an equal row in the list the tab has, or the row (analytics/share_patch.py)
    lists: dict[str, list]


class FilterChip(TypedDict):
    dimension: str  # the URL parameter (filters.DIMENSIONS)
    label: str
    value: str
