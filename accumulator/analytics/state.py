"""The dashboard's state: a thin copy of what the shared feed computed, plus this tab's choices
(sorting, filter, selected page, date range)."""

from __future__ import annotations

from typing import Annotated, ClassVar, TypedDict

import reflex as rx

from accumulator.analytics import actions
from accumulator.analytics.feed import RANGES, DashboardFeed
from accumulator.analytics.topics import DASHBOARD_TOPIC, DashboardRefreshed
from accumulator.runtime import get_services, off_loop
from accumulator.settings import Settings
from accumulator.ui.access import MaxLength, owner
from accumulator.ui.live import follow
from accumulator.ui.owner import OwnerState

NUMERIC_COLUMNS = ("views", "likes", "viewing", "views_today")
TEXT_COLUMNS = ("site", "path")
QUERY_MAX = 200


class PageRow(TypedDict):
    key: str
    site: str
    path: str
    views: int
    likes: int
    viewing: int
    views_today: int


class ChartPoint(TypedDict):
    day: str
    views: int
    visitors: int


class Share(TypedDict):
    value: str
    views: int
    share: float


def _feed() -> DashboardFeed:
    return actions.feed(get_services())


def _public(settings: Settings) -> bool:
    return settings.dashboard_public


# The dashboard is the owner's unless DASHBOARD_PUBLIC opens it to everyone (as the original app did).
dashboard = owner(public_if=_public)


class DashboardState(OwnerState):
    follows: ClassVar[tuple] = (DASHBOARD_TOPIC,)

    total_views: int = 0
    visitors_today: int = 0
    viewing_now: int = 0
    pages: list[PageRow] = []
    chart: list[ChartPoint] = []
    browsers: list[Share] = []
    systems: list[Share] = []
    devices: list[Share] = []
    referrers: list[Share] = []
    sort_column: str = "views"
    sort_descending: bool = True
    query: str = ""
    selected: str = ""  # "site|path" of the page the chart shows, "" for all pages
    range_key: str = "30"
    loaded: bool = False

    @rx.var
    def visible_pages(self) -> list[PageRow]:
        needle = self.query.strip().lower()
        rows = [row for row in self.pages if not needle or needle in f"{row['site']} {row['path']}".lower()]
        column = self.sort_column
        if column in TEXT_COLUMNS:
            return sorted(rows, key=lambda row: (str(row[column]).lower(), row["path"]), reverse=self.sort_descending)
        return sorted(rows, key=lambda row: (row[column], row["path"]), reverse=self.sort_descending)

    @rx.var
    def chart_title(self) -> str:
        if not self.selected:
            return "All pages"
        site, _, path = self.selected.partition("|")
        return f"{site} {path}"

    def _show_shares(self, shares: dict[str, list[Share]]) -> None:
        self.browsers, self.systems = shares["browser"], shares["os"]
        self.devices, self.referrers = shares["device"], shares["referrer"]

    async def _apply(self, feed: DashboardFeed) -> None:
        """Copy the feed's current numbers (computed once for every open dashboard) into this tab."""
        snapshot = await off_loop(feed.snapshot)  # the first reader after a change may have to query
        self.total_views = snapshot.total_views
        self.visitors_today = snapshot.visitors_today
        self.viewing_now = snapshot.viewing_now
        self.pages = snapshot.pages
        site, _, path = self.selected.partition("|")
        self.chart = await off_loop(feed.chart, site=site or None, path=path or None)
        self._show_shares(await off_loop(feed.breakdowns, range_key=self.range_key))
        self.loaded = True

    async def _on_change(self, message: DashboardRefreshed) -> None:
        await self._apply(_feed())

    @staticmethod
    def _on_gone(token: str) -> None:
        _feed().listeners.discard(token)

    @dashboard
    async def load_dashboard(self):
        feed = _feed()
        feed.listeners.add(self.router.session.client_token)
        follow(self, visitors=get_services().settings.dashboard_public)
        await feed.refresh_presence()
        await self._apply(feed)

    @dashboard
    async def sort_by(self, column: Annotated[str, MaxLength(32)]):
        if column not in NUMERIC_COLUMNS + TEXT_COLUMNS:
            return
        if column == self.sort_column:
            self.sort_descending = not self.sort_descending
        else:
            # Numbers start with the biggest, text starts at A.
            self.sort_column = column
            self.sort_descending = column in NUMERIC_COLUMNS

    @dashboard
    async def set_query(self, value: Annotated[str, MaxLength(QUERY_MAX * 10)]):
        self.query = value[:QUERY_MAX]

    @dashboard
    async def select_page(self, key: Annotated[str, MaxLength(600)]):
        self.selected = "" if key == self.selected else key
        site, _, path = self.selected.partition("|")
        self.chart = await off_loop(_feed().chart, site=site or None, path=path or None)

    @dashboard
    async def set_range(self, key: str | list[str]):
        if not isinstance(key, str) or key not in RANGES:
            return
        self.range_key = key
        self._show_shares(await off_loop(_feed().breakdowns, range_key=key))
