"""The owner's tokens page: make a token (shown once), see each one's use, revoke it."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.tokens.state import EXPIRY_CHOICES, TokenRow, TokensState
from accumulator.ui import theme
from accumulator.ui.layout import page, page_header

EXPIRY_LABELS = {"never": "Never expires", "7": "7 days", "30": "30 days", "90": "90 days", "365": "1 year"}


def create_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="name",
                placeholder="What will use it (e.g. Homepage)",
                required=True,
                max_length=100,
                id="token-name",
                flex="1",
                min_width="200px",
            ),
            rx.select.root(
                rx.select.trigger(id="token-scope"),
                rx.select.content(
                    rx.select.item("Read only", value="read"),
                    rx.select.item("Read and write", value="write"),
                ),
                name="scope",
                default_value="read",
            ),
            rx.select.root(
                rx.select.trigger(id="token-expiry"),
                rx.select.content(*(rx.select.item(EXPIRY_LABELS[key], value=key) for key in EXPIRY_CHOICES)),
                name="expires_days",
                default_value="90",
            ),
            rx.button("Create token", type="submit", id="token-create"),
            wrap="wrap",
            spacing="3",
            width="100%",
        ),
        on_submit=TokensState.create_token,
        reset_on_submit=True,
        width="100%",
    )


def new_token_callout() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("key-round")),
        rx.vstack(
            rx.text(
                "New token ",
                rx.text.strong(TokensState.new_token_name),
                ". Copy it now: it is not shown again.",
                size="2",
            ),
            rx.hstack(
                rx.code(TokensState.new_token, id="new-token", word_break="break-all"),
                rx.button(
                    rx.icon("copy", size=14),
                    "Copy",
                    size="1",
                    variant="soft",
                    on_click=rx.set_clipboard(TokensState.new_token),
                ),
                rx.button("Done", size="1", variant="ghost", on_click=TokensState.dismiss_token),
                align="center",
                wrap="wrap",
            ),
            spacing="2",
        ),
        color_scheme="green",
        width="100%",
    )


def token_card(row: TokenRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon("key-round", size=22, color=rx.color("gray", 10)),
            rx.vstack(
                rx.hstack(
                    rx.text(row["name"], weight="medium"),
                    rx.badge(row["scope"], color_scheme=rx.cond(row["scope"] == "write", "orange", theme.ACCENT)),
                    rx.cond(row["expired"], rx.badge("expired", color_scheme="red")),
                    wrap="wrap",
                    align="center",
                ),
                rx.text(
                    "Created ",
                    row["created"],
                    " · last used ",
                    row["last_used"],
                    " · expires ",
                    row["expires"],
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.button(
                "Revoke",
                color_scheme="red",
                variant="soft",
                class_name="revoke-token",
                on_click=TokensState.revoke(row["id"]),
            ),
            align="center",
            spacing="4",
            wrap="wrap",
        ),
        width="100%",
        class_name="token-row",
    )


@page(route=routes.TOKENS, title="API tokens", owner_only=True, on_load=[TokensState.load_tokens])
def tokens_page() -> rx.Component:
    return rx.vstack(
        page_header("API tokens"),
        rx.text(
            "Tokens let scripts, phone shortcuts and dashboards use the JSON API (",
            rx.link("its documentation", href="/api/v1/docs", is_external=True),
            "). A read token can only read; a write token can also change notes, pastes and plants. "
            "Revoking one takes effect at once.",
            color_scheme="gray",
        ),
        create_form(),
        rx.cond(TokensState.error != "", rx.text(TokensState.error, color_scheme="red", size="2", role="alert")),
        rx.cond(TokensState.new_token != "", new_token_callout()),
        rx.foreach(TokensState.tokens, token_card),
        rx.cond(TokensState.tokens.length() == 0, rx.text("No tokens yet.", color_scheme="gray", size="2")),
        spacing="3",
        width="100%",
    )
