"""What the tokens page shows."""

from __future__ import annotations

from typing import TypedDict

from sqlmodel import Session

from accumulator.db import utcnow
from accumulator.runtime import Services, in_transaction
from accumulator.timefmt import ago_text, left_text, local_text
from accumulator.tokens import service


class TokenRow(TypedDict):
    id: int
    name: str
    scope: str
    created: str
    last_used: str  # "never", or "5 minutes ago from 203.0.113.7"
    expires: str  # "never", "in 29 days", "expired 2026-11-27 14:05"
    expired: bool


async def tokens(svc: Services) -> list[TokenRow]:
    zone, now = svc.settings.zone, utcnow()

    def load(session: Session) -> list[TokenRow]:
        rows = []
        for row in service.list_tokens(session=session):
            expired = service.is_expired(row, now)
            if row.expires_at is None:
                expires = "never"
            elif expired:
                expires = f"expired {local_text(row.expires_at, zone)}"
            else:
                expires = f"in {left_text(row.expires_at, now)}"
            used = "never"
            if row.last_used_at is not None:
                used = f"{ago_text(row.last_used_at, now)} from {row.last_used_ip or 'an unknown address'}"
            rows.append(
                TokenRow(
                    id=row.id,
                    name=row.name,
                    scope=row.scope,
                    created=local_text(row.created_at, zone),
                    last_used=used,
                    expires=expires,
                    expired=expired,
                )
            )
        return rows

    return await in_transaction(svc, load)
