"""The owner's plants: the list by due date and the reminder channels (one_plant.py: one plant)."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.plants.components import due_badge, plant_form, snooze_menu
from accumulator.plants.reads import PlantRow
from accumulator.plants.state import PlantsState
from accumulator.ui import theme
from accumulator.ui.confirm import confirm
from accumulator.ui.layout import page, page_header


def add_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus", size=16), "Add plant", id="add-plant")),
        rx.dialog.content(
            rx.dialog.title("Add a plant"),
            plant_form(PlantsState.add_plant, "Add", PlantsState, defaults=False),
            rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", margin_top=theme.space(3))),
        ),
        open=PlantsState.adding,
        on_open_change=PlantsState.set_adding,
    )


def plant_card(row: PlantRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.cond(
                row["photo_url"] != "",
                rx.image(
                    src=row["photo_url"], width="56px", height="56px", object_fit="cover", border_radius="8px", alt=""
                ),
                rx.center(
                    rx.icon("sprout", size=24),
                    width="56px",
                    height="56px",
                    background=rx.color("grass", 3),
                    border_radius="8px",
                ),
            ),
            rx.vstack(
                rx.link(row["name"], href=f"{routes.PLANTS}/" + row["id"].to_string(), weight="bold", size="3"),
                rx.text(
                    rx.cond(row["species"] != "", row["species"] + " · ", ""),
                    row["rule"],
                    rx.cond(row["location"] != "", " · " + row["location"], ""),
                    size="1",
                    color_scheme="gray",
                ),
                due_badge(row["due_text"], row["overdue"], row["due_today"]),
                spacing="1",
                flex="1",
                min_width="0",
                style={"overflow_wrap": "anywhere"},
            ),
            rx.vstack(
                rx.button(
                    rx.icon("droplets", size=14),
                    "Watered",
                    size="1",
                    on_click=PlantsState.water(row["id"]),
                    class_name="water-button",
                ),
                snooze_menu(lambda days: PlantsState.snooze(row["id"], days)),
                align="end",
                spacing="2",
            ),
            align="center",
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="plant-card",
    )


def channels() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(
                "Reminders every day at ",
                PlantsState.reminder_time,
                " for plants that are due.",
                size="2",
                weight="medium",
            ),
            rx.text("E-mail: ", PlantsState.email_status, size="2", color_scheme="gray", id="email-status"),
            rx.hstack(
                rx.text(
                    "Browser notifications: ", PlantsState.push_status, size="2", color_scheme="gray", id="push-status"
                ),
                rx.button(
                    rx.icon("bell", size=14),
                    "Enable notifications on this device",
                    size="1",
                    variant="soft",
                    id="enable-push",
                    on_click=rx.call_script("window.accumulatorEnablePush && window.accumulatorEnablePush()"),
                ),
                align="center",
                wrap="wrap",
            ),
            rx.text("", id="push-message", size="1", color_scheme="gray"),
            spacing="1",
        ),
        width="100%",
    )


@page(route=routes.PLANTS, title="Plants", owner_only=True, on_load=[PlantsState.load_plants])
def plants_page() -> rx.Component:
    return rx.vstack(
        page_header("Plants", add_dialog()),
        rx.hstack(
            rx.el.select(
                rx.el.option("All locations", value="all"),
                rx.foreach(PlantsState.locations, lambda place: rx.el.option(place, value=place)),
                value=rx.cond(PlantsState.location == "", "all", PlantsState.location),
                on_change=PlantsState.filter_location,
                id="location-filter",
                style=theme.NATIVE_FIELD,
            ),
            rx.cond(
                PlantsState.location != "",
                confirm(
                    rx.button(rx.icon("droplets", size=14), "Watered all here", variant="soft", size="2"),
                    title=("Water every plant in ", PlantsState.location, "?"),
                    description="Each is marked watered today.",
                    action="Watered all",
                    on_confirm=PlantsState.water_location,
                    color=theme.ACCENT,
                ),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            PlantsState.error != "",
            rx.callout(PlantsState.error, color_scheme="red", icon="triangle-alert", width="100%"),
        ),
        rx.cond(
            PlantsState.plants.length() > 0,
            rx.vstack(rx.foreach(PlantsState.plants, plant_card), width="100%", spacing="2", id="plant-list"),
            rx.cond(PlantsState.loaded, rx.text("No plants yet. Add your first one.", color_scheme="gray")),
        ),
        channels(),
        width="100%",
        spacing="4",
    )


# The page of one plant is declared in its own module; importing it registers it with the app.
from accumulator.plants import one_plant as one_plant  # noqa: E402
