"""What the login and sessions pages show."""

from __future__ import annotations

from typing import TypedDict

from sqlmodel import Session

from accumulator.auth import service
from accumulator.db import utcnow
from accumulator.runtime import Services, in_transaction
from accumulator.timefmt import ago_text, local_text


class SessionRow(TypedDict):
    id: int
    device: str
    ip: str
    last_seen: str
    last_seen_ago: str
    created: str
    is_current: bool


async def owner_exists(svc: Services) -> bool:
    return await in_transaction(svc, lambda session: service.get_owner(session=session) is not None)


async def sessions(svc: Services, *, owner_id: int, current_id: int | None) -> list[SessionRow]:
    zone, now = svc.settings.zone, utcnow()

    def load(session: Session) -> list[SessionRow]:
        rows = service.list_sessions(session=session, owner_id=owner_id, current_id=current_id)
        return [
            SessionRow(
                id=row.id,
                device=row.device,
                ip=row.ip or "unknown",
                last_seen=local_text(row.last_seen_at, zone),
                last_seen_ago=ago_text(row.last_seen_at, now),
                created=local_text(row.created_at, zone),
                is_current=row.is_current,
            )
            for row in rows
        ]

    return await in_transaction(svc, load)
