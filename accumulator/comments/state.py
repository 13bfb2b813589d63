"""The owner's comments page: thin, owner only; reads from reads.py, changes through actions.py."""

from __future__ import annotations

from typing import Annotated

import reflex as rx

from accumulator.comments import actions, reads, spam
from accumulator.comments.models import BODY_MAX, HOLD_NEW, PUBLISH
from accumulator.comments.reads import CommentRow, PageRow, SiteRow
from accumulator.runtime import get_services
from accumulator.ui.access import MaxLength, owner
from accumulator.ui.owner import OwnerState

__all__ = ["CommentRow", "CommentsState", "PageRow", "SiteRow"]


class CommentsState(OwnerState):
    queue: list[CommentRow] = []
    pages: list[PageRow] = []
    sites: list[SiteRow] = []
    words: str = ""
    page_key: str = ""  # the page opened below the list ("site\npath")
    page_rows: list[CommentRow] = []
    reply_to: int = 0

    async def _reload(self) -> None:
        svc = get_services()
        found = await reads.overview(svc)
        self.queue, self.pages, self.sites, self.words = found["queue"], found["pages"], found["sites"], found["words"]
        if self.page_key:
            site, _, path = self.page_key.partition("\n")
            self.page_rows = await reads.page_all(svc, site=site, path=path)

    @owner
    async def load_comments(self):
        self.reply_to = 0
        await self._reload()

    @owner
    async def open_page(self, key: str):
        self.page_key = key
        await self._reload()

    @owner
    async def approve(self, comment_id: int):
        await actions.approve(get_services(), comment_id=comment_id)
        await self._reload()

    @owner
    async def hide(self, comment_id: int):
        await actions.hide(get_services(), comment_id=comment_id)
        await self._reload()

    @owner
    async def delete_comment(self, comment_id: int):
        await actions.delete(get_services(), comment_id=comment_id)
        await self._reload()
        return rx.toast.success("Deleted, with its replies.")

    @owner
    async def block_author(self, comment_id: int):
        if await actions.block_author(get_services(), comment_id=comment_id):
            await self._reload()
            return rx.toast.success("Blocked: this author's comments are refused from now on.")
        return rx.toast.error("This comment has no author token to block.")

    @owner
    async def start_reply(self, comment_id: int):
        self.reply_to = comment_id

    @owner
    async def send_reply(self, form: Annotated[dict, MaxLength(BODY_MAX)]):
        try:
            await actions.reply_as_owner(get_services(), parent_id=self.reply_to, text=str(form.get("text", "")))
        except spam.Refused as exc:
            return rx.toast.error(str(exc))
        self.reply_to = 0
        await self._reload()
        return rx.toast.success("Replied.")

    @owner
    async def set_moderation(self, site: str, hold: bool):
        await actions.set_moderation(get_services(), site=site, moderation_mode=HOLD_NEW if hold else PUBLISH)
        await self._reload()

    @owner
    async def save_words(self, form: Annotated[dict, MaxLength(20_000)]):
        words = await actions.set_words(get_services(), text=str(form.get("words", "")))
        await self._reload()
        return rx.toast.success(f"The filter has {len(words)} words.")
