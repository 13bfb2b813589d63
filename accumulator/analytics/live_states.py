"""The dashboard's live parts, each a state of its own under DashboardState (which fills them):
a tab redraws whatever reads a state whenever any of its values changes, so what moves with every
page view (the totals and the pages table) and what moves every few seconds (the charts) are kept
apart from the rest (filters, breakdowns, range controls) and from each other. Their methods are
private, but for the pages table's resync: a public one is an event handler anyone can call."""

from __future__ import annotations

import reflex as rx

from accumulator.analytics import actions
from accumulator.analytics.dashboard_types import ChartPoint, HourPoint, MinutePoint, PageRow, PagesFeed
from accumulator.analytics.feed import Snapshot
from accumulator.analytics.state import DashboardState, dashboard
from accumulator.runtime import get_services, off_loop
from accumulator.ui.owner import short_name


class DashboardCharts(DashboardState):
    """The charts, in a state of their own: a tab redraws what reads a state whenever any of its
    values changes, and the charts (most of what a redraw cost) change only every few seconds
    under traffic (feed.charts_cadence), not with every push of the numbers. Its methods are private
    (a public one would be an event handler anyone could call): DashboardState fills it."""

    get_name = short_name("charts")

    chart_past: list[ChartPoint] = []
    chart_today: list[ChartPoint] = []  # one point, or none
    hours_past: list[HourPoint] = []  # today by hour, before this hour (changes once an hour)
    hour_now: list[HourPoint] = []  # this hour: one point, or none
    minutes_past: list[MinutePoint] = []  # the 29 minutes before this one (change once a minute)
    minute_now: list[MinutePoint] = []  # this minute

    @rx.var
    def chart_change(self) -> str:
        """The chart's views against the 30 days before: "1,234 views, +12% on the 30 days before"."""
        points = self.chart_past + self.chart_today
        now, before = sum(p["views"] for p in points), sum(p["previous"] for p in points)
        if not before:
            return f"{now:,} views" + ("" if not now else ", none in the 30 days before")
        return f"{now:,} views, {100 * (now - before) / before:+.0f}% on the 30 days before"

    def _show_chart(self, points: list[ChartPoint]) -> None:
        self._set("chart_past", points[:-1])
        self._set("chart_today", points[-1:])

    def _show_hours(self, points: list[HourPoint]) -> None:
        self._set("hours_past", points[:-1])
        self._set("hour_now", points[-1:])

    def _show_minutes(self, points: list[MinutePoint]) -> None:
        self._set("minutes_past", points[:-1])
        self._set("minute_now", points[-1:])


class DashboardNumbers(DashboardState):
    """The numbers that move with every page view (the totals and the pages table), in a state of
    their own, as the charts are: a push redraws what reads them, not the rest of the dashboard
    (filters, breakdowns, range controls), which changes far less often. DashboardState fills it."""

    get_name = short_name("numbers")

    total_views: int = 0
    visitors_today: int = 0
    viewing_now: int = 0
    page_count: int = 0
    pages_feed: PagesFeed = {"full": False, "base": -1, "version": -1, "rows": [], "sent": 0}
    _pages_version: int = -1  # the table version this tab was last sent

    def _show(self, snapshot: Snapshot, rows: list[PageRow] | None, *, since: int) -> None:
        self._set("total_views", snapshot.total_views)
        self._set("visitors_today", snapshot.visitors_today)
        self._set("viewing_now", snapshot.viewing_now)
        self._set("page_count", len(snapshot.pages))
        self._send_pages(snapshot, rows, since=since)

    def _send_pages(self, snapshot: Snapshot, rows: list[PageRow] | None, *, since: int) -> None:
        sent = self.pages_feed["sent"] + 1
        if rows is None:  # the browser fetches the whole table itself (routes.DASHBOARD_PAGES)
            self.pages_feed = {"full": True, "base": -1, "version": snapshot.version, "rows": [], "sent": sent}
        elif rows or since != self._pages_version:
            self.pages_feed = {"full": False, "base": since, "version": snapshot.version, "rows": rows, "sent": sent}
        else:
            return  # nothing changed on any page
        self._pages_version = snapshot.version

    @dashboard
    async def pages_resync(self, version: int):
        """The browser has the table of `version` and missed a patch: send what it lacks."""
        snapshot, patch = await off_loop(actions.feed(get_services()).page_patch, since=version)
        self._send_pages(snapshot, patch, since=version)
