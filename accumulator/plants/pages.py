"""The owner's plants: the list by due date, one plant, and the reminder channels."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.plants.models import INTERVAL_MAX, LOCATION_MAX, NAME_MAX, NOTES_MAX
from accumulator.plants.reads import EventRow, PlantRow
from accumulator.plants.state import RULE_CHECK, RULE_EVERY, PlantsState, PlantState
from accumulator.ui import theme
from accumulator.ui.confirm import confirm
from accumulator.ui.layout import page, page_header

DETAIL = f"{routes.PLANTS}/[plant_id]"


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


def snooze_menu(on_snooze) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(rx.icon("alarm-clock", size=14), "Snooze", variant="soft", color_scheme="gray", size="1")
        ),
        rx.menu.content(
            *(rx.menu.item(f"{days} day{'s' if days > 1 else ''}", on_select=on_snooze(days)) for days in (1, 3, 7))
        ),
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


# One plant


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
