"""The owner's paste bin: the list, one paste, and the editor (new and edit)."""

from __future__ import annotations

import reflex as rx

from accumulator import routes
from accumulator.pastes import highlight, service
from accumulator.pastes.models import TITLE_MAX
from accumulator.pastes.reads import FileRow, PasteRow
from accumulator.pastes.receipts_view import receipts_panel
from accumulator.pastes.state import PasteEditorState, PastesState, PasteViewState
from accumulator.public_html import highlight_css
from accumulator.settings import get_settings
from accumulator.ui import theme
from accumulator.ui.confirm import confirm
from accumulator.ui.layout import page, page_header

NEW = f"{routes.PASTES}/new"
VIEW = f"{routes.PASTES}/[paste_id]"
EDIT = f"{routes.PASTES}/[paste_id]/edit"


def copy_link_button(share_url) -> rx.Component:
    return rx.button(
        rx.icon("link", size=16),
        "Copy link",
        variant="soft",
        size="2",
        on_click=rx.call_script(f"navigator.clipboard.writeText(location.origin + {share_url.to_string()})"),
        type="button",
    )


def confirm_delete(trigger: rx.Component, title, on_confirm) -> rx.Component:
    return confirm(
        trigger,
        title=("Delete this paste?",),
        description=rx.text("“", title, "” and its files will be deleted for good. Shared links stop working."),
        action="Delete",
        on_confirm=on_confirm,
    )


# The list


def paste_row(row: PasteRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(row["title"], href=f"{routes.PASTES}/" + row["id"], weight="medium"),
            rx.cond(row["burn"], rx.badge("burns after reading", color_scheme="orange", margin_left="8px")),
            max_width="320px",
            style={"overflow_wrap": "anywhere"},
        ),
        rx.table.cell(row["size"], white_space="nowrap"),
        rx.table.cell(row["files"], display=theme.DESKTOP_CELL),
        rx.table.cell(
            rx.cond(
                row["is_shared"],
                rx.badge(rx.icon("globe", size=12), "shared", color_scheme="green"),
                rx.badge(rx.icon("lock", size=12), "private", color_scheme="gray"),
            )
        ),
        rx.table.cell(row["expires"], white_space="nowrap", display=theme.DESKTOP_CELL),
        rx.table.cell(
            confirm_delete(
                rx.icon_button(rx.icon("trash-2", size=16), variant="ghost", color_scheme="red", aria_label="Delete"),
                row["title"],
                PastesState.delete(row["id"]),
            )
        ),
        class_name="paste-row",
    )


@page(route=routes.PASTES, title="Pastes", owner_only=True, on_load=[PastesState.load_list])
def pastes_page() -> rx.Component:
    return rx.vstack(
        page_header("Pastes", rx.link(rx.button(rx.icon("plus", size=16), "New paste"), href=NEW)),
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search titles",
            on_change=PastesState.search.debounce(250),
            width="100%",
            max_width="400px",
            id="paste-search",
        ),
        rx.cond(
            PastesState.pastes.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Title"),
                        rx.table.column_header_cell("Size"),
                        rx.table.column_header_cell("Files", display=theme.DESKTOP_CELL),
                        rx.table.column_header_cell("Visibility"),
                        rx.table.column_header_cell("Expires", display=theme.DESKTOP_CELL),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(PastesState.pastes, paste_row)),
                width="100%",
                variant="surface",
            ),
            rx.cond(
                PastesState.loaded,
                rx.text(
                    rx.cond(PastesState.query != "", "No paste has that in its title.", "No pastes yet."),
                    color_scheme="gray",
                ),
            ),
        ),
        width="100%",
        spacing="4",
    )


# One paste


def file_list(files, removable: bool = False) -> rx.Component:
    def item(file: FileRow) -> rx.Component:
        name = rx.link(rx.icon("paperclip", size=14), file["name"], href=file["url"], download=True)
        return rx.hstack(
            rx.el.input(
                type="checkbox", name="keep_file", value=file["id"], default_checked=True, aria_label="Keep this file"
            )
            if removable
            else rx.fragment(),
            name,
            rx.spacer(),
            rx.text(file["size"], color_scheme="gray", size="2", white_space="nowrap"),
            align="center",
            width="100%",
            style={"overflow_wrap": "anywhere"},
            class_name="paste-file",
        )

    return rx.vstack(rx.foreach(files, item), width="100%", spacing="2")


