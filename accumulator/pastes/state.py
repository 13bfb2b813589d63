"""The owner's paste pages: thin states over pastes/service.py.

Paste bodies and files are saved by the editor's script over HTTP (pastes/api.py); these states
only read, and delete. Content reaches the page as Pygments output, which escapes every character.
"""

from __future__ import annotations

from typing import TypedDict

import reflex as rx

from accumulator import routes
from accumulator.api import get_services
from accumulator.db import session_scope, utcnow
from accumulator.pastes import highlight, service
from accumulator.pastes.models import Paste, PasteFile
from accumulator.sizes import size_text
from accumulator.timefmt import left_text, local_text
from accumulator.ui.live import follow
from accumulator.ui.owner import OwnerState


class PasteRow(TypedDict):
    id: str
    title: str
    size: str
    files: int
    is_shared: bool
    burn: bool
    expires: str
    share_url: str


class FileRow(TypedDict):
    id: str
    name: str
    size: str
    url: str


def _expires(paste_expiry, now) -> str:
    return "never" if paste_expiry is None else f"in {left_text(paste_expiry, now)}"


def _file_rows(paste_id: str, files: list[PasteFile]) -> list[FileRow]:
    return [
        FileRow(id=f.id, name=f.name, size=size_text(f.size), url=f"/api/pastes/{paste_id}/files/{f.id}") for f in files
    ]


async def _delete(paste_id: str) -> bool:
    """Delete a paste and its files, and tell every open view; False if it was already gone."""
    svc = get_services()
    with session_scope() as session:
        removed = service.delete_paste(session=session, paste_id=paste_id, now=utcnow())
    if removed is None:
        return False
    for file_id in removed:
        svc.file_store.delete(file_id)
    await svc.bus.publish(service.PASTES_TOPIC, paste_id)
    return True


class PastesState(OwnerState):
    """/bin: every paste, searchable by title."""

    pastes: list[PasteRow] = []
    query: str = ""
    loaded: bool = False

    def _load(self) -> None:
        now = utcnow()
        with session_scope() as session:
            rows = service.list_pastes(session=session, now=now, query=self.query)
        self.pastes = [
            PasteRow(
                id=row.id,
                title=row.title or "Untitled paste",
                size=size_text(row.size + row.file_bytes),
                files=row.file_count,
                is_shared=row.is_shared,
                burn=row.burn_after_reading,
                expires=_expires(row.expires_at, now),
                share_url=f"/p/{row.slug}" if row.is_shared else "",
            )
            for row in rows
        ]
        self.loaded = True

    def _on_change(self, message: str) -> None:
        self._load()

    @rx.event
    def load_list(self):
        if not self._verify_owner():
            return self._login_redirect()
        follow(self)
        self._load()

    @rx.event
    def search(self, query: str):
        if not self._verify_owner():
            return self._login_redirect()
        self.query = query[:200]
        self._load()

    @rx.event
    async def delete(self, paste_id: str):
        if not self._verify_owner():
            return self._login_redirect()
        await _delete(paste_id)
        self._load()
        return rx.toast("Paste deleted.")


class PasteViewState(OwnerState):
    """/bin/<id>: one paste as the owner sees it; follows edits made in other tabs."""

    found: bool = True
    shown_id: str = ""
    title: str = ""
    content_html: str = ""
    language: str = ""
    size: str = ""
    expires: str = ""
    created: str = ""
    is_shared: bool = False
    burn: bool = False
    share_url: str = ""
    files: list[FileRow] = []

    def _load(self, paste_id: str) -> None:
        now = utcnow()
        with session_scope() as session:
            paste = service.get_paste(session=session, paste_id=paste_id, now=now)
            files = service.files_of(session=session, paste_id=paste_id) if paste else []
        self.shown_id = paste_id
        self.found = paste is not None
        if paste is None:
            self.title, self.content_html, self.files = "", "", []
            return
        self._show(paste, files, now)

    def _show(self, paste: Paste, files: list[PasteFile], now) -> None:
        self.title = paste.title or "Untitled paste"
        self.content_html = highlight.to_html(paste.content, paste.shown_as) if paste.content else ""
        self.language = highlight.label(paste.shown_as)
        self.size = size_text(paste.size)
        self.expires = _expires(paste.expires_at, now)
        self.created = local_text(paste.created_at, get_services().settings.zone)
        self.is_shared = paste.is_shared
        self.burn = paste.burn_after_reading
        self.share_url = f"/p/{paste.slug}" if paste.is_shared else ""
        self.files = _file_rows(paste.id, files)

    def _on_change(self, message: str) -> None:
        if message == self.shown_id:
            self._load(self.shown_id)

    @rx.event
    def load_paste(self):
        if not self._verify_owner():
            return self._login_redirect()
        follow(self)
        self._load(self.paste_id)

    @rx.event
    async def delete(self):
        if not self._verify_owner():
            return self._login_redirect()
        await _delete(self.shown_id)
        return [rx.redirect(routes.PASTES), rx.toast("Paste deleted.")]


class PasteEditorState(OwnerState):
    """/bin/new and /bin/<id>/edit: what the form starts with. Saving is the page script's job."""

    editing_id: str = ""
    found: bool = True
    title: str = ""
    content: str = ""
    language: str = highlight.AUTO
    expiry: str = service.DEFAULT_EXPIRY
    burn: bool = False
    shared: bool = False
    files: list[FileRow] = []
    form_key: int = 0  # bumped so the uncontrolled fields start again from the values above

    def _fill(self, paste: Paste | None, files: list[PasteFile]) -> None:
        self.editing_id = paste.id if paste else ""
        self.title = paste.title if paste else ""
        self.content = paste.content if paste else ""
        self.language = paste.language if paste else highlight.AUTO
        self.expiry = paste.expiry if paste else service.DEFAULT_EXPIRY
        self.burn = paste.burn_after_reading if paste else False
        self.shared = paste.is_shared if paste else False
        self.files = _file_rows(paste.id, files) if paste else []
        self.form_key += 1

    @rx.event
    def load_new(self):
        if not self._verify_owner():
            return self._login_redirect()
        self.found = True
        self._fill(None, [])

    @rx.event
    def load_edit(self):
        if not self._verify_owner():
            return self._login_redirect()
        with session_scope() as session:
            paste = service.get_paste(session=session, paste_id=self.paste_id, now=utcnow())
            files = service.files_of(session=session, paste_id=paste.id) if paste else []
        self.found = paste is not None
        self._fill(paste, files)
