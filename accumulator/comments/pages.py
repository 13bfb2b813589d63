"""The owner's comments page: the queue, every page with its counts, a page's comments, the
per-site moderation and the word filter."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.comments.state import CommentRow, CommentsState, PageRow, SiteRow
from accumulator.ui.confirm import confirm
from accumulator.ui.layout import page, page_header


def reply_form(row: CommentRow) -> rx.Component:
    return rx.cond(
        CommentsState.reply_to == row["id"],
        rx.form(
            rx.vstack(
                rx.text_area(
                    name="text",
                    placeholder="Your reply (shown with the author mark)",
                    id="owner-reply-text",
                    width="100%",
                ),
                rx.button("Send reply", type="submit", id="owner-reply-send"),
                width="100%",
            ),
            on_submit=CommentsState.send_reply,
            reset_on_submit=True,
            width="100%",
        ),
    )


def comment_card(row: CommentRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row["author"], weight="bold"),
                rx.cond(row["is_owner"], rx.badge("author")),
                rx.badge(
                    row["status"],
                    color_scheme=rx.match(row["status"], ("published", "green"), ("held", "amber"), "gray"),
                ),
                rx.text(row["page"], color_scheme="gray", size="1"),
                rx.text(row["when"], color_scheme="gray", size="1"),
                wrap="wrap",
                align="center",
            ),
            rx.box(rx.html(row["html"]), class_name="comment-body", style={"overflow_wrap": "anywhere"}),
            rx.hstack(
                rx.cond(
                    row["status"] != "published",
                    rx.button("Approve", size="1", on_click=CommentsState.approve(row["id"]), class_name="approve"),
                ),
                rx.cond(
                    row["status"] == "published",
                    rx.button(
                        "Hide", size="1", variant="soft", on_click=CommentsState.hide(row["id"]), class_name="hide"
                    ),
                ),
                rx.button(
                    "Reply", size="1", variant="soft", on_click=CommentsState.start_reply(row["id"]), class_name="reply"
                ),
                rx.cond(
                    row["blockable"],
                    rx.button(
                        "Block author",
                        size="1",
                        variant="soft",
                        color_scheme="orange",
                        on_click=CommentsState.block_author(row["id"]),
                        class_name="block",
                    ),
                ),
                confirm(
                    rx.button("Delete", size="1", variant="soft", color_scheme="red", class_name="delete"),
                    title=("Delete this comment?",),
                    description="It is deleted with all its replies. This cannot be undone.",
                    action="Delete",
                    on_confirm=CommentsState.delete_comment(row["id"]),
                ),
                wrap="wrap",
            ),
            reply_form(row),
            spacing="2",
            width="100%",
        ),
        width="100%",
        margin_left=rx.cond(row["depth"] > 0, "24px", "0"),
        class_name="owner-comment",
    )


def page_line(row: PageRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(row["site"], " ", row["path"], on_click=CommentsState.open_page(row["key"]), href="#page-comments")
        ),
        rx.table.cell(row["published"]),
        rx.table.cell(row["held"]),
        rx.table.cell(row["hidden"]),
        class_name="comment-page",
    )


def site_line(row: SiteRow) -> rx.Component:
    return rx.hstack(
        rx.text(row["site"], weight="medium"),
        rx.switch(
            checked=row["moderation"] == "hold_new",
            on_change=lambda hold: CommentsState.set_moderation(row["site"], hold),
        ),
        rx.text("hold first-time authors for approval", size="2", color_scheme="gray"),
        align="center",
    )


@page(route=routes.COMMENTS, title="Comments", owner_only=True, on_load=[CommentsState.load_comments])
def comments_page() -> rx.Component:
    return rx.vstack(
        page_header("Comments"),
        rx.heading("Waiting for approval", size="4"),
        rx.cond(
            CommentsState.queue.length() == 0, rx.text("Nothing is waiting.", color_scheme="gray", id="queue-empty")
        ),
        rx.vstack(rx.foreach(CommentsState.queue, comment_card), width="100%", id="comment-queue"),
        rx.heading("Pages", size="4"),
        rx.table.root(
            rx.table.header(
                rx.table.row(*(rx.table.column_header_cell(name) for name in ("Page", "Published", "Held", "Hidden")))
            ),
            rx.table.body(rx.foreach(CommentsState.pages, page_line)),
            width="100%",
        ),
        rx.cond(
            CommentsState.page_key != "",
            rx.vstack(
                rx.heading("This page's comments", size="4"),
                rx.foreach(CommentsState.page_rows, comment_card),
                width="100%",
                id="page-comments",
            ),
        ),
        rx.heading("Moderation", size="4"),
        rx.cond(
            CommentsState.sites.length() == 0,
            rx.text("No site has comments yet; new sites hold first-time authors.", color_scheme="gray"),
        ),
        rx.foreach(CommentsState.sites, site_line),
        rx.heading("Word filter", size="4"),
        rx.text(
            "One word or phrase per line; a comment containing one as a whole word is refused.",
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.vstack(
                rx.text_area(
                    name="words",
                    default_value=CommentsState.words,
                    key=CommentsState.words,
                    rows="6",
                    width="100%",
                    id="filter-words",
                ),
                rx.button("Save the filter", type="submit", id="save-words"),
                width="100%",
            ),
            on_submit=CommentsState.save_words,
            width="100%",
        ),
        spacing="3",
        width="100%",
    )
