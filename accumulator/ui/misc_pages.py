"""The home page and the not-found page."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.ui import theme
from accumulator.ui.layout import page


@page(route=routes.HOME, title="Home", on_load=[rx.redirect(routes.DASHBOARD, replace=True)], with_shell=False)
def home_page() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")


@page(route="404", title="Not found")
def not_found_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Page not found", size="8"),
        rx.text(
            "There is nothing at this address. It may have moved, or the link may be mistyped.", color_scheme="gray"
        ),
        rx.link(rx.button("Go to the dashboard", size="3"), href=routes.DASHBOARD),
        spacing="4",
        align="start",
        padding_y=theme.space(9),
        id="not-found",
    )
