"""The dashboard's state: a thin copy of what the shared feed computed, plus this tab's choices
(sorting, filter, selected page, date range)."""

from __future__ import annotations

from typing import TypedDict

import reflex as rx
from starlette.concurrency import run_in_threadpool

from accumulator import routes
from accumulator.analytics.feed import RANGES, DashboardFeed
from accumulator.api import get_services
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
    return get_services().dashboard_feed


class DashboardState(OwnerState):
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

    def _apply(self, feed: DashboardFeed) -> None:
        """Copy the feed's current numbers (computed once for every open dashboard) into this tab."""
        snapshot = feed.snapshot()
        self.total_views = snapshot.total_views
        self.visitors_today = snapshot.visitors_today
        self.viewing_now = snapshot.viewing_now
        self.pages = snapshot.pages
        site, _, path = self.selected.partition("|")
        self.chart = feed.chart(site or None, path or None)
        self._show_shares(feed.breakdowns(self.range_key))
        self.loaded = True

    @rx.event
    async def load_dashboard(self):
        if not get_services().settings.dashboard_public and not self._verify_owner():
            return self._login_redirect()
        feed = _feed()
        feed.listeners.add(self.router.session.client_token)
        await feed.refresh_presence()
        await run_in_threadpool(feed.snapshot)  # the first reader may have to query
        self._apply(feed)

    @rx.event
    def sort_by(self, column: str):
        if column not in NUMERIC_COLUMNS + TEXT_COLUMNS:
            return
        if column == self.sort_column:
            self.sort_descending = not self.sort_descending
        else:
            # Numbers start with the biggest, text starts at A.
            self.sort_column = column
            self.sort_descending = column in NUMERIC_COLUMNS

    @rx.event
    def set_query(self, value: str):
        self.query = value[:QUERY_MAX]

    @rx.event
    async def select_page(self, key: str):
        self.selected = "" if key == self.selected else key[:600]
        site, _, path = self.selected.partition("|")
        self.chart = await run_in_threadpool(_feed().chart, site or None, path or None)

    @rx.event
    async def set_range(self, key: str | list[str]):
        if not isinstance(key, str) or key not in RANGES:
            return
        self.range_key = key
        self._show_shares(await run_in_threadpool(_feed().breakdowns, key))


async def refresh_open_dashboards(app: rx.App) -> None:
    """Give every dashboard open in this process the feed's new numbers. Tabs that closed or moved
    to another page are dropped from the list."""
    feed = _feed()
    connected = app.event_namespace.token_to_sid
    for token in list(feed.listeners):
        if token not in connected:
            feed.listeners.discard(token)
            continue
        async with app.modify_state(rx.BaseStateToken(ident=token, cls=DashboardState)) as root:
            if (root.router.url.path.rstrip("/") or "/") != routes.DASHBOARD:
                feed.listeners.discard(token)
                continue
            dashboard = await root.get_state(DashboardState)
            dashboard._apply(feed)
