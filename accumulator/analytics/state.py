"""The dashboard's state: a thin copy of what the shared feed computed, plus this tab's choices
(sorting, filter, selected page, date range).

Only what changed is sent to a tab: the pages table travels as a patch (`pages_feed`: the rows
changed since the version the tab has), which the `LivePages` component merges into the rows it
keeps in the browser; a tab that has no table (or one too old) is told to fetch the whole one over
HTTP, so the state never holds it; the breakdowns as a patch too (`shares_feed`: the places of each
list that changed, merged by `LiveShares`); the chart as the past days (which change once a day) and
today; everything else only when its value changed."""

from __future__ import annotations

import json
from typing import Annotated, ClassVar
from urllib.parse import parse_qsl

import reflex as rx

from accumulator.analytics import actions, filters
from accumulator.analytics.dashboard_types import (
    NO_READING,
    NO_TOTALS,
    ExtraColumn,
    FilterChip,
    RangeTotals,
    Reading,
    Share,
    SharesFeed,
)
from accumulator.analytics.feed import DashboardFeed
from accumulator.analytics.range_view import RANGES, range_bounds
from accumulator.analytics.share_patch import share_patch
from accumulator.analytics.topics import DASHBOARD_TOPIC, DashboardRefreshed
from accumulator.runtime import get_services, off_loop
from accumulator.settings import Settings
from accumulator.ui.access import MaxLength, owner
from accumulator.ui.live import follow
from accumulator.ui.owner import OwnerState, short_name

NUMERIC_COLUMNS = ("views", "likes", "viewing", "views_today", "time_avg", "time_median", "scroll75")
TEXT_COLUMNS = ("site", "path")
QUERY_MAX = 200
SHARE_KINDS = (
    "browser", "os", "device", "referrer", "country", "utm_source", "utm_medium", "utm_campaign", "entry", "exit",
    "goal",
)  # fmt: skip


def _live_states() -> tuple[type, type]:
    # DashboardState's substates, defined after it (in analytics/live_states.py).
    from accumulator.analytics.live_states import DashboardCharts, DashboardNumbers

    return DashboardCharts, DashboardNumbers


def _feed() -> DashboardFeed:
    return actions.feed(get_services())


def _extra_columns() -> list[ExtraColumn]:
    return [{"key": count.key, "label": count.label} for count in get_services().page_counts]


def _public(settings: Settings) -> bool:
    return settings.dashboard_public


# The dashboard is the owner's unless DASHBOARD_PUBLIC opens it to everyone (as the original app did).
dashboard = owner(public_if=_public)