def paste_view() -> rx.Component:
    state = PasteViewState
    return rx.vstack(
        page_header(
            state.title,
            rx.link(
                rx.button(rx.icon("pencil", size=16), "Edit", variant="soft"),
                href=f"{routes.PASTES}/" + state.shown_id + "/edit",
            ),
            confirm_delete(
                rx.button(rx.icon("trash-2", size=16), "Delete", variant="soft", color_scheme="red"),
                state.title,
                PasteViewState.delete,
            ),
        ),
        rx.hstack(
            rx.cond(
                state.is_shared,
                rx.badge(rx.icon("globe", size=12), "shared", color_scheme="green"),
                rx.badge(rx.icon("lock", size=12), "private", color_scheme="gray"),
            ),
            rx.cond(state.burn, rx.badge("burns after reading", color_scheme="orange")),
            rx.text(state.language, " · ", state.size, " · expires ", state.expires, size="2", color_scheme="gray"),
            align="center",
            wrap="wrap",
            id="paste-meta",
        ),
        receipts_panel(),
        rx.hstack(
            rx.cond(
                state.is_shared,
                rx.fragment(
                    copy_link_button(state.share_url),
                    rx.link(
                        rx.button(rx.icon("external-link", size=16), "Open shared page", variant="soft"),
                        href=state.share_url,
                        is_external=True,
                    ),
                ),
            ),
            rx.link(
                rx.button(rx.icon("file-text", size=16), "Raw", variant="soft", color_scheme="gray"),
                href=f"/api/pastes/{state.shown_id}/raw",
                is_external=True,
            ),
            wrap="wrap",
        ),
        rx.cond(
            state.content_html != "",
            rx.box(
                rx.html(state.content_html),
                id="paste-content",
                width="100%",
                overflow_x="auto",
                border=f"1px solid {rx.color('gray', 5)}",
                border_radius="var(--radius-3)",
                style={
                    "& pre": {
                        "margin": "0",
                        "padding": "12px",
                        "font_size": "13px",
                        "line_height": "1.5",
                        "tab_size": "4",
                    },
                    "& .highlight": {"background": rx.color("gray", 2)},
                },
            ),
        ),
        rx.cond(
            state.files.length() > 0,
            rx.vstack(rx.heading("Files", size="4"), file_list(state.files), width="100%", id="paste-files-list"),
        ),
        width="100%",
        spacing="3",
    )


def not_found(message: str) -> rx.Component:
    return rx.vstack(
        page_header("Paste not found"),
        rx.text(message, color_scheme="gray"),
        rx.link("Back to your pastes", href=routes.PASTES),
        width="100%",
    )


@page(route=VIEW, title="Paste", owner_only=True, on_load=[PasteViewState.load_paste])
def paste_page() -> rx.Component:
    return rx.fragment(
        rx.el.style(highlight_css()),
        rx.cond(
            PasteViewState.found,
            paste_view(),
            not_found("There is no paste here. It may have expired or been deleted."),
        ),
    )


# The editor


def native_select(name: str, options: list[tuple[str, str]], default, field_id: str) -> rx.Component:
    return rx.el.select(
        *(rx.el.option(label, value=value) for value, label in options),
        name=name,
        id=field_id,
        default_value=default,
        style=theme.NATIVE_FIELD,
    )


def labelled(label: str, field: rx.Component, html_for: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=html_for), field, spacing="1", align="start"
    )


