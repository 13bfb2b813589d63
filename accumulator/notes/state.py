"""The owner's notes page: a thin state over notes/actions.py (changes) and notes/reads.py (what
it shows). Note bodies arrive rendered and sanitised, so the page only places trusted HTML."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import Annotated, ClassVar

import reflex as rx

from accumulator.notes import actions, reads, service
from accumulator.notes.actions import NOTES_TOPIC, NotesChanged
from accumulator.notes.models import NOTE_MAX, TITLE_MAX
from accumulator.notes.reads import DayRow, HitRow, WorkspaceRow
from accumulator.runtime import get_services
from accumulator.ui.access import MaxLength, owner
from accumulator.ui.live import follow
from accumulator.ui.owner import OwnerState

NoteForm = Annotated[dict, MaxLength(NOTE_MAX)]
NoteText = Annotated[str, MaxLength(NOTE_MAX)]
QUERY_MAX = 200

__all__ = ["DayRow", "HitRow", "NotesState", "WorkspaceRow"]


class NotesState(OwnerState):
    follows: ClassVar[tuple] = (NOTES_TOPIC,)

    workspaces: list[WorkspaceRow] = []
    current_id: int = 0
    days: list[DayRow] = []
    older_from: str = ""
    draft: str = ""  # what the composer starts with (a note being edited), not every keystroke
    composer_key: int = 0  # bumped to give the composer a fresh start with `draft`
    preview: bool = False
    preview_html: str = ""
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

    def _reset_composer(self, text: str = "") -> None:
        self.draft, self.preview, self.preview_html = text, False, ""
        self.composer_key += 1

    # Loading

    async def _load_workspaces(self) -> None:
        self.workspaces = await reads.workspaces(get_services())
        if not any(row["id"] == self.current_id for row in self.workspaces):
            self.current_id = self.workspaces[0]["id"] if self.workspaces else 0

    async def _load_days(self, through: date | None = None, *, prepend: bool = False) -> None:
        days, self.older_from = await reads.days(get_services(), workspace_id=self.current_id, through=through)
        self.days = days + self.days if prepend else days

    async def _reload(self) -> None:
        await self._load_workspaces()
        await self._load_days()

    async def _on_change(self, message: NotesChanged) -> None:
        await self._reload()

    async def _act(self, change: Awaitable[object]) -> bool:
        """Run an action; a refused input becomes the page's message."""
        try:
            await change
        except service.NotesError as error:
            self.error = str(error)
            return False
        self.error = ""
        return True

    @owner
    async def load_notes(self):
        follow(self)
        await self._reload()
        return rx.scroll_to("composer")

    @owner
    async def load_older(self):
        if self.older_from:
            await self._load_days(date.fromisoformat(self.older_from), prepend=True)

    # Workspaces

    @owner
    async def switch_workspace(self, workspace_id: int):
        self.current_id = workspace_id
        self.editing_id, self.hits, self.searched = 0, [], False
        self._reset_composer()
        await self._reload()

    @owner
    async def create_workspace(self, form: dict):
        title, public = str(form.get("title") or ""), bool(form.get("public"))
        try:
            self.current_id = await actions.create_workspace(get_services(), title=title, is_public=public)
        except service.NotesError as error:
            self.error = str(error)
            return
        self.error = ""
        await self._reload()

    @owner
    async def rename_workspace(self, form: dict):
        title = str(form.get("title") or "")[: TITLE_MAX * 4]
        if await self._act(actions.rename_workspace(get_services(), workspace_id=self.current_id, title=title)):
            await self._load_workspaces()

    @owner
    async def toggle_public(self):
        public = not self.current["is_public"]
        if await self._act(actions.set_public(get_services(), workspace_id=self.current_id, is_public=public)):
            await self._load_workspaces()

    @owner
    async def regenerate_link(self):
        if await self._act(actions.regenerate_link(get_services(), workspace_id=self.current_id)):
            await self._load_workspaces()
            return rx.toast.success("New public link made; the old one no longer works.")

    @owner
    async def delete_workspace(self):
        if await self._act(actions.delete_workspace(get_services(), workspace_id=self.current_id)):
            self.current_id = 0
            await self._reload()

    # Notes

    @owner
    async def toggle_preview(self):
        # The composer's text lives in the browser until it is sent; the preview asks for it.
        if self.preview:
            self.preview = False
            return None
        return rx.call_script("document.getElementById('composer-text').value", callback=NotesState.show_preview)

    @owner
    async def update_preview(self, text: NoteText):
        """While the preview is open it follows the typing; otherwise keystrokes cost nothing here."""
        if self.preview:
            self.preview_html = await reads.preview(text)

    @owner
    async def show_preview(self, text: NoteText):
        self.preview_html, self.preview = await reads.preview(text), True

    @owner
    async def send_note(self, form: NoteForm):
        text, svc = str(form.get("text") or ""), get_services()
        if self.editing_id:
            done = await self._act(actions.edit_note(svc, note_id=self.editing_id, text=text))
        else:
            done = await self._act(actions.add_note(svc, workspace_id=self.current_id, text=text))
        if done:
            self.editing_id = 0
            self._reset_composer()
            await self._load_days()
            return rx.scroll_to("composer")

    @owner
    async def start_edit(self, note_id: int):
        for day in self.days:
            for note in day["notes"]:
                if note["id"] == note_id:
                    self.editing_id = note_id
                    self._reset_composer(note["text"])
        return rx.set_focus("composer-text")

    @owner
    async def cancel_edit(self):
        self.editing_id = 0
        self._reset_composer()

    @owner
    async def delete_note(self, note_id: int):
        if await self._act(actions.delete_note(get_services(), note_id=note_id)):
            await self._load_days()

    # Search

    @owner
    async def set_query(self, value: Annotated[str, MaxLength(QUERY_MAX * 10)]):
        self.query = value[:QUERY_MAX]

    @owner
    async def set_search_everywhere(self, value: bool):
        self.search_everywhere = value

    @owner
    async def run_search(self, form: dict | None = None):
        workspace = None if self.search_everywhere else self.current_id
        self.hits = await reads.search(get_services(), query=self.query, workspace_id=workspace)
        self.searched = True

    @owner
    async def clear_search(self):
        self.query, self.hits, self.searched = "", [], False

    @owner
    async def jump_to(self, note_id: int, workspace_id: int, day: Annotated[str, MaxLength(10)]):
        """Open the note's workspace at the note's day and scroll to it."""
        try:
            through = date.fromisoformat(day)
        except ValueError:
            return None
        self.current_id = workspace_id
        await self._load_workspaces()
        await self._load_days(through)
        self.hits, self.searched = [], False
        return rx.scroll_to(f"note-{note_id}")
