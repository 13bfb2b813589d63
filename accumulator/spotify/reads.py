"""What the Spotify page and widget show: the cached copy in the database, never a Spotify call."""

from __future__ import annotations

from sqlmodel import Session

from accumulator.runtime import Services, in_transaction
from accumulator.spotify import service


async def cached(svc: Services) -> tuple[str, dict[str, service.Snapshot]]:
    """The connection's status and every cached snapshot (now playing, the top lists)."""

    def load(session: Session) -> tuple[str, dict[str, service.Snapshot]]:
        return service.connection_status(session, svc.settings), service.read_snapshots(session)

    return await in_transaction(svc, load)
