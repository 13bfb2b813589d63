"""The live dashboard: totals, pages, a 30-day chart, devices and referrers."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.analytics.chart_pages import chart_card, recent_charts
from accumulator.analytics.dashboard_types import PagesFeed
from accumulator.analytics.export_links import export_link
from accumulator.analytics.filter_bar import filter_bar
from accumulator.analytics.live_states import DashboardNumbers
from accumulator.analytics.range_pages import audience_section
from accumulator.analytics.state import DashboardState
from accumulator.settings import get_settings
from accumulator.ui import theme
from accumulator.ui.layout import page, page_header


def stat_card(label: str, value: rx.Var, icon: str, element_id: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon(icon, size=20, color=rx.color(theme.ACCENT, 10)),
            rx.text(label, size="2", color_scheme="gray"),
            align="center",
        ),
        rx.heading(value, size="8", id=element_id, margin_top=theme.space(2)),
        flex="1",
        min_width="160px",
    )


def live_badge() -> rx.Component:
    return rx.badge(
        rx.box(width="8px", height="8px", border_radius="50%", background=rx.color("grass", 9)),
        "Live",
        color_scheme="grass",
        variant="soft",
        size="2",
    )


def sortable_header(label: str | rx.Var[str], column: str | rx.Var[str], numeric: bool) -> rx.Component:
    arrow = rx.cond(
        DashboardState.sort_column == column,
        # Two fixed icons, not one named by a var: that would load lucide's map of every icon.
        rx.cond(DashboardState.sort_descending, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
        rx.box(width="14px"),
    )
    return rx.table.column_header_cell(
        rx.hstack(label, arrow, spacing="1", align="center", justify="end" if numeric else "start", width="100%"),
        on_click=DashboardState.sort_by(column),
        cursor="pointer",
        user_select="none",
        aria_sort=rx.cond(
            DashboardState.sort_column == column,
            rx.cond(DashboardState.sort_descending, "descending", "ascending"),
            "none",
        ),
        class_name=f"sort-{column}",
    )


class LivePages(rx.Component):
    """The pages table's rows, kept in the browser and patched with what changed (assets/live_pages.jsx)."""

    library = "$/public/live_pages.jsx"
    tag = "LivePages"

    feed: rx.Var[PagesFeed]
    sort_column: rx.Var[str]
    descending: rx.Var[bool]
    query: rx.Var[str]
    selected: rx.Var[str]
    on_select: rx.EventHandler[lambda key: [key]]
    source: rx.Var[str]  # where the whole table is fetched from
    on_resync: rx.EventHandler[lambda version: [version]]
    columns: rx.Var[list[str]]  # other features' numbers per page (comments…), after the table's own
    narrow: rx.Var[dict[str, int]]  # with filters: the pages shown, with their matching views
    narrowed: rx.Var[bool]
    on_filter: rx.EventHandler[lambda key: [key]]


def live_rows() -> rx.Component:
    return LivePages.create(
        feed=DashboardNumbers.pages_feed,
        sort_column=DashboardState.sort_column,
        descending=DashboardState.sort_descending,
        query=DashboardState.query,
        selected=DashboardState.selected,
        on_select=DashboardState.select_page,
        source=routes.DASHBOARD_PAGES,
        on_resync=DashboardNumbers.pages_resync,
        columns=DashboardState.extra_columns.map(lambda column: column["key"]),
        narrow=DashboardState.narrow,
        narrowed=DashboardState.narrowed,
        on_filter=DashboardState.filter_page,
    )


def pages_table() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.heading("Pages", size="4"),
            export_link("pages"),
            rx.spacer(),
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                placeholder="Filter pages",
                value=DashboardState.query,
                on_change=DashboardState.set_query,
                max_length=200,
                id="page-filter",
                width=["100%", "240px"],
            ),
            align="center",
            wrap="wrap",
            width="100%",
            margin_bottom=theme.space(3),
        ),
        rx.scroll_area(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        sortable_header("Site", "site", False),
                        sortable_header("Path", "path", False),
                        sortable_header("Views", "views", True),
                        rx.cond(
                            DashboardState.narrowed,
                            rx.table.column_header_cell(
                                "Matching", text_align="right", title="Views in the range matching the filters"
                            ),
                        ),
                        sortable_header("Likes", "likes", True),
                        sortable_header("Viewing", "viewing", True),
                        sortable_header("Today", "views_today", True),
                        sortable_header("Avg time", "time_avg", True),
                        sortable_header("Median", "time_median", True),
                        sortable_header("Scroll ¾", "scroll75", True),
                        rx.foreach(
                            DashboardState.extra_columns,
                            lambda column: sortable_header(column["label"], column["key"], True),
                        ),
                    )
                ),
                rx.table.body(
                    live_rows(),
                    style={
                        "& .page-row:hover": {"background": rx.color("gray", 3)},
                        "& .page-row[data-selected='true']": {"background": rx.color(theme.ACCENT, 3)},
                    },
                ),
                size="2",
                width="100%",
                id="pages-table",
                data_version=DashboardNumbers.pages_feed["version"],  # -1 until the dashboard has loaded
            ),
            type="auto",
            scrollbars="horizontal",
        ),
        rx.cond(
            DashboardNumbers.page_count == 0,
            rx.text(
                "No page views yet. Add the tracker to your site: ",
                rx.code('<script defer src="…/js/tracker.js" data-site="blog"></script>'),
                color_scheme="gray",
                size="2",
            ),
        ),
        width="100%",
    )


@page(
    route=routes.DASHBOARD,
    title="Dashboard",
    owner_only=not get_settings().dashboard_public,
    on_load=[DashboardState.load_dashboard],
)
def dashboard_page() -> rx.Component:
    return rx.vstack(
        page_header("Dashboard", live_badge()),
        rx.flex(
            stat_card("Page views", DashboardNumbers.total_views, "eye", "total-views"),
            stat_card("Unique visitors today", DashboardNumbers.visitors_today, "users", "visitors-today"),
            stat_card("Viewing now", DashboardNumbers.viewing_now, "radio", "viewing-now"),
            wrap="wrap",
            gap=theme.space(3),
            width="100%",
        ),
        filter_bar(),
        chart_card(),
        recent_charts(),
        pages_table(),
        audience_section(),
        spacing="4",
        width="100%",
    )
