"""The owner's paste pages: thin states over pastes/actions.py and pastes/reads.py.

Paste bodies and files are saved by the editor's script over HTTP (pastes/api.py); these states
only read, and delete. Content reaches the page as Pygments output, which escapes every character.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

import reflex as rx

from accumulator import routes
from accumulator.pastes import actions, highlight, reads, service
from accumulator.pastes.actions import PASTES_TOPIC, PasteChanged
from accumulator.pastes.reads import BotRow, FileRow, PasteRow
from accumulator.runtime import get_services
from accumulator.ui.access import MaxLength, owner
from accumulator.ui.live import follow
from accumulator.ui.owner import OwnerState

PasteId = Annotated[str, MaxLength(64)]

__all__ = ["BotRow", "FileRow", "PasteEditorState", "PasteRow", "PasteViewState", "PastesState"]


class PastesState(OwnerState):
    """/bin: every paste, searchable by title."""

    follows: ClassVar[tuple] = (PASTES_TOPIC,)

    pastes: list[PasteRow] = []
    query: str = ""
    loaded: bool = False

    async def _load(self) -> None:
        self.pastes = await reads.rows(get_services(), query=self.query)
        self.loaded = True

    async def _on_change(self, message: PasteChanged) -> None:
        await self._load()

    @owner
    async def load_list(self):
        follow(self)
        await self._load()

    @owner
    async def search(self, query: Annotated[str, MaxLength(2000)]):
        self.query = query[:200]
        await self._load()

    @owner
    async def delete(self, paste_id: PasteId):
        await actions.delete_paste(get_services(), paste_id=paste_id)
        await self._load()
        return rx.toast("Paste deleted.")


class PasteViewState(OwnerState):
    """/bin/<id>: one paste as the owner sees it; follows edits made in other tabs."""

    follows: ClassVar[tuple] = (PASTES_TOPIC,)

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
    read_text: str = ""
    bots: list[BotRow] = []

    async def _load(self, paste_id: str) -> None:
        view = await reads.view(get_services(), paste_id=paste_id)
        self.shown_id, self.found = paste_id, view is not None
        if view is None:
            self.title, self.content_html, self.files, self.read_text, self.bots = "", "", [], "", []
            return
        self.title, self.content_html, self.language = view["title"], view["content_html"], view["language"]
        self.size, self.expires, self.created = view["size"], view["expires"], view["created"]
        self.is_shared, self.burn, self.share_url = view["is_shared"], view["burn"], view["share_url"]
        self.files, self.read_text, self.bots = view["files"], view["read_text"], view["bots"]

    async def _on_change(self, message: PasteChanged) -> None:
        if message.paste_id in ("", self.shown_id):
            await self._load(self.shown_id)

    @owner
    async def load_paste(self):
        follow(self)
        await self._load(str(self.paste_id)[:64])

    @owner
    async def delete(self):
        await actions.delete_paste(get_services(), paste_id=self.shown_id)
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

    def _fill(self, fields: reads.EditorFields | None) -> None:
        self.editing_id = fields["id"] if fields else ""
        self.title = fields["title"] if fields else ""
        self.content = fields["content"] if fields else ""
        self.language = fields["language"] if fields else highlight.AUTO
        self.expiry = fields["expiry"] if fields else service.DEFAULT_EXPIRY
        self.burn = fields["burn"] if fields else False
        self.shared = fields["shared"] if fields else False
        self.files = fields["files"] if fields else []
        self.form_key += 1

    @owner
    async def load_new(self):
        self.found = True
        self._fill(None)

    @owner
    async def load_edit(self):
        fields = await reads.editor_fields(get_services(), paste_id=str(self.paste_id)[:64])
        self.found = fields is not None
        self._fill(fields)
