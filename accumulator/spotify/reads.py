"""What the Spotify page and widget show: the cached copy in the database, never a Spotify call."""

from __future__ import annotations

from sqlmodel import Session

from accumulator.runtime import Services, in_transaction
from accumulator.spotify import service, stats


async def cached(svc: Services) -> tuple[str, dict[str, service.Snapshot]]:
    """The connection's status and every cached snapshot (now playing, the top lists)."""

    def load(session: Session) -> tuple[str, dict[str, service.Snapshot]]:
        return service.connection_status(session, svc.settings), service.read_snapshots(session)

    return await in_transaction(svc, load)


async def recent_plays(svc: Services, *, limit: int) -> list[stats.RecentPlay]:
    return await in_transaction(svc, stats.recent, limit=limit)


async def listening_stats(svc: Services, *, bounds: stats.Range) -> tuple[stats.Stats, list[int]]:
    """The stats of one range, and the years that have plays (for the year-in-review choice)."""

    def load(session: Session) -> tuple[stats.Stats, list[int]]:
        return stats.stats_for(session, bounds=bounds), stats.years_with_plays(session)

    return await in_transaction(svc, load)
