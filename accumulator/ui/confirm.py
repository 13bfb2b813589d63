"""The one way the app asks before doing something that cannot be undone."""

from __future__ import annotations

import reflex as rx

from accumulator.ui import theme


def confirm(
    trigger: rx.Component,
    *,
    title: tuple,
    description: rx.Component | str,
    action: str,
    on_confirm,
    color: str = "red",
) -> rx.Component:
    """`trigger` opens a dialog saying `title` and `description`; only `action` runs `on_confirm`."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(*title),
            rx.alert_dialog.description(description),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(action, color_scheme=color, on_click=on_confirm)),
                justify="end",
                spacing="3",
                margin_top=theme.space(4),
            ),
        ),
    )
