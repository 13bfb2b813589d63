"""The owner's notes page: thin state over notes/service.py. Note bodies arrive here already
rendered and sanitised (markdown.render), so the page only places trusted HTML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypedDict
from zoneinfo import ZoneInfo

import reflex as rx
from sqlmodel import Session

from accumulator.api import get_services
from accumulator.db import session_scope, utcnow
from accumulator.notes import service
from accumulator.notes.markdown import render
from accumulator.notes.service import NOTES_TOPIC
from accumulator.ui.live import follow
from accumulator.ui.owner import OwnerState


class WorkspaceRow(TypedDict):
    id: int
    title: str
    is_public: bool
    public_id: str


class NoteRow(TypedDict):
    id: int
    html: str
    text: str
    time: str


class DayRow(TypedDict):
    day: str
    heading: str
    notes: list[NoteRow]


class HitRow(TypedDict):
    note_id: int
    workspace_id: int
    workspace_title: str
    day: str
    snippet: str


class NotesState(OwnerState):
    workspaces: list[WorkspaceRow] = []
    current_id: int = 0
    days: list[DayRow] = []
    older_from: str = ""
    draft: str = ""  # what the composer starts with (a note being edited), not every keystroke
    composer_key: int = 0  # bumped to give the composer a fresh start with `draft`
    preview: bool = False
    preview_text: str = ""
    editing_id: int = 0
    error: str = ""
    query: str = ""
    search_everywhere: bool = False
    hits: list[HitRow] = []
    searched: bool = False

    @rx.var
    def current(self) -> WorkspaceRow:
        for row in self.workspaces:
            if row["id"] == self.current_id:
                return row
        return WorkspaceRow(id=0, title="", is_public=False, public_id="")

    @rx.var
    def preview_html(self) -> str:
        return render(self.preview_text) if self.preview and self.preview_text.strip() else ""

    def _reset_composer(self, text: str = "") -> None:
        self.draft, self.preview, self.preview_text = text, False, ""
        self.composer_key += 1

    # Loading

    def _load_workspaces(self) -> None:
        with session_scope() as session:
            rows = service.list_workspaces(session=session)
        self.workspaces = [
            WorkspaceRow(id=row.id, title=row.title, is_public=row.is_public, public_id=row.public_id) for row in rows
        ]
        if not any(row["id"] == self.current_id for row in self.workspaces):
            self.current_id = self.workspaces[0]["id"] if self.workspaces else 0

    def _load_days(self, through: date | None = None, *, prepend: bool = False) -> None:
        zone = get_settings_zone()
        with session_scope() as session:
            page = service.notes_by_day(
                session=session, workspace_id=self.current_id, zone=zone, now=utcnow(), through=through
            )
        days = [
            DayRow(
                day=group.day.isoformat(),
                heading=group.heading,
                notes=[
                    NoteRow(
                        id=note.id,
                        html=render(note.text),
                        text=note.text,
                        time=note.created_at.astimezone(zone).strftime("%H:%M"),
                    )
                    for note in group.notes
                ],
            )
            for group in page.days
        ]
        self.days = days + self.days if prepend else days
        self.older_from = page.older_from.isoformat() if page.older_from else ""

    def _reload(self) -> None:
        self._load_workspaces()
        self._load_days()

    def _on_change(self, message: str) -> None:
        self._reload()

    @rx.event
    def load_notes(self):
        if not self._verify_owner():
            return self._login_redirect()
        follow(self)
        self._reload()
        return rx.scroll_to("composer")

    @rx.event
    def load_older(self):
        if not self._verify_owner():
            return self._login_redirect()
        if self.older_from:
            self._load_days(date.fromisoformat(self.older_from), prepend=True)

    # Workspaces

    def _act(self, action: Callable[[Session], object]) -> bool:
        """Run a service call in a transaction; a refused input becomes the page's message."""
        try:
            with session_scope() as session:
                action(session)
        except service.NotesError as error:
            self.error = str(error)
            return False
        self.error = ""
        return True

    @rx.event
    def switch_workspace(self, workspace_id: int):
        if not self._verify_owner():
            return self._login_redirect()
        self.current_id = workspace_id
        self.editing_id, self.hits, self.searched = 0, [], False
        self._reset_composer()
        self._reload()

    @rx.event
    def create_workspace(self, form: dict):
        if not self._verify_owner():
            return self._login_redirect()
        created: list[int] = []

        def create(session: Session) -> None:
            created.append(
                service.create_workspace(
                    session=session, title=str(form.get("title", "")), is_public=bool(form.get("public"))
                ).id
            )

        if self._act(create):
            self.current_id = created[0]
            self._reload()

    @rx.event
    def rename_workspace(self, form: dict):
        if not self._verify_owner():
            return self._login_redirect()
        title = str(form.get("title", ""))
        if self._act(lambda s: service.rename_workspace(session=s, workspace_id=self.current_id, title=title)):
            self._load_workspaces()

    @rx.event
    async def toggle_public(self):
        if not self._verify_owner():
            return self._login_redirect()
        public = not self.current["is_public"]
        if self._act(lambda s: service.set_public(session=s, workspace_id=self.current_id, is_public=public)):
            self._load_workspaces()
            await announce_change(self.current_id)

    @rx.event
    def regenerate_link(self):
        if not self._verify_owner():
            return self._login_redirect()
        if self._act(lambda s: service.regenerate_public_id(session=s, workspace_id=self.current_id)):
            self._load_workspaces()
            return rx.toast.success("New public link made; the old one no longer works.")

    @rx.event
    async def delete_workspace(self):
        if not self._verify_owner():
            return self._login_redirect()
        deleted = self.current_id
        if self._act(lambda s: service.delete_workspace(session=s, workspace_id=deleted)):
            self.current_id = 0
            self._reload()
            await announce_change(deleted)

    # Notes

    @rx.event
    def toggle_preview(self):
        # The composer's text lives in the browser until it is sent; the preview asks for it.
        if self.preview:
            self.preview = False
            return None
        return rx.call_script("document.getElementById('composer-text').value", callback=NotesState.show_preview)

    @rx.event
    def update_preview(self, text: str):
        """While the preview is open it follows the typing; otherwise keystrokes cost nothing here."""
        if self.preview:
            self.preview_text = text[: service.NOTE_MAX + 1]

    @rx.event
    def show_preview(self, text: str):
        self.preview_text, self.preview = str(text)[: service.NOTE_MAX + 1], True

    @rx.event
    async def send_note(self, form: dict):
        if not self._verify_owner():
            return self._login_redirect()
        text = str(form.get("text", ""))
        now = utcnow()
        if self.editing_id:
            note_id = self.editing_id
            done = self._act(lambda s: service.edit_note(session=s, note_id=note_id, text=text, now=now))
        else:
            done = self._act(lambda s: service.add_note(session=s, workspace_id=self.current_id, text=text, now=now))
        if done:
            self.editing_id = 0
            self._reset_composer()
            self._load_days()
            await announce_change(self.current_id)
            return rx.scroll_to("composer")

    @rx.event
    def start_edit(self, note_id: int):
        for day in self.days:
            for note in day["notes"]:
                if note["id"] == note_id:
                    self.editing_id = note_id
                    self._reset_composer(note["text"])
        return rx.set_focus("composer-text")

    @rx.event
    def cancel_edit(self):
        self.editing_id = 0
        self._reset_composer()

    @rx.event
    async def delete_note(self, note_id: int):
        if not self._verify_owner():
            return self._login_redirect()
        if self._act(lambda s: service.delete_note(session=s, note_id=note_id)):
            self._load_days()
            await announce_change(self.current_id)

    # Search

    @rx.event
    def set_query(self, value: str):
        self.query = value[:200]

    @rx.event
    def set_search_everywhere(self, value: bool):
        self.search_everywhere = value

    @rx.event
    def run_search(self, form: dict | None = None):
        if not self._verify_owner():
            return self._login_redirect()
        with session_scope() as session:
            hits = service.search(
                session=session,
                query=self.query,
                zone=get_settings_zone(),
                workspace_id=None if self.search_everywhere else self.current_id,
            )
        self.hits = [
            HitRow(
                note_id=hit.note_id,
                workspace_id=hit.workspace_id,
                workspace_title=hit.workspace_title,
                day=hit.day.isoformat(),
                snippet=hit.snippet_html,
            )
            for hit in hits
        ]
        self.searched = True

    @rx.event
    def clear_search(self):
        self.query, self.hits, self.searched = "", [], False

    @rx.event
    def jump_to(self, hit: HitRow):
        """Open the note's workspace at the note's day and scroll to it."""
        if not self._verify_owner():
            return self._login_redirect()
        self.current_id = hit["workspace_id"]
        self._load_workspaces()
        self._load_days(date.fromisoformat(hit["day"]))
        self.hits, self.searched = [], False
        return rx.scroll_to(f"note-{hit['note_id']}")


def get_settings_zone() -> ZoneInfo:
    return get_services().settings.zone


async def announce_change(workspace_id: int) -> None:
    """Tell every open view of the notes (other tabs and devices, public pages, any process) that
    this workspace changed."""
    await get_services().bus.publish(NOTES_TOPIC, str(workspace_id))
