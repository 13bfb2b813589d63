"""The dashboard's sections for a range of days (7/30/90 days or all time): how people read, where
they are and come from (countries, referrers, campaigns), where visits start and end, goals, and
what they read with. Each list shows a value, its count and its share."""

from __future__ import annotations

import reflex as rx
from reflex.event import no_args_event_spec

from accumulator.analytics.dashboard_types import SharesFeed
from accumulator.analytics.export_links import export_link
from accumulator.analytics.filter_bar import not_filtered
from accumulator.analytics.state import DashboardState
from accumulator.ui import theme


class LiveShares(rx.Component):
    """A breakdown's rows, kept in the browser and patched with what changed (assets/live_shares.jsx)."""

    library = "$/public/live_shares.jsx"
    tag = "LiveShares"

    feed: rx.Var[SharesFeed]
    kind: rx.Var[str]
    unit: rx.Var[str]
    dimension: rx.Var[str]  # "": the values are not filters
    on_filter: rx.EventHandler[lambda dimension, value: [dimension, value]]
    on_resync: rx.EventHandler[no_args_event_spec]


def share_list(
    title: str, kind: str, element_id: str = "", unit: str = "%", table: str = "", dimension: str = ""
) -> rx.Component:
    """A card of the values of a breakdown `kind` with their counts; with a `dimension`, clicking a
    value filters the dashboard by it (analytics/filters.py). The card says when the filters cannot
    narrow it."""
    return rx.card(
        titled(title, table, element_id),
        LiveShares.create(
            feed=DashboardState.shares_feed,
            kind=kind,
            unit=unit,
            dimension=dimension,
            on_filter=DashboardState.add_filter,
            on_resync=DashboardState.shares_resync,
        ),
        flex="1",
        min_width="220px",
        id=element_id or None,
    )


def titled(title: str, table: str, card: str = "") -> rx.Component:
    """A card's heading, with a link to its table as CSV for the range shown, marked while the
    filters cannot narrow it."""
    return rx.hstack(
        rx.heading(title, size="3"),
        not_filtered(CARDS.get(card, card)) if card else rx.fragment(),
        rx.spacer(),
        export_link(table) if table else rx.fragment(),
        align="center",
        width="100%",
        margin_bottom=theme.space(2),
    )


# Element ids of the cards -> their names in filtered_view's "unfiltered" list.
CARDS = {"entry-pages": "entries", "exit-pages": "exits", "reading-card": "reading"}


def _duration(seconds: rx.Var[int]) -> rx.Var[str]:
    """Seconds as "45s" or "2m 5s"; a dash when none was reported."""
    minutes = (seconds // 60).to_string()
    rest = (seconds % 60).to_string()
    return rx.cond(seconds < 0, "–", rx.cond(seconds < 60, seconds.to_string() + "s", minutes + "m " + rest + "s"))


def reading_card() -> rx.Component:
    reading = DashboardState.reading

    def mark(label: str, key: str) -> rx.Component:
        return rx.hstack(
            rx.text(label, size="2", min_width="44px"),
            rx.box(
                rx.box(
                    width=reading[key].to_string() + "%",
                    height="8px",
                    border_radius="4px",
                    background=rx.color(theme.ACCENT, 8),
                ),
                flex="1",
                background=rx.color("gray", 4),
                border_radius="4px",
            ),
            rx.text(reading[key], "%", size="1", color_scheme="gray", min_width="40px", text_align="right"),
            align="center",
            width="100%",
        )

    return rx.card(
        titled("Reading", "reading", "reading-card"),
        rx.hstack(
            rx.vstack(
                rx.text("Average time", size="1", color_scheme="gray"),
                rx.heading(_duration(reading["time_avg"].to(int)), size="6", id="reading-average"),
                spacing="0",
            ),
            rx.vstack(
                rx.text("Median", size="1", color_scheme="gray"),
                rx.heading(_duration(reading["time_median"].to(int)), size="6", id="reading-median"),
                spacing="0",
            ),
            spacing="5",
            margin_bottom=theme.space(2),
        ),
        rx.text("Scrolled at least", size="1", color_scheme="gray"),
        rx.vstack(
            mark("25%", "scroll25"),
            mark("50%", "scroll50"),
            mark("75%", "scroll75"),
            mark("100%", "scroll100"),
            spacing="1",
            width="100%",
        ),
        flex="1",
        min_width="220px",
        id="reading-card",
    )


def audience_section() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Audience", size="5"),
            rx.spacer(),
            rx.segmented_control.root(
                rx.segmented_control.item("7 days", value="7"),
                rx.segmented_control.item("30 days", value="30"),
                rx.segmented_control.item("90 days", value="90"),
                rx.segmented_control.item("All time", value="all"),
                value=DashboardState.range_key,
                on_change=DashboardState.set_range,
            ),
            align="center",
            wrap="wrap",
            width="100%",
        ),
        rx.form(
            rx.hstack(
                rx.input(type="date", name="from", aria_label="First day", id="range-from", required=True),
                rx.text("to", size="2"),
                rx.input(type="date", name="to", aria_label="Last day", id="range-to", required=True),
                rx.button("Show", type="submit", variant="soft", size="2", id="range-apply"),
                align="center",
                wrap="wrap",
            ),
            on_submit=DashboardState.set_custom_range,
        ),
        rx.cond(
            DashboardState.range_error != "",
            rx.text(DashboardState.range_error, color_scheme="red", size="2", role="alert"),
        ),
        rx.text(DashboardState.range_summary, size="2", color_scheme="gray", id="range-summary"),
        rx.flex(
            reading_card(),
            share_list("Goals", "goal", "goals", unit="% conv.", table="goals", dimension="goal"),
            share_list("Countries", "country", "countries", table="countries", dimension="country"),
            wrap="wrap",
            gap=theme.space(3),
            width="100%",
        ),
        rx.flex(
            share_list("Entry pages", "entry", "entry-pages", table="entries", dimension="entry"),
            share_list("Exit pages", "exit", "exit-pages", table="exits", dimension="exit"),
            share_list("Referrers", "referrer", "referrers", table="referrers", dimension="referrer"),
            wrap="wrap",
            gap=theme.space(3),
            width="100%",
        ),
        rx.flex(
            share_list("Campaign sources", "utm_source", "campaign-sources", table="sources", dimension="utm_source"),
            share_list("Campaign media", "utm_medium", "campaign-mediums", table="mediums", dimension="utm_medium"),
            share_list("Campaigns", "utm_campaign", "campaigns", table="campaigns", dimension="utm_campaign"),
            wrap="wrap",
            gap=theme.space(3),
            width="100%",
        ),
        rx.flex(
            share_list("Browsers", "browser", "browsers", table="browsers", dimension="browser"),
            share_list("Systems", "os", "systems", table="systems", dimension="os"),
            share_list("Devices", "device", "devices", table="devices", dimension="device"),
            wrap="wrap",
            gap=theme.space(3),
            width="100%",
        ),
        width="100%",
        spacing="3",
    )