class DashboardState(OwnerState):
    follows: ClassVar[tuple] = (DASHBOARD_TOPIC,)

    get_name = short_name("dashboard")

    extra_columns: list[ExtraColumn] = []
    _charts_epoch: int = -1  # the feed's chart epoch this tab was last sent (feed.charts_cadence)
    # The breakdowns (browsers, referrers, goals…) as patches to the lists the browser keeps
    # (analytics/share_patch.py, assets/live_shares.jsx); goals count distinct visitors, their share
    # being of the range's visitors (conversion).
    shares_feed: SharesFeed = {"full": False, "base": -1, "version": -1, "lists": {}}
    _shares_shown: dict[str, list[Share]] = {}  # the lists this tab has been sent ({}: none yet)
    reading: Reading = NO_READING
    totals: RangeTotals = NO_TOTALS
    range_error: str = ""
    sort_column: str = "views"
    sort_descending: bool = True
    query: str = ""
    selected: str = ""  # "site|path" of the page the chart shows, "" for all pages
    range_key: str = "30"
    loaded: bool = False
    # Filters (analytics/filters.py): kept in the URL query, so a filtered view can be bookmarked.
    _filters: tuple[tuple[str, str], ...] = ()
    filter_chips: list[FilterChip] = []
    narrowed: bool = False  # the pages table shows only `narrow`'s pages
    narrow: dict[str, int] = {}  # page key -> its views in the range matching the filters
    unfiltered: list[str] = []  # the cards the filters cannot narrow (filtered_view.py)
    filter_since: str = ""  # the first day of joint data: filtered counts start there
    dashboard_query: str = "range=30"  # the URL query of this view (export links carry it too)

    @rx.var
    def chart_title(self) -> str:
        if not self.selected:
            return "All pages"
        site, _, path = self.selected.partition("|")
        return f"{site} {path}"

    def _set(self, name: str, value: object) -> None:
        # Assigning marks a var for sending even when equal: unchanged values stay unsent.
        if getattr(self, name) != value:
            setattr(self, name, value)

    def _show_shares(self, shares: dict[str, list[Share]]) -> None:
        lists = {kind: shares[kind] for kind in SHARE_KINDS}
        changes = share_patch(self._shares_shown, lists)
        if changes:
            version, full = self.shares_feed["version"] + 1, not self._shares_shown
            base = -1 if full else self.shares_feed["version"]
            self.shares_feed = {"full": full, "base": base, "version": version, "lists": changes}
            self._shares_shown = lists
        self._set("reading", (shares.get("reading") or [NO_READING])[0])
        self._set("totals", (shares.get("totals") or [NO_TOTALS])[0])

    @rx.var
    def range_summary(self) -> str:
        """The range's views and visitors, and the change from the period of the same length before."""
        totals = self.totals

        def change(now: int, before: int) -> str:
            if before < 0:
                return ""
            if before == 0:
                return " (none before)" if now else ""
            return f" ({100 * (now - before) / before:+.0f}%)"

        text = f"{totals['views']:,} views{change(totals['views'], totals['views_before'])}, "
        if totals["visitors"] < 0:  # distinct visitors cannot be split by this filter (filtered_view.py)
            text += "visitors not split by these filters"
        else:
            text += f"{totals['visitors']:,} visitors{change(totals['visitors'], totals['visitors_before'])}"
        return text + (" on the period before" if totals["views_before"] >= 0 else "")

    async def _apply(self, feed: DashboardFeed, *, whole: bool = False) -> None:
        """Copy what changed in the feed's numbers (computed once for every open dashboard) into this tab."""
        charts_state, numbers_state = _live_states()
        numbers = await self.get_state(numbers_state)
        site, _, path = self.selected.partition("|")
        since = -1 if whole else numbers._pages_version
        if whole:
            self._shares_shown = {}  # a tab opening (or opened again): its breakdowns come whole
        # One trip off the loop; the first reader after a change may have to query.
        view = await off_loop(feed.view, since=since, site=site or None, path=path or None, range_key=self.range_key)
        # Filtered: one more read, shared by every tab with the same range and filters; an
        # unfiltered dashboard never makes it.
        chosen = await off_loop(feed.filtered, range_key=self.range_key, filters=self._filters) if self._filters else {}
        numbers._show(view.snapshot, view.patch, since=since)
        if whole or chosen or self._charts_epoch != feed.charts_cadence.epoch:  # charts: a slower beat
            self._charts_epoch = feed.charts_cadence.epoch
            charts = await self.get_state(charts_state)
            charts._show_chart(chosen.get("chart") or view.chart)
            charts._show_hours(chosen.get("hours") or view.hours)
            charts._show_minutes(view.minutes)
        self._show_shares(chosen.get("shares") or view.shares)
        self._show_filtered(chosen)
        self._set("loaded", True)

    def _show_filtered(self, chosen: dict) -> None:
        if not chosen and not self.filter_chips and self.dashboard_query == filters.query(self.range_key, ()):
            return  # unfiltered, and was: the live path of an unfiltered dashboard does nothing more
        self._set("filter_chips", filters.chips(self._filters))
        pages = chosen.get("pages")
        self._set("narrowed", pages is not None)
        self._set("narrow", pages or {})
        self._set("unfiltered", chosen.get("unfiltered", []))
        self._set("filter_since", chosen.get("since", ""))
        self._set("dashboard_query", filters.query(self.range_key, self._filters))

    def _keep_in_url(self):
        """Show this view's range and filters in the address bar (no navigation: nothing reloads)."""
        address = json.dumps("?" + filters.query(self.range_key, self._filters))
        return rx.call_script(f"window.history.replaceState(null, '', window.location.pathname + {address})")

    def _from_url(self) -> None:
        """The range and filters of the address the dashboard was opened at (a bookmark)."""
        try:
            pairs = parse_qsl(str(self.router.url.query or ""), max_num_fields=len(filters.DIMENSIONS) + 4)
        except ValueError:  # more parameters than any dashboard address has
            return
        range_key = dict(pairs).get("range", "30")
        try:
            range_bounds(range_key, _feed().today())
        except ValueError:
            range_key = "30"
        self.range_key = range_key
        self._filters = filters.from_pairs(pairs)

    async def _filters_changed(self):
        await self._apply(_feed())
        return self._keep_in_url()

    @dashboard
    async def add_filter(
        self, dimension: Annotated[str, MaxLength(16)], value: Annotated[str, MaxLength(filters.VALUE_LONGEST)]
    ):
        """Narrow the whole dashboard to a value clicked (an entry or exit page filters by its page)."""
        pairs = [(dimension, value)]
        if dimension in ("entry", "exit"):  # "/path", or "site /path" when there are several sites
            site, _, path = value.partition(" ") if not value.startswith("/") else ("", "", value)
            pairs = [("page", path), *([("site", site)] if site else [])]
        chosen = self._filters
        try:
            for name, text in pairs:
                chosen = filters.with_filter(chosen, *filters.check(name, text))
        except filters.BadFilter:
            return  # not a value the dashboard counts (anyone can send anything here)
        self._filters = chosen
        return await self._filters_changed()

    @dashboard
    async def filter_page(self, key: Annotated[str, MaxLength(filters.VALUE_LONGEST)]):
        """Narrow the dashboard to one page of the pages table ("site|path")."""
        return await self._filter_page(key)

    async def _filter_page(self, key: str):
        site, _, path = key.partition("|")
        try:
            chosen = filters.with_filter(self._filters, *filters.check("site", site))
            chosen = filters.with_filter(chosen, *filters.check("page", path))
        except filters.BadFilter:
            return
        self._filters = chosen
        return await self._filters_changed()

    @dashboard
    async def remove_filter(self, dimension: Annotated[str, MaxLength(16)]):
        self._filters = filters.without(self._filters, dimension)
        return await self._filters_changed()

    async def _on_change(self, message: DashboardRefreshed) -> None:
        await self._apply(_feed())

    @staticmethod
    def _on_gone(token: str) -> None:
        _feed().listeners.discard(token)

    @staticmethod
    def _on_delivered(seconds: float) -> None:
        _feed().delivered(seconds)

    @dashboard
    async def load_dashboard(self):
        feed = _feed()
        feed.listeners.add(self.router.session.client_token)
        svc = get_services()
        follow(self, visitors=svc.settings.dashboard_public)
        self._set("extra_columns", _extra_columns())
        await feed.refresh_presence()
        self._from_url()
        await self._apply(feed, whole=True)

    @dashboard
    async def shares_resync(self):
        """The browser's breakdowns do not follow from the patch it was sent: send them whole."""
        self._shares_shown = {}
        await self._apply(_feed())

    @dashboard
    async def sort_by(self, column: Annotated[str, MaxLength(32)]):
        extra = tuple(count["key"] for count in _extra_columns())
        if column not in NUMERIC_COLUMNS + TEXT_COLUMNS + extra:
            return
        if column == self.sort_column:
            self.sort_descending = not self.sort_descending
        else:
            # Numbers start with the biggest, text starts at A.
            self.sort_column = column
            self.sort_descending = column not in TEXT_COLUMNS

    @dashboard
    async def set_query(self, value: Annotated[str, MaxLength(QUERY_MAX * 10)]):
        self.query = value[:QUERY_MAX]

    @dashboard
    async def select_page(self, key: Annotated[str, MaxLength(600)]):
        if self._filters and key:  # a filtered chart shows the filters: a page clicked becomes one
            return await self._filter_page(key)
        self.selected = "" if key == self.selected else key
        site, _, path = self.selected.partition("|")
        feed = _feed()
        charts = await self.get_state(_live_states()[0])
        charts._show_chart(await off_loop(feed.chart, site=site or None, path=path or None))
        charts._show_hours(await off_loop(feed.hours, site=site or None, path=path or None))

    @dashboard
    async def set_range(self, key: str | list[str]):
        if not isinstance(key, str) or key not in RANGES:
            return
        self.range_key = key
        self.range_error = ""
        if self._filters:
            return await self._filters_changed()
        self._show_shares(await off_loop(_feed().breakdowns, range_key=key))
        self._set("dashboard_query", filters.query(key, self._filters))
        return self._keep_in_url()

    @dashboard
    async def set_custom_range(self, form: dict):
        """Any two days (the date inputs' values, YYYY-MM-DD)."""
        first, last = form.get("from"), form.get("to")
        if not (isinstance(first, str) and isinstance(last, str) and len(first) == len(last) == 10):
            self.range_error = "Choose a first and a last day."
            return
        key = f"{first}..{last}"
        feed = _feed()
        try:
            range_bounds(key, feed.today())
        except ValueError as error:
            self.range_error = str(error)
            return
        self.range_key, self.range_error = key, ""
        if self._filters:
            return await self._filters_changed()
        self._show_shares(await off_loop(feed.breakdowns, range_key=key))
        self._set("dashboard_query", filters.query(key, self._filters))
        return self._keep_in_url()
