"""The owner's inbox of contact messages, newest first."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.contact.state import MessageRow, MessagesState
from accumulator.ui.confirm import confirm
from accumulator.ui.layout import page, page_header


def message_card(row: MessageRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.cond(row["unread"], rx.badge("new", color_scheme="red")),
                rx.link(row["email"], href="mailto:" + row["email"], weight="bold"),
                rx.text(row["when"], color_scheme="gray", size="1"),
                wrap="wrap",
                align="center",
            ),
            rx.text(
                row["message"], white_space="pre-wrap", style={"overflow_wrap": "anywhere"}, class_name="message-text"
            ),
            rx.hstack(
                rx.cond(
                    row["unread"],
                    rx.button(
                        "Mark read", size="1", on_click=MessagesState.mark_read(row["id"], True), class_name="mark-read"
                    ),
                    rx.button(
                        "Mark unread", size="1", variant="soft", on_click=MessagesState.mark_read(row["id"], False)
                    ),
                ),
                confirm(
                    rx.button("Delete", size="1", variant="soft", color_scheme="red", class_name="delete-message"),
                    title=("Delete this message?",),
                    description="It cannot be brought back.",
                    action="Delete",
                    on_confirm=MessagesState.delete_message(row["id"]),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="contact-message",
    )


@page(route=routes.MESSAGES, title="Messages", owner_only=True, on_load=[MessagesState.load_messages])
def messages_page() -> rx.Component:
    return rx.vstack(
        page_header("Messages"),
        rx.cond(
            MessagesState.messages.length() == 0, rx.text("No messages yet.", color_scheme="gray", id="no-messages")
        ),
        rx.foreach(MessagesState.messages, message_card),
        spacing="3",
        width="100%",
    )
