"""The dashboard's filters as chips above the chart, each with a remove button, and what the
filters cannot narrow (analytics/filtered_view.py says why)."""

from __future__ import annotations

import reflex as rx

from accumulator.analytics.dashboard_types import FilterChip
from accumulator.analytics.state import DashboardState
from accumulator.ui import theme

NOT_FILTERED = "not filtered"
ONLY_ITS_OWN = "by its own filter only"


def chip(item: FilterChip) -> rx.Component:
    return rx.badge(
        rx.text(item["label"], ": ", weight="bold", as_="span"),
        rx.text(
            item["value"],
            as_="span",
            max_width="320px",
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
        ),
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            aria_label="Remove filter " + item["label"],
            on_click=DashboardState.remove_filter(item["dimension"]),
            class_name="remove-filter",
        ),
        variant="soft",
        size="2",
        class_name="filter-chip",
        data_dimension=item["dimension"],
    )


def filter_bar() -> rx.Component:
    return rx.cond(
        DashboardState.filter_chips.length() > 0,
        rx.vstack(
            rx.hstack(
                rx.text("Filtered by", size="2", color_scheme="gray"),
                rx.foreach(DashboardState.filter_chips, chip),
                wrap="wrap",
                align="center",
                id="filter-chips",
            ),
            rx.text(
                "Filtered views count page views from ",
                rx.cond(DashboardState.filter_since != "", DashboardState.filter_since, "now"),
                " on (earlier days kept no joint data). Cards marked “not filtered” show every visit: "
                "distinct visitors, reading time, entries and exits cannot be split by referrer, country, "
                "agent or campaign, and goals only by their own filter.",
                size="1",
                color_scheme="gray",
                id="filter-note",
            ),
            spacing="1",
            width="100%",
        ),
    )


def not_filtered(card: str) -> rx.Component:
    """A "not filtered" mark, shown on `card` while the filters cannot narrow it; "by its own filter
    only" when its own dimension's filter narrows it but the others cannot (goals)."""
    return rx.fragment(
        rx.cond(DashboardState.unfiltered.contains(card), _mark(NOT_FILTERED)),
        rx.cond(DashboardState.unfiltered.contains(f"{card}-by-others"), _mark(ONLY_ITS_OWN)),
    )


def _mark(text: str) -> rx.Component:
    return rx.badge(
        text, color_scheme="amber", variant="soft", size="1", class_name="not-filtered", margin_left=theme.space(1)
    )
