"""What the weekly digest reads from Spotify: the most played tracks of a span of local days."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session

from accumulator.spotify import stats


def top_tracks(*, session: Session, first: date, last: date, zone: ZoneInfo, limit: int = 5) -> list[stats.Ranked]:
    """The listening history's most played tracks from `first` to `last` (local days, both included)."""
    found = stats.stats_for(session, bounds=stats.local_dates(first, last, zone=zone))
    return list(found.top_tracks[:limit])
