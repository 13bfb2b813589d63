"""The dashboard's charts: the last 30 days, and today by hour and by minute (assets/live_chart.jsx)."""

from __future__ import annotations

import reflex as rx

from accumulator.analytics.filter_bar import not_filtered
from accumulator.analytics.live_states import DashboardCharts
from accumulator.analytics.state import DashboardState
from accumulator.ui import theme


class LiveChart(rx.Component):
    """Lines, areas or bars over a list of points, drawn as SVG in the browser."""

    library = "$/public/live_chart.jsx"
    tag = "LiveChart"

    data: rx.Var[list[dict]]
    x_key: rx.Var[str]  # the points' label (a day, an hour, a minute)
    # Each drawn in order: {key, name, color, kind: "area" | "line" | "bar", fill, dashed, right}.
    series: rx.Var[list[dict]]
    height: rx.Var[int]
    right_unit: rx.Var[str]  # after the numbers of the right-hand axis
    legend: rx.Var[bool]


DAYS_SERIES = [
    {"key": "views", "name": "Views", "kind": "area", "color": rx.color(theme.ACCENT, 9),
     "fill": rx.color(theme.ACCENT, 5)},
    {"key": "visitors", "name": "Visitors", "kind": "area", "color": rx.color("grass", 9),
     "fill": rx.color("grass", 4)},
    {"key": "previous", "name": "Views, 30 days before", "kind": "line", "color": rx.color("gray", 9),
     "dashed": True},
    {"key": "reading", "name": "Avg reading time (s)", "kind": "line", "color": rx.color("amber", 9),
     "right": True},
]  # fmt: skip


def chart_card() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.heading("Last 30 days", size="4"),
            not_filtered("visitors"),
            rx.badge(DashboardState.chart_title, variant="soft", id="chart-title"),
            rx.cond(
                DashboardState.selected != "",
                rx.button("Show all pages", size="1", variant="ghost", on_click=DashboardState.select_page("")),
            ),
            rx.spacer(),
            rx.text(DashboardCharts.chart_change, size="2", color_scheme="gray", id="chart-change"),
            align="center",
            wrap="wrap",
            width="100%",
        ),
        LiveChart.create(
            data=DashboardCharts.chart_past + DashboardCharts.chart_today,
            x_key="day",
            series=DAYS_SERIES,
            height=260,
            right_unit="s",
            legend=True,
        ),
        width="100%",
        id="days-card",
    )


def bars_card(title: str, key: str, data: rx.Var, element_id: str) -> rx.Component:
    return rx.card(
        rx.hstack(rx.heading(title, size="4"), not_filtered(element_id.removesuffix("-card")), align="center"),
        LiveChart.create(
            data=data,
            x_key=key,
            series=[{"key": "views", "name": "Views", "kind": "bar", "color": rx.color(theme.ACCENT, 8)}],
            height=180,
        ),
        flex="1",
        min_width="280px",
        id=element_id,
    )


def recent_charts() -> rx.Component:
    return rx.flex(
        bars_card("Last 30 minutes", "minute", DashboardCharts.minutes_past + DashboardCharts.minute_now,
                  "minutes-card"),
        bars_card("Today by hour", "hour", DashboardCharts.hours_past + DashboardCharts.hour_now, "hours-card"),
        wrap="wrap",
        gap=theme.space(3),
        width="100%",
    )  # fmt: skip
