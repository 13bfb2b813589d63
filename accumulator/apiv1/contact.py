"""`/api/v1` for contact messages: the inbox (newest first, or the unread ones), its unread count,
one message, marking read or unread, deleting. contact/reads.py and contact/actions.py do the work."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from accumulator.apiv1.contract import Call, Operation, PathParam
from accumulator.apiv1.shapes import (
    UUID_PATTERN,
    Listing,
    Page,
    Strict,
    Timestamp,
    decode_keyset,
    keyset_cursor,
    not_found,
)
from accumulator.contact import actions, reads
from accumulator.contact.models import ContactMessage
from accumulator.routes import MESSAGES
from accumulator.web import public_origin

MESSAGE_ID = {"message_id": PathParam("The message's id (a UUID).", pattern=UUID_PATTERN, max_length=36)}


class MessageOut(BaseModel):
    id: str = Field(description="The message's id (a UUID).")
    email: str = Field(description="The address the sender gave, to answer them.")
    message: str = Field(description="What they wrote (plain text), as written.")
    created_at: Timestamp = Field(description="When it was sent.")
    read_at: Timestamp | None = Field(description="When it was marked read; null while unread.")
    unread: bool = Field(description="Not marked read yet.")
    url: str = Field(description="The owner's inbox, where it is shown.")


class UnreadOut(BaseModel):
    unread: int = Field(description="Messages not marked read (the count in the navigation).")


class MessagesQuery(Page):
    unread: bool = Field(False, description="Only the unread messages.")


class MarkIn(Strict):
    read: bool = Field(description="true: mark it read; false: unread again.")


def _message_out(call: Call, row: ContactMessage) -> dict[str, Any]:
    return {
        "id": row.id,
        "email": row.email,
        "message": row.message,
        "created_at": row.created_at,
        "read_at": row.read_at,
        "unread": row.read_at is None,
        "url": f"{public_origin(call.request, call.svc.settings.trusted_proxy_hops)}{MESSAGES}",
    }


async def _answer(call: Call) -> dict[str, Any]:
    row = await reads.message(call.svc, message_id=call.path["message_id"])
    if row is None:
        raise not_found("message")
    return _message_out(call, row)


async def list_messages(call: Call) -> dict[str, Any]:
    query: MessagesQuery = call.query
    rows = await reads.messages_before(
        call.svc, unread_only=query.unread, before=decode_keyset(query.cursor, str), limit=query.limit + 1
    )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    cursor = keyset_cursor(rows[-1].created_at, rows[-1].id) if more else None
    return {"items": [_message_out(call, row) for row in rows], "next_cursor": cursor}


async def unread_count(call: Call) -> dict[str, Any]:
    return {"unread": await reads.unread_count(call.svc)}


async def get_message(call: Call) -> dict[str, Any]:
    return await _answer(call)


async def mark(call: Call) -> dict[str, Any]:
    if not await actions.mark_read(call.svc, message_id=call.path["message_id"], read=call.body.read):
        raise not_found("message")
    return await _answer(call)


async def delete_message(call: Call) -> None:
    if not await actions.delete_message(call.svc, message_id=call.path["message_id"]):
        raise not_found("message")


OPERATIONS = [
    Operation(
        "GET",
        "/messages",
        "listMessages",
        "List contact messages, newest first",
        "contact",
        "read",
        list_messages,
        answer=Listing[MessageOut],
        query=MessagesQuery,
    ),
    Operation(
        "GET",
        "/messages/unread-count",
        "countUnreadMessages",
        "Count unread contact messages",
        "contact",
        "read",
        unread_count,
        answer=UnreadOut,
    ),
    Operation(
        "GET",
        "/messages/{message_id}",
        "getMessage",
        "Get a contact message",
        "contact",
        "read",
        get_message,
        answer=MessageOut,
        path_params=MESSAGE_ID,
    ),
    Operation(
        "PATCH",
        "/messages/{message_id}",
        "markMessage",
        "Mark a contact message read or unread",
        "contact",
        "write",
        mark,
        answer=MessageOut,
        body=MarkIn,
        path_params=MESSAGE_ID,
    ),
    Operation(
        "DELETE",
        "/messages/{message_id}",
        "deleteMessage",
        "Delete a contact message",
        "contact",
        "write",
        delete_message,
        status=204,
        path_params=MESSAGE_ID,
    ),
]
