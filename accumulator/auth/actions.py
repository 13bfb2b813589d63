"""The only way the owner account and its sessions change: logging in and out, revoking a session,
setting the owner (the CLI). One transaction each, off the event loop."""

from __future__ import annotations

from sqlmodel import Session

from accumulator.auth import service
from accumulator.db import utcnow
from accumulator.runtime import Services, in_transaction


async def log_in(svc: Services, *, email: str, password: str, ip: str, user_agent: str) -> str | None:
    """A new session's cookie token if the e-mail and password match the owner's, else None."""

    def check(session: Session) -> str | None:
        owner = service.authenticate(session=session, email=email, password=password)
        if owner is None:
            return None
        return service.start_session(
            session=session, owner=owner, ip=ip, user_agent=user_agent, now=utcnow(), secret=svc.settings.secret_key
        )

    return await in_transaction(svc, check)


async def log_out(svc: Services, *, token: str | None) -> None:
    await in_transaction(svc, service.end_session, token=token, secret=svc.settings.secret_key)


async def revoke_session(svc: Services, *, owner_id: int, session_id: int) -> bool:
    """End one of the owner's sessions (it is refused from its next request on); False if gone."""
    return await in_transaction(svc, service.revoke_session, owner_id=owner_id, session_id=session_id)
