"""What the inbox shows, read off the event loop."""

from __future__ import annotations

from typing import TypedDict

from sqlmodel import Session

from accumulator.contact import service
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


async def unread_count(svc: Services) -> int:
    return await in_transaction(svc, service.unread_count)
