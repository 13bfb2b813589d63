"""The dashboard's "Download CSV" links: one small icon per table, for the range and filters the tab shows."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.analytics.export import TABLES
from accumulator.analytics.state import DashboardState


def export_href(table: str) -> rx.Var[str]:
    """Where `table` downloads from for the tab's current range and filters (it follows both)."""
    if table not in TABLES:  # a typo here would only show as a 400 when clicked
        raise ValueError(f"{table!r} is not an exported table; one of {', '.join(TABLES)}")
    return routes.DASHBOARD_EXPORT.replace("{table}", table) + "?" + DashboardState.dashboard_query


def export_link(table: str) -> rx.Component:
    return rx.link(
        rx.icon("download", size=14),
        href=export_href(table),
        # A plain navigation, not the client router's: the router would draw its 404 page for an API
        # address, where the browser downloads the attachment and stays on the dashboard.
        reload_document=True,
        download=True,
        title="Download CSV",
        aria_label=f"Download {table} as CSV",
        color_scheme="gray",
        id=f"export-{table}",
        display="inline-flex",
        align_items="center",
    )
