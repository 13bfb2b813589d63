"""The only way tokens change: making one (the owner's page and the CLI) and revoking one. One
transaction each, off the event loop."""

from __future__ import annotations

from sqlmodel import Session

from accumulator.db import utcnow
from accumulator.runtime import Services, in_transaction
from accumulator.tokens import service


async def create_token(svc: Services, *, name: str, scope: str, expires_days: int | None) -> str:
    """A new token; returns the raw token, shown once (only its keyed hash is kept)."""

    def create(session: Session) -> str:
        _row, raw = service.create_token(
            session=session,
            name=name,
            scope=scope,
            expires_days=expires_days,
            now=utcnow(),
            secret=svc.settings.secret_key,
        )
        return raw

    return await in_transaction(svc, create)


async def revoke_token(svc: Services, *, token_id: int) -> bool:
    """Revoke a token; refused from its very next request (nothing caches a token). False if gone."""
    return await in_transaction(svc, service.revoke_token, token_id=token_id)