def editor() -> rx.Component:
    state = PasteEditorState
    settings = get_settings()
    languages = [(highlight.AUTO, "Detect automatically"), *highlight.LANGUAGES.items()]
    expiries = [(key, label) for key, (label, _) in service.EXPIRY.items()]
    return rx.el.form(
        rx.vstack(
            rx.input(
                name="title",
                id="paste-title",
                placeholder="Title (optional)",
                default_value=state.title,
                max_length=TITLE_MAX,
                width="100%",
                size="3",
            ),
            rx.text_area(
                name="content",
                id="paste-content-field",
                default_value=state.content,
                placeholder="Paste or write here. Ctrl+Enter saves.",
                rows="18",
                width="100%",
                resize="vertical",
                spellcheck=False,
                style={"font_family": "var(--code-font-family)", "font_size": "13px"},
            ),
            rx.hstack(
                labelled(
                    "Language", native_select("language", languages, state.language, "paste-language"), "paste-language"
                ),
                labelled(
                    "Expires after", native_select("expiry", expiries, state.expiry, "paste-expiry"), "paste-expiry"
                ),
                rx.vstack(
                    rx.el.label(
                        rx.el.input(type="checkbox", name="shared", id="paste-shared", default_checked=state.shared),
                        rx.text(" Shared: anyone with the link can read it", as_="span", size="2"),
                        style={"display": "flex", "gap": "6px", "align_items": "center"},
                    ),
                    rx.el.label(
                        rx.el.input(type="checkbox", name="burn", id="paste-burn", default_checked=state.burn),
                        rx.text(" Burn after reading: deleted once its link is opened", as_="span", size="2"),
                        style={"display": "flex", "gap": "6px", "align_items": "center"},
                    ),
                    spacing="1",
                ),
                wrap="wrap",
                spacing="5",
                align="end",
                width="100%",
            ),
            rx.cond(
                state.files.length() > 0,
                rx.vstack(
                    rx.text("Attached files (untick to remove)", size="2", weight="medium"),
                    file_list(state.files, removable=True),
                    width="100%",
                ),
            ),
            rx.el.label(
                rx.icon("upload", size=18),
                rx.text(
                    f"Attach files: drop them here or choose (up to {service.MAX_FILES}, "
                    f"{settings.max_upload_mb} MB each)",
                    size="2",
                ),
                rx.el.input(type="file", id="paste-files", multiple=True, style={"max_width": "100%"}),
                rx.el.ul(id="paste-picked", style={"margin": "0", "padding_left": "18px", "font_size": "13px"}),
                html_for="paste-files",
                style={
                    "display": "flex",
                    "flex_direction": "column",
                    "gap": "8px",
                    "width": "100%",
                    "padding": "14px",
                    "border": f"2px dashed {rx.color('gray', 6)}",
                    "border_radius": "var(--radius-3)",
                    "cursor": "pointer",
                },
                id="paste-drop",
            ),
            rx.box(
                rx.el.progress(id="paste-progress", value=0, max=100, style={"width": "100%"}),
                rx.text("", id="paste-progress-text", size="2", color_scheme="gray"),
                id="paste-progress-box",
                hidden=True,
                width="100%",
            ),
            rx.text("", id="paste-error", role="alert", color_scheme="red", size="2"),
            rx.hstack(
                rx.link(
                    rx.button("Cancel", variant="soft", color_scheme="gray", type="button"),
                    href=rx.cond(state.editing_id != "", f"{routes.PASTES}/" + state.editing_id, routes.PASTES),
                ),
                rx.button("Save", type="button", id="paste-save", size="3"),
                justify="end",
                width="100%",
            ),
            width="100%",
            spacing="4",
        ),
        id="paste-editor",
        key=state.form_key.to_string(),
        custom_attrs={
            "data-paste-id": state.editing_id,
            "data-max-upload": str(settings.max_upload_bytes),
            "data-max-upload-mb": str(settings.max_upload_mb),
            "data-max-files": str(service.MAX_FILES),
        },
        width="100%",
    )


@page(route=NEW, title="New paste", owner_only=True, on_load=[PasteEditorState.load_new])
def new_paste_page() -> rx.Component:
    return rx.vstack(page_header("New paste"), editor(), width="100%")


@page(route=EDIT, title="Edit paste", owner_only=True, on_load=[PasteEditorState.load_edit])
def edit_paste_page() -> rx.Component:
    return rx.cond(
        PasteEditorState.found,
        rx.vstack(page_header("Edit paste"), editor(), width="100%"),
        not_found("There is no paste to edit here. It may have expired or been deleted."),
    )
