"""The login page and the list of the owner's sessions."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.auth.state import LoginState, SessionRow, SessionsState
from accumulator.ui import theme
from accumulator.ui.layout import page, page_header


def owner_missing_hint() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("info")),
        rx.callout.text(
            "No owner account exists yet. In a terminal, in the project folder, run ",
            rx.code("make owner EMAIL=you@example.com"),
            " and choose a password (at least 10 characters). Then log in here.",
        ),
        color_scheme="amber",
        id="owner-missing",
    )


def login_form() -> rx.Component:
    # A plain HTML form: /js/login.js sends it as JSON and shows errors in place; without script
    # it still works as a normal form post.
    field_style = {"width": "100%", "size": "3"}
    return rx.el.form(
        rx.vstack(
            rx.text("E-mail", as_="label", html_for="login-email", size="2", weight="medium"),
            rx.input(
                id="login-email",
                name="email",
                type="email",
                auto_complete="username",
                required=True,
                auto_focus=True,
                **field_style,
            ),
            rx.text("Password", as_="label", html_for="login-password", size="2", weight="medium"),
            rx.input(
                id="login-password",
                name="password",
                type="password",
                auto_complete="current-password",
                required=True,
                **field_style,
            ),
            rx.el.input(type="hidden", name="next", value=LoginState.next_path),
            rx.text(LoginState.error, id="login-error", color_scheme="red", size="2", role="alert"),
            rx.button("Log in", type="submit", size="3", width="100%", id="login-submit"),
            spacing="3",
            width="100%",
        ),
        id="login-form",
        method="post",
        action="/api/auth/login",
        width="100%",
    )


@page(route=routes.LOGIN, title="Log in", on_load=[LoginState.load_login], with_shell=False)
def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(rx.icon("layers", size=24), rx.heading("Accumulator", size="6"), align="center"),
                rx.text("Log in to your hub.", color_scheme="gray"),
                rx.cond(LoginState.needs_owner, owner_missing_hint()),
                login_form(),
                spacing="4",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="400px",
        ),
        rx.box(
            rx.color_mode.button(variant="ghost", aria_label="Switch light or dark theme"),
            position="fixed",
            top=theme.space(3),
            right=theme.space(3),
        ),
        min_height="100vh",
        padding=theme.space(4),
    )


def session_card(row: SessionRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon("monitor-smartphone", size=22, color=rx.color("gray", 10)),
            rx.vstack(
                rx.hstack(
                    rx.text(row["device"], weight="medium"),
                    rx.cond(row["is_current"], rx.badge("this device", color_scheme=theme.ACCENT)),
                    wrap="wrap",
                    align="center",
                ),
                rx.text(
                    "IP ",
                    rx.code(row["ip"]),
                    " · last seen ",
                    rx.el.span(row["last_seen_ago"], title=row["last_seen"]),
                    " · since ",
                    row["created"],
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(
                    rx.button("Revoke", color_scheme="red", variant="soft", class_name="revoke-session")
                ),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Revoke this session?"),
                    rx.alert_dialog.description(
                        rx.cond(
                            row["is_current"],
                            "This is the browser you are using: you will be logged out here.",
                            "That browser will be logged out at once.",
                        )
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(
                            rx.button(
                                "Revoke",
                                color_scheme="red",
                                on_click=SessionsState.revoke(row["id"]),
                                class_name="confirm-revoke",
                            )
                        ),
                        justify="end",
                        spacing="3",
                        margin_top=theme.space(4),
                    ),
                ),
            ),
            align="center",
            spacing="4",
            wrap="wrap",
        ),
        width="100%",
        class_name="session-row",
    )


@page(route=routes.SESSIONS, title="Sessions", owner_only=True, on_load=[SessionsState.load_sessions])
def sessions_page() -> rx.Component:
    return rx.vstack(
        page_header("Sessions"),
        rx.text("Browsers logged in as you. Revoke any you do not recognise.", color_scheme="gray"),
        rx.foreach(SessionsState.sessions, session_card),
        # Backups have their own page (the backup feature's); the owner's settings start here.
        rx.text(
            "Backups, their schedule and last result: ",
            rx.link("Backups", href=routes.BACKUPS, id="backups-link"),
            color_scheme="gray",
            size="2",
        ),
        spacing="3",
        width="100%",
    )
