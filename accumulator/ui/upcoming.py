"""Pages the navigation already links to whose feature has not landed yet.

Each one is guarded like the real page will be, and tells the owner plainly that it is not built
yet. A feature removes its entry here when its own pages.py registers the route.
"""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.ui.layout import page, page_header

UPCOMING = (
    # (route, title, owner_only, what it will do)
    (routes.PLANTS, "Plants", True, "Watering schedules and reminders for your houseplants."),
)


def _register(route: str, title: str, owner_only: bool, summary: str) -> None:
    def content() -> rx.Component:
        return rx.vstack(
            page_header(title),
            rx.callout.root(
                rx.callout.icon(rx.icon("hammer")),
                rx.callout.text(f"Not built yet. {summary}"),
                color_scheme="gray",
            ),
            width="100%",
        )

    content.__name__ = f"{title.lower()}_upcoming"
    page(route=route, title=title, owner_only=owner_only)(content)


for _entry in UPCOMING:
    _register(*_entry)
