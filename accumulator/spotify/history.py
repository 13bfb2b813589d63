"""The listening history: every play recorded once, whichever way it reached us (the now-playing
poll, Spotify's recently-played list, the owner's own export).

A play is keyed by when it started (UTC, whole seconds; a unique constraint). The three sources
see the same play differently: the poll measures its start and progress, recently-played gives only
its end (Spotify's `played_at` is when it stopped), the export gives its end and the time listened.
So before inserting, a play is matched against the plays already recorded for the same track
around the same time (`MATCH_TOLERANCE`); only an unmatched one is inserted, and an insert whose
start is taken is dropped by the database. Every recording transaction first updates one lock row,
so recorders on several instances take turns and never both decide that a play is new.

Pure rules and queries: the session, the clock and the owner's zone are passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from accumulator.db import insert_new
from accumulator.spotify.models import SpotifyHistoryLock, SpotifyPlay, SpotifyTrack

# Spotify counts a play from 30 s on (and lists only those as recently played); shorter ones are
# skips. It also means two real plays never start less than 30 s apart.
MIN_PLAY_MS = 30_000
# How far two sightings of one track's play may disagree on its start or end and still be one
# play: poll interval (10 s), network delays and whole-second keys, with room to spare.
MATCH_TOLERANCE = timedelta(seconds=20)
POLL_INTERVAL_MS = 10_000
TEXT_MAX = 500
SOURCES = ("poll", "recent", "import")


@dataclass(frozen=True)
class PlayIn:
    """One play as a source saw it."""

    track_key: str
    name: str
    artists: str
    album: str
    duration_ms: int
    started_at: datetime  # UTC
    ended_at: datetime  # UTC
    listened_ms: int
    estimated: bool
    source: str

    @property
    def artist(self) -> str:
        return self.artists.split(", ")[0] if self.artists else ""


def track_key(track_id: str, *, name: str, artist: str, album: str) -> str:
    """Spotify's track id when there is one, else a digest of the names (an export row without URI)."""
    if track_id and len(track_id) <= 64 and track_id.isalnum():
        return track_id
    digest = hashlib.sha256(f"{name}\x1f{artist}\x1f{album}".encode()).hexdigest()[:40]
    return f"n:{digest}"


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def from_now_playing(data: dict[str, Any], fetched_at: datetime) -> PlayIn | None:
    """The play a now-playing snapshot shows (None for nothing, a recent track, or under 30 s heard).
    Its start is measured (fetched - progress); its end is when it was seen, or up to one poll later
    if it is playing (it goes on at least until the next poll, unless it ends first)."""
    track = data.get("track")
    if data.get("source") != "now" or not track or not track.get("name"):
        return None
    progress = int(data.get("progress_ms") or 0)
    duration = int(track.get("duration_ms") or 0)
    if progress < MIN_PLAY_MS:
        return None  # maybe a skip; the next poll records it once it is a play
    ahead = min(max(duration - progress, 0), POLL_INTERVAL_MS) if data.get("playing") else 0
    return PlayIn(
        track_key=track_key(track.get("id", ""), name=track["name"], artist=track["artists"], album=track["album"]),
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


def from_recent(track: dict[str, Any], played_at: datetime) -> PlayIn:
    """A recently-played item (`track` as `service.parse_track` gives it; `played_at` is its end).
    How long it was heard is unknown: the whole track, marked estimated."""
    duration = int(track.get("duration_ms") or 0)
    return PlayIn(
        track_key=track_key(track.get("id", ""), name=track["name"], artist=track["artists"], album=track["album"]),
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


@dataclass
class Recorded:
    added: int = 0
    matched: int = 0  # already recorded (by another source, instance or an earlier run)


def _take_turn(session: Session, now: datetime) -> None:
    lock = SpotifyHistoryLock.__table__
    insert_new(session, lock, [{"id": 1}], keys=["id"])  # the migration adds it; a wiped table may not
    session.execute(sa.update(lock).where(lock.c.id == 1).values(touched_at=now))


def _track_ids(session: Session, plays: Sequence[PlayIn]) -> dict[str, int]:
    table = SpotifyTrack.__table__
    rows = {}
    for play in plays:
        rows.setdefault(
            play.track_key,
            {
                "key": play.track_key,
                "name": play.name[:TEXT_MAX],
                "artists": play.artists[:1000],
                "artist": play.artist[:TEXT_MAX],
                "album": play.album[:TEXT_MAX],
                "duration_ms": play.duration_ms,
                "first_played_at": None,
            },
        )
    insert_new(session, table, list(rows.values()), keys=["key"])
    keys, ids = list(rows), {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        ids.update(session.execute(sa.select(table.c.key, table.c.id).where(table.c.key.in_(chunk))).tuples().all())
    return ids


def _near(session: Session, track_ids: Iterable[int], low: datetime, high: datetime) -> dict[int, list[tuple]]:
    """The recorded plays of these tracks from `low` to `high`: (id, start, end, listened, estimated)."""
    table = SpotifyPlay.__table__
    query = sa.select(
        table.c.track_id, table.c.id, table.c.played_at, table.c.ended_at, table.c.listened_ms, table.c.estimated
    ).where(table.c.played_at >= low, table.c.played_at <= high)
    wanted, found = set(track_ids), {}
    for track_id, *rest in session.execute(query).tuples():
        if track_id in wanted:
            found.setdefault(track_id, []).append(tuple(rest))
    return found


def _match(candidates: list[tuple], play: PlayIn) -> tuple | None:
    for candidate in candidates:
        _, start, end, *_ = candidate
        if abs(end - play.ended_at) <= MATCH_TOLERANCE or abs(start - play.started_at) <= MATCH_TOLERANCE:
            return candidate
        if play.source == "poll" and start <= play.started_at <= end + MATCH_TOLERANCE:
            return candidate  # the same play seen again after a seek or a pause
    return None


def record_plays(session: Session, *, plays: Sequence[PlayIn], zone: ZoneInfo, now: datetime) -> Recorded:
    """Record the plays not yet recorded; a matched one is brought up to date (a later poll's
    progress, or an export's exact time listened where we had only estimated it)."""
    result = Recorded()
    plays = [play for play in plays if play.listened_ms >= MIN_PLAY_MS or play.estimated]
    if not plays:
        return result
    _take_turn(session, now)
    ids = _track_ids(session, plays)
    low = min(play.started_at for play in plays) - timedelta(hours=2)
    high = max(play.ended_at for play in plays) + timedelta(hours=2)
    near = _near(session, ids.values(), low, high)
    table = SpotifyPlay.__table__
    new_rows: dict[datetime, dict] = {}
    for play in plays:
        track_id = ids[play.track_key]
        candidates = near.setdefault(track_id, [])
        matched = _match(candidates, play)
        if matched is not None:
            result.matched += 1
            play_id, start, end, listened, estimated = matched
            better = (not play.estimated and (estimated or play.listened_ms > listened)) or play.ended_at > end
            if better and play_id is not None:
                session.execute(
                    sa.update(table)
                    .where(table.c.id == play_id)
                    .values(
                        listened_ms=play.listened_ms if not play.estimated else listened,
                        estimated=estimated and play.estimated,
                        ended_at=max(end, play.ended_at),
                    )
                )
            continue
        start = _second(play.started_at)
        local = start.astimezone(zone)
        new_rows.setdefault(
            start,
            {
                "played_at": start,
                "ended_at": play.ended_at,
                "track_id": track_id,
                "listened_ms": play.listened_ms,
                "estimated": play.estimated,
                "source": play.source,
                "local_day": local.date(),
                "local_hour": local.hour,
                "local_weekday": local.weekday(),
            },
        )
        candidates.append((None, start, play.ended_at, play.listened_ms, play.estimated))  # a repeat in this batch
    result.added = _insert_new_plays(session, list(new_rows.values()))
    result.matched = len(plays) - result.added  # matched, repeated in the batch, or a start already taken
    _first_plays(session, list(new_rows.values()))
    return result


def _insert_new_plays(session: Session, rows: list[dict]) -> int:
    """Insert the rows whose start is free; returns how many went in. Through SQLAlchemy (not the
    raw bulk helpers of db.py), which writes timestamps the way the rest of the app reads them."""
    if not rows:
        return 0
    table = SpotifyPlay.__table__
    dialect = session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=["played_at"]).returning(table.c.id)
    rows.sort(key=lambda row: row["played_at"])  # one order for every writer: no deadlock on PostgreSQL
    return len(session.execute(statement, rows).all())


def _first_plays(session: Session, rows: list[dict]) -> None:
    """Keep each track's earliest play (an import may bring older ones than we had)."""
    earliest: dict[int, datetime] = {}
    for row in rows:
        if row["track_id"] not in earliest or row["played_at"] < earliest[row["track_id"]]:
            earliest[row["track_id"]] = row["played_at"]
    table = SpotifyTrack.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("tid"))
        .where(sa.or_(table.c.first_played_at.is_(None), table.c.first_played_at > sa.bindparam("at")))
        .values(first_played_at=sa.bindparam("at"))
    )
    if earliest:
        session.execute(statement, [{"tid": tid, "at": at} for tid, at in sorted(earliest.items())])
