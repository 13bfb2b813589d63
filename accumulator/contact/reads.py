"""What the inbox shows, read off the event loop."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlmodel import Session

from accumulator.contact import service
from accumulator.contact.models import ContactMessage
from accumulator.runtime import Services, in_transaction
from accumulator.timefmt import local_text


class MessageRow(TypedDict):
    id: str
    email: str
    message: str
    when: str
    unread: bool


async def inbox(svc: Services) -> list[MessageRow]:
    zone = svc.settings.zone

    def read(session: Session) -> list[MessageRow]:
        return [
            MessageRow(
                id=row.id,
                email=row.email,
                message=row.message,
                when=local_text(row.created_at, zone),
                unread=row.read_at is None,
            )
            for row in service.inbox(session=session)
        ]

    return await in_transaction(svc, read)


async def messages_before(
    svc: Services, *, unread_only: bool = False, before: tuple[datetime, str] | None = None, limit: int = 50
) -> list[ContactMessage]:
    """The rows themselves, for the token API (apiv1/contact.py), which shapes them as it describes."""
    return await in_transaction(svc, service.messages_before, unread_only=unread_only, before=before, limit=limit)


async def message(svc: Services, *, message_id: str) -> ContactMessage | None:
    return await in_transaction(svc, service.message, message_id=message_id)


async def unread_count(svc: Services) -> int:
    return await in_transaction(svc, service.unread_count)
