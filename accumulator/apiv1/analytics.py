"""`/api/v1` for analytics: the headline numbers, the pages, a daily series and the breakdowns.
Read from analytics/reads.py, which serves them from the dashboard's shared feed and rollups."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from accumulator.analytics import reads
from accumulator.analytics.range_view import RANGES
from accumulator.apiv1.contract import Call, Operation
from accumulator.apiv1.shapes import Listing, Loose, Page, Text, offset_page

Range = Literal[tuple(RANGES)]  # type: ignore[misc]


class SummaryOut(BaseModel):
    today: dt.date = Field(description="The owner's today (TIMEZONE).")
    total_views: int = Field(description="Page views of every page, all time.")
    visitors_today: int = Field(description="Distinct visitors today.")
    reading_now: int = Field(description="Visitors with a page open now.")
    pages: int = Field(description="Pages counted.")


class PageOut(BaseModel):
    site: str
    path: str
    views: int
    likes: int
    views_today: int
    reading_now: int


class PagesQuery(Page):
    site: Text(100, single_line=True) | None = Field(None, description="Only this site's pages.")


class DayOut(BaseModel):
    day: dt.date
    views: int
    visitors: int


class DailyOut(BaseModel):
    days: list[DayOut] = Field(description="Oldest first, days without views included.")


class DailyQuery(Loose):
    days: int = Field(30, ge=1, le=366, description="How many days, ending today.")
    site: Text(100, single_line=True) | None = Field(None, description="Only this site.")
    path: Text(2048, single_line=True) | None = Field(None, description="Only this page path.")


class ShareOut(BaseModel):
    value: str
    views: int
    share: float = Field(description="Percent of the views listed.")


class BreakdownsOut(BaseModel):
    range: Range
    browser: list[ShareOut]
    os: list[ShareOut]
    device: list[ShareOut]
    referrer: list[ShareOut]


class BreakdownsQuery(Loose):
    range: Range = Field("30", description="Days back (7, 30, 90) or all time.")


async def summary(call: Call) -> dict[str, Any]:
    snapshot = await reads.summary(call.svc)
    return {
        "today": snapshot.today,
        "total_views": snapshot.total_views,
        "visitors_today": snapshot.visitors_today,
        "reading_now": snapshot.viewing_now,
        "pages": len(snapshot.pages),
    }


async def pages(call: Call) -> dict[str, Any]:
    snapshot = await reads.summary(call.svc)
    site = call.query.site
    rows = sorted(
        (row for row in snapshot.pages if site is None or row["site"] == site),
        key=lambda row: (-row["views"], row["site"], row["path"]),
    )
    items = [
        {
            "site": row["site"],
            "path": row["path"],
            "views": row["views"],
            "likes": row["likes"],
            "views_today": row["views_today"],
            "reading_now": row["viewing"],
        }
        for row in rows
    ]
    return offset_page(items, call.query)


async def daily(call: Call) -> dict[str, Any]:
    query: DailyQuery = call.query
    points = await reads.daily(call.svc, days=query.days, site=query.site, path=query.path)
    return {"days": [{"day": p.day, "views": p.views, "visitors": p.visitors} for p in points]}


async def breakdowns(call: Call) -> dict[str, Any]:
    shares = await reads.breakdowns(call.svc, range_key=call.query.range)
    kinds = ("browser", "os", "device", "referrer")
    return {"range": call.query.range, **{kind: shares.get(kind, []) for kind in kinds}}


OPERATIONS = [
    Operation(
        "GET",
        "/analytics/summary",
        "analyticsSummary",
        "Views, visitors today, reading now",
        "analytics",
        "read",
        summary,
        answer=SummaryOut,
    ),
    Operation(
        "GET",
        "/analytics/pages",
        "analyticsPages",
        "Pages by views",
        "analytics",
        "read",
        pages,
        answer=Listing[PageOut],
        query=PagesQuery,
    ),
    Operation(
        "GET",
        "/analytics/daily",
        "analyticsDaily",
        "Views and visitors per day",
        "analytics",
        "read",
        daily,
        answer=DailyOut,
        query=DailyQuery,
    ),
    Operation(
        "GET",
        "/analytics/breakdowns",
        "analyticsBreakdowns",
        "Browsers, systems, devices, referrers",
        "analytics",
        "read",
        breakdowns,
        answer=BreakdownsOut,
        query=BreakdownsQuery,
    ),
]
