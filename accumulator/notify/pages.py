"""The owner's notifications page: the channels (each with its state, last error and a test
button), adding an Apprise URL, which kinds go where, quiet hours, the traffic alert, the last tries."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.notify.state import AttemptRow, ChannelRow, NotificationsState, RouteRow
from accumulator.ui.layout import page, page_header

STATE_COLOURS = (("ok", "green"), ("failing", "red"), ("off", "gray"))


def channel_card(row: ChannelRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.text(row["label"], weight="medium"),
                    rx.badge(row["state"], color_scheme=rx.match(row["state"], *STATE_COLOURS, "amber")),
                    rx.code(row["detail"], size="1"),
                    wrap="wrap",
                    align="center",
                ),
                rx.cond(row["off"] != "", rx.text("Off: ", row["off"], size="2", color_scheme="gray")),
                rx.cond(row["last_ok"] != "", rx.text("Last sent ", row["last_ok"], size="2", color_scheme="gray")),
                rx.cond(
                    row["last_error"] != "",
                    rx.text(
                        "Last error (",
                        row["last_error_when"],
                        "): ",
                        row["last_error"],
                        size="2",
                        color_scheme="red",
                        class_name="channel-error",
                    ),
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.button(
                "Send a test",
                variant="soft",
                disabled=row["off"] != "",
                on_click=NotificationsState.send_test(row["key"]),
                class_name="send-test",
            ),
            rx.cond(
                row["channel_id"] > 0,
                rx.button(
                    "Remove",
                    color_scheme="red",
                    variant="ghost",
                    on_click=NotificationsState.remove_channel(row["channel_id"]),
                ),
            ),
            align="center",
            wrap="wrap",
            spacing="3",
        ),
        width="100%",
        class_name="notify-channel",
    )


def add_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="name", placeholder="Name (e.g. Phone)", max_length=60, required=True, width="160px"),
            rx.input(
                name="url",
                type="password",  # a URL of secrets: not shown on screen, and never sent back to the page
                placeholder="Apprise URL, e.g. ntfy://ntfy.sh/my-topic",
                max_length=2000,
                required=True,
                flex="1",
                min_width="240px",
                id="apprise-url",
            ),
            rx.button("Add channel", type="submit", id="add-channel"),
            wrap="wrap",
            spacing="3",
            width="100%",
        ),
        on_submit=NotificationsState.add_channel,
        reset_on_submit=True,
        width="100%",
    )


def route_row(row: RouteRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["label"], rx.cond(row["urgent"], rx.badge("urgent", color_scheme="orange", ml="2"))),
        rx.table.cell(
            rx.hstack(
                rx.foreach(
                    row["cells"],
                    lambda cell: rx.hstack(
                        rx.switch(
                            checked=cell["enabled"],
                            on_change=lambda value: NotificationsState.set_route(row["kind"], cell["channel"], value),
                        ),
                        rx.text(cell["label"], size="2"),
                        align="center",
                        spacing="1",
                    ),
                ),
                wrap="wrap",
                spacing="4",
            )
        ),
    )


def preferences() -> rx.Component:
    return rx.vstack(
        rx.heading("Quiet hours", size="4"),
        rx.text(
            "In your time zone. Meanwhile only urgent kinds go out; the rest wait for the end.",
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.hstack(
                rx.input(name="start", type="time", default_value=NotificationsState.quiet_start, key="qs"),
                rx.text("to"),
                rx.input(name="end", type="time", default_value=NotificationsState.quiet_end, key="qe"),
                rx.button("Save", type="submit", variant="soft"),
                align="center",
            ),
            on_submit=NotificationsState.save_quiet_hours,
        ),
        rx.heading("Traffic spike", size="4"),
        rx.form(
            rx.hstack(
                rx.text("Alert when page views in the last hour reach", size="2"),
                rx.input(
                    name="views", type="number", min=0, width="110px", default_value=NotificationsState.spike_views
                ),
                rx.text("(0: off)", size="2", color_scheme="gray"),
                rx.button("Save", type="submit", variant="soft"),
                align="center",
                wrap="wrap",
            ),
            on_submit=NotificationsState.save_spike,
        ),
        rx.form(
            rx.hstack(
                rx.text("Or when they reach", size="2"),
                rx.input(name="factor", width="70px", default_value=NotificationsState.spike_factor, key="sf"),
                rx.text("times the usual for that hour (the average of the last", size="2"),
                rx.el.select(
                    rx.el.option("7", value="7"),
                    rx.el.option("14", value="14"),
                    name="days",
                    value=NotificationsState.spike_days,
                    on_change=NotificationsState.set_spike_days,
                ),
                rx.text("days), and at least", size="2"),
                rx.input(
                    name="floor",
                    type="number",
                    min=0,
                    width="90px",
                    default_value=NotificationsState.spike_floor,
                    key="fl",
                ),
                rx.text("views (0: off)", size="2", color_scheme="gray"),
                rx.button("Save", type="submit", variant="soft"),
                align="center",
                wrap="wrap",
            ),
            on_submit=NotificationsState.save_spike_usual,
            id="spike-usual",
        ),
        weekly_form(),
        spacing="2",
        width="100%",
    )


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekly_form() -> rx.Component:
    return rx.vstack(
        rx.heading("Weekly digest", size="4"),
        rx.text(
            "Top pages, reading time, new referrers, comments, notes, plants and music of the last seven days.",
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.hstack(
                rx.el.label(
                    rx.el.input(type="checkbox", name="on", default_checked=NotificationsState.weekly_on, key="wo"),
                    " Send it every",
                    style={"font_size": "14px"},
                ),
                rx.el.select(
                    *[rx.el.option(day, value=str(number)) for number, day in enumerate(WEEKDAYS)],
                    name="weekday",
                    value=NotificationsState.weekly_weekday,
                    on_change=NotificationsState.set_weekly_weekday,
                ),
                rx.text("at", size="2"),
                rx.input(name="time", type="time", default_value=NotificationsState.weekly_time, key="wt"),
                rx.button("Save", type="submit", variant="soft"),
                align="center",
                wrap="wrap",
            ),
            on_submit=NotificationsState.save_weekly,
            id="weekly-form",
        ),
        rx.button(
            "Send me this week's digest now",
            variant="soft",
            on_click=NotificationsState.send_weekly_now,
            id="weekly-now",
            width="fit-content",
        ),
        spacing="2",
        width="100%",
    )


def attempt_row(row: AttemptRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["when"]),
        rx.table.cell(row["channel"]),
        rx.table.cell(row["kind"]),
        rx.table.cell(rx.badge(row["outcome"], color_scheme=rx.cond(row["outcome"] == "ok", "green", "red"))),
        rx.table.cell(row["error"], rx.text(row["took"], size="1", color_scheme="gray")),
    )


@page(
    route=routes.NOTIFICATIONS,
    title="Notifications",
    owner_only=True,
    on_load=[NotificationsState.load_notifications],
)
def notifications_page() -> rx.Component:
    return rx.vstack(
        page_header("Notifications"),
        rx.cond(
            NotificationsState.error != "",
            rx.text(NotificationsState.error, color_scheme="red", size="2", role="alert", id="notify-error"),
        ),
        rx.heading("Channels", size="4"),
        rx.foreach(NotificationsState.channels, channel_card),
        rx.text(
            "Add any service Apprise knows (ntfy, Gotify, Telegram, Matrix, Discord, Slack, json:// webhooks…): ",
            rx.link("the list of URLs", href="https://github.com/caronc/apprise/wiki", is_external=True),
            ".",
            size="2",
            color_scheme="gray",
        ),
        add_form(),
        rx.heading("Which alerts go where", size="4"),
        rx.table.root(rx.table.body(rx.foreach(NotificationsState.routes, route_row)), width="100%"),
        preferences(),
        rx.heading("Last attempts", size="4"),
        rx.cond(NotificationsState.recent.length() == 0, rx.text("Nothing sent yet.", color_scheme="gray", size="2")),
        rx.table.root(rx.table.body(rx.foreach(NotificationsState.recent, attempt_row)), width="100%"),
        spacing="3",
        width="100%",
    )
