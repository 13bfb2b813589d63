"""What the plants' pages share: the due badge, the plant form (add and edit) and the snooze menu."""

from __future__ import annotations

import reflex as rx

from accumulator.plants.models import INTERVAL_MAX, LOCATION_MAX, NAME_MAX, NOTES_MAX
from accumulator.plants.state import RULE_CHECK, RULE_EVERY, PlantsState
from accumulator.ui import theme


def due_badge(text, overdue, due_today) -> rx.Component:
    return rx.badge(
        text,
        color_scheme=rx.cond(overdue, "red", rx.cond(due_today, "amber", "green")),
        variant=rx.cond(overdue, "solid", "soft"),
        class_name="due-badge",
    )


def plant_form(on_submit, submit_label: str, state, *, defaults: bool) -> rx.Component:
    """Add and edit share one form. `defaults`: start from the plant shown (edit) or empty (add)."""
    value = (lambda attr, empty: getattr(state, attr)) if defaults else (lambda attr, empty: empty)
    return rx.form(
        rx.vstack(
            rx.input(
                name="name",
                placeholder="Name (e.g. Monstera)",
                default_value=value("name", ""),
                max_length=NAME_MAX,
                required=True,
                width="100%",
                id="plant-name",
            ),
            rx.input(
                name="species",
                placeholder="Species (optional)",
                default_value=value("species", ""),
                max_length=NAME_MAX,
                width="100%",
                id="plant-species",
            ),
            rx.el.input(
                name="location",
                placeholder="Location (e.g. Living room)",
                default_value=value("location", ""),
                max_length=LOCATION_MAX,
                list="plant-locations",
                id="plant-location",
                style={**theme.NATIVE_FIELD, "width": "100%"},
            ),
            rx.el.datalist(
                rx.foreach(PlantsState.locations, lambda place: rx.el.option(value=place)), id="plant-locations"
            ),
            rx.hstack(
                rx.el.select(
                    rx.el.option("Water every", value=RULE_EVERY),
                    rx.el.option("Check the soil every", value=RULE_CHECK),
                    name="rule",
                    default_value=rx.cond(value("check_soil", False), RULE_CHECK, RULE_EVERY)
                    if defaults
                    else RULE_EVERY,
                    id="plant-rule",
                    style=theme.NATIVE_FIELD,
                ),
                rx.el.input(
                    name="interval_days",
                    type="number",
                    min=1,
                    max=INTERVAL_MAX,
                    step=1,
                    default_value=value("interval_days", 7).to_string() if defaults else "7",
                    list="interval-shortcuts",
                    id="plant-interval",
                    style={**theme.NATIVE_FIELD, "width": "90px"},
                ),
                rx.el.datalist(
                    rx.el.option("daily", value="1"),
                    rx.el.option("weekly", value="7"),
                    rx.el.option("every two weeks", value="14"),
                    id="interval-shortcuts",
                ),
                rx.text("days", size="2"),
                align="center",
                wrap="wrap",
            ),
            rx.text_area(
                name="notes",
                placeholder="Care notes (markdown): light, soil, feeding…",
                default_value=value("notes", ""),
                max_length=NOTES_MAX,
                rows="4",
                width="100%",
                id="plant-notes",
            ),
            rx.cond(
                state.error != "",
                rx.callout(state.error, color_scheme="red", icon="triangle-alert", id="plant-error", width="100%"),
            ),
            rx.button(submit_label, type="submit", id="plant-save"),
            spacing="3",
            width="100%",
        ),
        on_submit=on_submit,
        key=state.form_key.to_string(),
        width="100%",
    )


def snooze_menu(on_snooze) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(rx.icon("alarm-clock", size=14), "Snooze", variant="soft", color_scheme="gray", size="1")
        ),
        rx.menu.content(
            *(rx.menu.item(f"{days} day{'s' if days > 1 else ''}", on_select=on_snooze(days)) for days in (1, 3, 7))
        ),
    )
