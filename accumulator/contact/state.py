"""The owner's inbox: thin, owner only."""

from __future__ import annotations

import reflex as rx

from accumulator.contact import actions, reads
from accumulator.contact.reads import MessageRow
from accumulator.runtime import get_services
from accumulator.ui.access import owner
from accumulator.ui.nav_counts import NavCountsState
from accumulator.ui.owner import OwnerState

__all__ = ["MessageRow", "MessagesState"]


class MessagesState(OwnerState):
    messages: list[MessageRow] = []

    async def _reload(self):
        self.messages = await reads.inbox(get_services())
        return NavCountsState.load_counts  # the unread count in the navigation follows

    @owner
    async def load_messages(self):
        self.messages = await reads.inbox(get_services())

    @owner
    async def mark_read(self, message_id: str, read: bool):
        await actions.mark_read(get_services(), message_id=message_id, read=read)
        return await self._reload()

    @owner
    async def delete_message(self, message_id: str):
        await actions.delete_message(get_services(), message_id=message_id)
        await self._reload()
        return [NavCountsState.load_counts, rx.toast.success("Deleted.")]
