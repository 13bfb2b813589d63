"""Feeding the listening history from Spotify: after each now-playing poll (the play it shows), and
from recently-played (every few minutes and at start, which fills in what played while the app was
down: Spotify keeps the last 50 plays). Runs on the job leader, beside SpotifySync, and uses its
token handling; the recording rules are in history.py."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from accumulator.db import utcnow
from accumulator.spotify import history
from accumulator.spotify.client import SpotifyError
from accumulator.spotify.models import SpotifySnapshot
from accumulator.spotify.service import NOW_PLAYING, NotConnected, parse_track
from accumulator.spotify.sync import SpotifySync

log = logging.getLogger(__name__)

RECENT_LIMIT = 50  # Spotify's maximum, and all it remembers


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def from_now_playing(data: dict[str, Any], fetched_at: datetime) -> history.PlayIn | None:
    """The play a now-playing snapshot shows (None for nothing, a recent track, or under 30 s heard).
    Its start is measured (fetched - progress); its end is when it was seen, or up to one poll later
    if it is playing (it goes on at least until the next poll, unless it ends first)."""
    track = data.get("track")
    if data.get("source") != "now" or not track or not track.get("name"):
        return None
    progress = int(data.get("progress_ms") or 0)
    duration = int(track.get("duration_ms") or 0)
    if progress < history.MIN_PLAY_MS:
        return None  # maybe a skip; the next poll records it once it is a play
    ahead = min(max(duration - progress, 0), history.POLL_INTERVAL_MS) if data.get("playing") else 0
    return history.PlayIn(
        track_key=history.track_key(
            track.get("id", ""), name=track["name"], artist=track["artists"], album=track["album"]
        ),
        name=track["name"],
        artists=track.get("artists", ""),
        album=track.get("album", ""),
        duration_ms=duration,
        started_at=fetched_at - timedelta(milliseconds=progress),
        ended_at=fetched_at + timedelta(milliseconds=ahead),
        listened_ms=progress,
        estimated=False,
        source="poll",
    )


def from_recent(track: dict[str, Any], played_at: datetime) -> history.PlayIn:
    """A recently-played item (`track` as `service.parse_track` gives it; `played_at` is its end).
    How long it was heard is unknown: the whole track, marked estimated."""
    duration = int(track.get("duration_ms") or 0)
    return history.PlayIn(
        track_key=history.track_key(
            track.get("id", ""), name=track["name"], artist=track["artists"], album=track["album"]
        ),
        name=track["name"],
        artists=track.get("artists", ""),
        album=track.get("album", ""),
        duration_ms=duration,
        started_at=played_at - timedelta(milliseconds=duration),
        ended_at=played_at,
        listened_ms=duration,
        estimated=True,
        source="recent",
    )


def recent_plays(body: object) -> list[history.PlayIn]:
    """The plays of a recently-played answer (tracks only: Spotify lists no episodes or ads here)."""
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise SpotifyError("unexpected answer for recently played")
    plays = []
    for item in items:
        if not isinstance(item, dict):
            continue
        track, ended = parse_track(item.get("track")), _parse_time(item.get("played_at"))
        if track is not None and ended is not None and track["duration_ms"] > 0:
            plays.append(from_recent(track, ended))
    return plays


class HistorySync:
    def __init__(self, sync: SpotifySync) -> None:
        self.sync = sync

    async def record_now_playing(self) -> int:
        """Record the play the last poll saw (if it is one). Returns how many plays were added."""

        def record(session: Session) -> int:
            row = session.get(SpotifySnapshot, NOW_PLAYING)
            if row is None or row.error:
                return 0  # a failed poll: nothing new seen
            play = from_now_playing(json.loads(row.data), row.fetched_at)
            if play is None:
                return 0
            zone = self.sync.settings.zone
            return history.record_plays(session, plays=[play], zone=zone, now=utcnow()).added

        return await self.sync._db(record)

    async def sync_recent(self) -> int:
        """Record what recently-played lists. Returns how many plays were added (0 on failure:
        Spotify's list stays there, the next run takes it)."""
        paused = self.sync._paused_until
        if not self.sync.settings.spotify_configured or (paused and utcnow() < paused):
            return 0  # not set up, or Spotify asked us to wait
        try:
            body = await self.sync._get("/me/player/recently-played", {"limit": RECENT_LIMIT})
            plays = recent_plays(body)
        except NotConnected:
            return 0
        except SpotifyError as exc:
            log.warning("Spotify recently-played failed (%s); trying again at the next run", exc)
            return 0
        zone = self.sync.settings.zone

        def record(session: Session) -> int:
            return history.record_plays(session, plays=plays, zone=zone, now=utcnow()).added

        return await self.sync._db(record)
