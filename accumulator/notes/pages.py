"""The owner's notes: workspaces, notes by day, a composer at the bottom, search."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.notes.models import NOTE_MAX, TITLE_MAX
from accumulator.notes.reads import DayRow, HitRow, NoteRow, WorkspaceRow
from accumulator.notes.state import NotesState
from accumulator.ui import theme
from accumulator.ui.layout import page, page_header


def workspace_button(row: WorkspaceRow) -> rx.Component:
    return rx.button(
        rx.cond(row["is_public"], rx.icon("globe", size=14), rx.icon("lock", size=14)),
        row["title"],
        variant=rx.cond(NotesState.current_id == row["id"], "solid", "soft"),
        color_scheme=rx.cond(NotesState.current_id == row["id"], theme.ACCENT, "gray"),
        size="2",
        on_click=NotesState.switch_workspace(row["id"]),
        class_name="workspace-button",
    )


def new_workspace_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.icon_button(rx.icon("plus"), variant="soft", aria_label="New workspace")),
        rx.dialog.content(
            rx.dialog.title("New workspace"),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="title", placeholder="Name", max_length=TITLE_MAX, required=True, id="workspace-title"
                    ),
                    rx.checkbox("Public (anyone with the link can read it)", name="public"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.dialog.close(rx.button("Create", type="submit")),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=NotesState.create_workspace,
                reset_on_submit=True,
            ),
        ),
    )


def workspace_settings() -> rx.Component:
    current = NotesState.current
    return rx.popover.root(
        rx.popover.trigger(rx.icon_button(rx.icon("settings-2"), variant="soft", aria_label="Workspace settings")),
        rx.popover.content(
            rx.vstack(
                rx.form(
                    rx.hstack(
                        rx.input(name="title", default_value=current["title"], max_length=TITLE_MAX, flex="1"),
                        rx.button("Rename", type="submit", variant="soft"),
                        width="100%",
                    ),
                    on_submit=NotesState.rename_workspace,
                    width="100%",
                ),
                rx.hstack(
                    rx.switch(checked=current["is_public"], on_change=lambda _: NotesState.toggle_public()),
                    rx.text("Public", size="2"),
                    align="center",
                ),
                rx.cond(
                    current["is_public"],
                    rx.vstack(
                        rx.link("Open public page", href="/public/notes/" + current["public_id"], is_external=True),
                        rx.code("/embed/notes/" + current["public_id"], size="1"),
                        rx.button(
                            "New link (old one stops working)",
                            size="1",
                            variant="soft",
                            on_click=NotesState.regenerate_link,
                        ),
                        spacing="1",
                    ),
                ),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(
                        rx.button("Delete workspace", color_scheme="red", variant="soft", size="2")
                    ),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Delete " + current["title"] + "?"),
                        rx.alert_dialog.description("Its notes are deleted with it. This cannot be undone."),
                        rx.hstack(
                            rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                            rx.alert_dialog.action(
                                rx.button("Delete", color_scheme="red", on_click=NotesState.delete_workspace)
                            ),
                            justify="end",
                            spacing="3",
                            margin_top=theme.space(4),
                        ),
                    ),
                ),
                spacing="3",
                width="280px",
            ),
        ),
    )


# Rendered markdown inside Radix's reset: headings, lists, code and tables need their look back.
PROSE = {
    "& h1, & h2, & h3": {"font_weight": "700", "margin": "0.4em 0 0.2em"},
    "& h1": {"font_size": "1.4em"},
    "& h2": {"font_size": "1.2em"},
    "& p": {"margin": "0.3em 0"},
    "& a": {"color": rx.color(theme.ACCENT, 11), "text_decoration": "underline"},
    "& pre": {"padding": "0.6em", "border_radius": "6px", "background": rx.color("gray", 3), "overflow_x": "auto"},
    "& code": {"font_family": "var(--code-font-family)", "font_size": "0.9em"},
    "& table": {"border_collapse": "collapse"},
    "& td, & th": {"border": f"1px solid {rx.color('gray', 6)}", "padding": "2px 8px"},
    "& blockquote": {
        "border_left": f"3px solid {rx.color('gray', 6)}",
        "padding_left": "0.8em",
        "color": rx.color("gray", 11),
    },
    "& img": {"max_width": "100%"},
    "& mark": {"background": rx.color("amber", 5), "color": "inherit"},
}


def note_item(note: NoteRow) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(note["time"], size="1", color_scheme="gray"),
            rx.spacer(),
            rx.icon_button(
                rx.icon("pencil", size=14),
                size="1",
                variant="ghost",
                aria_label="Edit note",
                on_click=NotesState.start_edit(note["id"]),
            ),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(
                    rx.icon_button(
                        rx.icon("trash-2", size=14),
                        size="1",
                        variant="ghost",
                        color_scheme="red",
                        aria_label="Delete note",
                    )
                ),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Delete this note?"),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(
                            rx.button("Delete", color_scheme="red", on_click=NotesState.delete_note(note["id"]))
                        ),
                        justify="end",
                        spacing="3",
                        margin_top=theme.space(4),
                    ),
                ),
            ),
            align="center",
        ),
        rx.box(rx.html(note["html"]), class_name="note-body markdown-body", style=PROSE),
        id="note-" + note["id"].to_string(),
        class_name="note",
        padding_y=theme.space(2),
        border_bottom=f"1px dashed {rx.color('gray', 5)}",
        overflow_wrap="anywhere",
    )


def day_section(day: DayRow) -> rx.Component:
    return rx.box(
        rx.text(day["heading"], size="2", weight="bold", color_scheme="gray", class_name="day-heading"),
        rx.foreach(day["notes"], note_item),
        margin_bottom=theme.space(4),
    )


def search_bar() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                placeholder="Search notes",
                value=NotesState.query,
                on_change=NotesState.set_query,
                id="notes-search",
                name="query",
                max_length=200,
                flex="1",
            ),
            rx.checkbox(
                "All workspaces", checked=NotesState.search_everywhere, on_change=NotesState.set_search_everywhere
            ),
            rx.cond(
                NotesState.searched,
                rx.button("Clear", variant="ghost", type="button", on_click=NotesState.clear_search),
            ),
            align="center",
            wrap="wrap",
            width="100%",
        ),
        on_submit=NotesState.run_search,
        width="100%",
    )


def search_hit(hit: HitRow) -> rx.Component:
    return rx.card(
        rx.text(hit["workspace_title"], " · ", hit["day"], size="1", color_scheme="gray"),
        rx.box(rx.html(hit["snippet"]), style=PROSE),
        on_click=NotesState.jump_to(hit["note_id"], hit["workspace_id"], hit["day"]),
        cursor="pointer",
        class_name="search-hit",
        width="100%",
    )


def search_results() -> rx.Component:
    return rx.cond(
        NotesState.searched,
        rx.vstack(
            rx.text(NotesState.hits.length(), " results", size="2", color_scheme="gray"),
            rx.foreach(NotesState.hits, search_hit),
            width="100%",
            spacing="2",
            margin_bottom=theme.space(4),
        ),
    )


def composer() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.cond(
                NotesState.editing_id != 0,
                rx.hstack(
                    rx.badge("Editing a note"),
                    rx.button("Cancel", size="1", variant="ghost", type="button", on_click=NotesState.cancel_edit),
                    align="center",
                ),
            ),
            rx.cond(
                NotesState.preview,
                rx.box(
                    rx.html(NotesState.preview_html),
                    class_name="note-preview markdown-body",
                    width="100%",
                    min_height="60px",
                    style=PROSE,
                ),
            ),
            rx.text_area(
                name="text",
                id="composer-text",
                default_value=NotesState.draft,
                key=NotesState.composer_key.to_string(),
                on_change=NotesState.update_preview.debounce(250),
                placeholder="Write a note (markdown). Enter sends, Shift+Enter for a new line.",
                max_length=NOTE_MAX,
                rows="3",
                width="100%",
                resize="vertical",
            ),
            rx.hstack(
                rx.text("Enter sends · Shift+Enter new line", size="1", color_scheme="gray"),
                rx.spacer(),
                rx.text("up to 100,000 characters", size="1", color_scheme="gray"),
                rx.button(
                    rx.cond(NotesState.preview, "Edit", "Preview"),
                    type="button",
                    variant="soft",
                    size="2",
                    on_click=NotesState.toggle_preview,
                ),
                rx.button(
                    rx.cond(NotesState.editing_id != 0, "Save", "Send"), type="submit", size="2", id="composer-send"
                ),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            width="100%",
            spacing="2",
        ),
        on_submit=NotesState.send_note,
        id="composer",
        width="100%",
        position="sticky",
        bottom="0",
        background=rx.color("gray", 1),
        padding_y=theme.space(3),
    )


@page(route=routes.NOTES, title="Notes", owner_only=True, on_load=[NotesState.load_notes])
def notes_page() -> rx.Component:
    return rx.vstack(
        page_header("Notes", new_workspace_dialog(), workspace_settings()),
        rx.hstack(rx.foreach(NotesState.workspaces, workspace_button), wrap="wrap", spacing="2"),
        search_bar(),
        search_results(),
        rx.cond(
            NotesState.error != "",
            rx.callout(NotesState.error, color_scheme="red", icon="triangle-alert", id="notes-error"),
        ),
        rx.cond(
            NotesState.older_from != "",
            rx.button("Load older days", variant="ghost", on_click=NotesState.load_older, id="load-older"),
        ),
        rx.box(
            rx.foreach(NotesState.days, day_section),
            rx.cond(
                NotesState.days.length() == 0,
                rx.text("No notes in the last 30 days. Write one below.", color_scheme="gray"),
            ),
            width="100%",
            id="notes-list",
        ),
        composer(),
        width="100%",
        spacing="3",
    )
