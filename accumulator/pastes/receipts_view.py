"""The read receipts on the owner's page of a paste: how often people read it, and apart, the link
previews and crawlers that fetched it (they are not readers)."""

from __future__ import annotations

import reflex as rx

from accumulator.pastes.reads import BotRow
from accumulator.pastes.state import PasteViewState


def bot_item(row: BotRow) -> rx.Component:
    return rx.el.li(
        rx.text(row["label"], weight="medium", as_="span"),
        rx.text(" · ", row["opens"], " times · last ", row["last"], size="2", color_scheme="gray", as_="span"),
    )


def receipts_panel() -> rx.Component:
    state = PasteViewState
    return rx.cond(
        state.read_text != "",
        rx.vstack(
            rx.text(state.read_text, size="2", id="paste-receipts"),
            rx.cond(
                state.bots.length() > 0,
                rx.box(
                    rx.text("Fetched by previews and crawlers (not readers):", size="2", color_scheme="gray"),
                    rx.el.ul(rx.foreach(state.bots, bot_item), style={"margin": "4px 0 0 18px"}),
                    id="paste-bots",
                ),
            ),
            spacing="1",
            width="100%",
        ),
    )
