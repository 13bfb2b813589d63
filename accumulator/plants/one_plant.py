"""One plant's page: photo, care notes, rule, next date, watering (today or earlier), snooze, the
soil check, edit, delete and its history."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.plants.components import due_badge, plant_form, snooze_menu
from accumulator.plants.reads import EventRow
from accumulator.plants.state import PlantState
from accumulator.ui import theme
from accumulator.ui.confirm import confirm
from accumulator.ui.layout import page, page_header

DETAIL = f"{routes.PLANTS}/[plant_id]"


def history_row(row: EventRow) -> rx.Component:
    return rx.hstack(
        rx.text(row["day"], size="2", color_scheme="gray", width="130px"),
        rx.text(row["text"], size="2"),
        class_name="history-row",
    )


def plant_detail() -> rx.Component:
    state = PlantState
    return rx.vstack(
        page_header(
            state.name,
            rx.button(rx.icon("pencil", size=14), "Edit", variant="soft", on_click=PlantState.set_editing(True)),
            confirm(
                rx.button(rx.icon("trash-2", size=14), "Delete", variant="soft", color_scheme="red"),
                title=("Delete ", state.name, "?"),
                description="Its history and photo are deleted too.",
                action="Delete",
                on_confirm=PlantState.delete,
            ),
        ),
        rx.cond(
            state.error != "",
            rx.callout(state.error, color_scheme="red", icon="triangle-alert", width="100%", id="plant-error"),
        ),
        rx.cond(
            state.editing,
            rx.card(plant_form(PlantState.save, "Save", PlantState, defaults=True), width="100%"),
        ),
        rx.flex(
            rx.vstack(
                rx.cond(
                    state.photo_url != "",
                    rx.image(
                        src=state.photo_url,
                        width="100%",
                        max_width="320px",
                        border_radius="12px",
                        alt=state.name,
                        id="plant-photo",
                    ),
                    rx.center(
                        rx.icon("sprout", size=48),
                        width="100%",
                        max_width="320px",
                        height="200px",
                        background=rx.color("grass", 3),
                        border_radius="12px",
                    ),
                ),
                rx.el.label(
                    rx.text(
                        "Change photo",
                        size="1",
                        color=rx.color(theme.ACCENT, 11),
                        style={"cursor": "pointer", "text_decoration": "underline"},
                    ),
                    rx.el.input(
                        type="file",
                        accept="image/*",
                        id="plant-photo-input",
                        style={"display": "none"},
                        custom_attrs={"data-plant-id": state.shown_id.to_string()},
                    ),
                ),
                rx.text("", id="plant-photo-message", size="1", color_scheme="red"),
                width=["100%", "100%", "320px"],
            ),
            rx.vstack(
                rx.text(
                    rx.cond(state.species != "", state.species + " · ", ""),
                    state.rule,
                    rx.cond(state.location != "", " · " + state.location, ""),
                    color_scheme="gray",
                    size="2",
                ),
                rx.hstack(
                    due_badge(state.due_text, state.overdue, state.due_text == "due today"),
                    rx.text("Next: ", state.next_date, size="2", id="next-date"),
                    align="center",
                    wrap="wrap",
                ),
                rx.text("Last watered: ", state.last_watered, size="2", color_scheme="gray", id="last-watered"),
                rx.hstack(
                    rx.form(
                        rx.hstack(
                            rx.button(rx.icon("droplets", size=14), "Watered", type="submit", id="water-now"),
                            rx.el.input(
                                type="date",
                                name="on",
                                max=state.today,
                                default_value=state.today,
                                key=state.today,
                                id="water-date",
                                style=theme.NATIVE_FIELD,
                                aria_label="Watered on",
                            ),
                            align="center",
                        ),
                        on_submit=PlantState.water_on,
                    ),
                    snooze_menu(PlantState.snooze),
                    rx.cond(
                        state.check_soil,
                        rx.button(
                            "Soil still moist", variant="soft", on_click=PlantState.still_moist, id="still-moist"
                        ),
                    ),
                    wrap="wrap",
                    align="center",
                ),
                rx.cond(
                    state.notes_html != "",
                    rx.box(
                        rx.html(state.notes_html),
                        class_name="plant-notes markdown-body",
                        width="100%",
                        style={"& p": {"margin": "0.3em 0"}, "overflow_wrap": "anywhere"},
                    ),
                ),
                rx.heading("History", size="3", margin_top=theme.space(3)),
                rx.cond(
                    state.history.length() > 0,
                    rx.vstack(rx.foreach(state.history, history_row), spacing="1", id="plant-history"),
                    rx.text("Nothing yet.", size="2", color_scheme="gray"),
                ),
                spacing="3",
                flex="1",
                min_width="0",
            ),
            direction=rx.breakpoints(initial="column", md="row"),
            spacing="5",
            width="100%",
        ),
        width="100%",
        spacing="4",
    )


@page(route=DETAIL, title="Plant", owner_only=True, on_load=[PlantState.load_plant])
def plant_page() -> rx.Component:
    return rx.cond(
        PlantState.found,
        plant_detail(),
        rx.vstack(page_header("Plant not found"), rx.link("Back to your plants", href=routes.PLANTS), width="100%"),
    )
