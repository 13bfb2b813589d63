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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from accumulator.db import insert_new, upsert_add
from accumulator.spotify.models import (
    SpotifyHistoryLock,
    SpotifyListeningDay,
    SpotifyListeningHour,
    SpotifyListeningMonthHour,
    SpotifyPlay,
    SpotifyTrack,
)

# Spotify counts a play from 30 s on (and lists only those as recently played); shorter ones are
# skips. It also means two real plays never start less than 30 s apart.
MIN_PLAY_MS = 30_000
# How far two sightings of one track's play may disagree on its start or end and still be one
# play: poll interval (10 s), network delays and whole-second keys, with room to spare.
MATCH_TOLERANCE = timedelta(seconds=20)
POLL_INTERVAL_MS = 10_000
TEXT_MAX = 500
SOURCES = ("poll", "recent", "import", "scrobble")  # scrobble: a ListenBrainz submission (listenbrainz.py)


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
                "plays": 0,
                "listened_ms": 0,
            },
        )
    insert_new(session, table, list(rows.values()), keys=["key"])
    keys, ids = list(rows), {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        ids.update(session.execute(sa.select(table.c.key, table.c.id).where(table.c.key.in_(chunk))).all())
    return ids


class _Nearby:
    """The plays of a batch's time span, found by track and minute: matching a play looks at a few
    candidates, not at every play of a favourite track (a year's import has thousands of those)."""

    def __init__(self) -> None:
        self._by_minute: dict[tuple[int, int], list[list]] = {}
        self._by_track: dict[int, list[list]] = {}

    def add(self, track_id: int, candidate: list) -> None:
        _, start, end, *_ = candidate
        for minute in {int(start.timestamp()) // 60, int(end.timestamp()) // 60}:
            self._by_minute.setdefault((track_id, minute), []).append(candidate)
        self._by_track.setdefault(track_id, []).append(candidate)

    def match(self, track_id: int, play: PlayIn) -> list | None:
        for moment in (play.started_at, play.ended_at):
            minute = int(moment.timestamp()) // 60
            for near in (minute - 1, minute, minute + 1):
                for candidate in self._by_minute.get((track_id, near), ()):
                    _, start, end, *_ = candidate
                    if abs(end - play.ended_at) <= MATCH_TOLERANCE or abs(start - play.started_at) <= MATCH_TOLERANCE:
                        return candidate
        if play.source == "poll":  # one play per poll: a scan of its track's few candidates is cheap
            for candidate in self._by_track.get(track_id, ()):
                _, start, end, *_ = candidate
                if start <= play.started_at <= end + MATCH_TOLERANCE:
                    return candidate  # the same play seen again after a seek or a pause
        return None


def _nearby(session: Session, low: datetime, high: datetime) -> _Nearby:
    """The recorded plays from `low` to `high`, as matching candidates
    [id, start, end, listened, estimated, track_id]."""
    table = SpotifyPlay.__table__
    query = sa.select(
        table.c.id, table.c.played_at, table.c.ended_at, table.c.listened_ms, table.c.estimated, table.c.track_id
    ).where(table.c.played_at >= low, table.c.played_at <= high)
    nearby = _Nearby()
    for row in session.execute(query):
        nearby.add(row[5], list(row))
    return nearby


def _local(start: datetime, zone: ZoneInfo) -> tuple[date, int, int]:
    local = start.astimezone(zone)
    return local.date(), local.hour, local.weekday()


def record_plays(session: Session, *, plays: Sequence[PlayIn], zone: ZoneInfo, now: datetime) -> Recorded:
    """Record the plays not yet recorded; a matched one is brought up to date (a later poll's
    progress, or an export's exact time listened where we had only estimated it). The hourly and
    per-track totals move with every change."""
    result = Recorded()
    plays = [play for play in plays if play.listened_ms >= MIN_PLAY_MS or play.estimated]
    if not plays:
        return result
    _take_turn(session, now)
    ids = _track_ids(session, plays)
    low = min(play.started_at for play in plays) - timedelta(hours=2)
    high = max(play.ended_at for play in plays) + timedelta(hours=2)
    nearby = _nearby(session, low, high)
    table = SpotifyPlay.__table__
    new_rows: dict[datetime, dict] = {}
    updates: list[dict] = []
    for play in plays:
        track_id = ids[play.track_key]
        matched = nearby.match(track_id, play)
        if matched is not None:
            play_id, start, end, listened, estimated, _ = matched
            measured = not play.estimated and (estimated or play.listened_ms > listened)
            if play_id is not None and (measured or play.ended_at > end):
                update = {
                    "pid": play_id,
                    "listened": play.listened_ms if measured else listened,
                    "est": estimated and play.estimated,
                    "ended": max(end, play.ended_at),
                    "delta": (play.listened_ms - listened) if measured else 0,
                    "track_id": track_id,
                    "start": start,
                }
                updates.append(update)
                matched[2], matched[3], matched[4] = update["ended"], update["listened"], update["est"]
            continue
        start = _second(play.started_at)
        day, hour, weekday = _local(start, zone)
        new_rows.setdefault(
            start,
            {
                "played_at": start,
                "ended_at": play.ended_at,
                "track_id": track_id,
                "listened_ms": play.listened_ms,
                "estimated": play.estimated,
                "source": play.source,
                "local_day": day,
                "local_hour": hour,
                "local_weekday": weekday,
            },
        )
        nearby.add(track_id, [None, start, play.ended_at, play.listened_ms, play.estimated, track_id])
    if updates:
        session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("pid"))
            .values(
                listened_ms=sa.bindparam("listened"), estimated=sa.bindparam("est"), ended_at=sa.bindparam("ended")
            ),
            [{key: row[key] for key in ("pid", "listened", "est", "ended")} for row in updates],
        )
    inserted = _insert_new_plays(session, list(new_rows.values()))
    result.added = len(inserted)
    result.matched = len(plays) - result.added  # matched, repeated in the batch, or a start already taken
    added = [row for row in new_rows.values() if row["played_at"] in inserted]
    changes = [(row["track_id"], row["played_at"], 1, row["listened_ms"]) for row in added]
    changes += [(row["track_id"], row["start"], 0, row["delta"]) for row in updates if row["delta"]]
    _count(session, changes, zone)
    _first_plays(session, added)
    return result


def _count(session: Session, changes: list[tuple[int, datetime, int, int]], zone: ZoneInfo) -> None:
    """Add (track, start, plays, listened ms) changes to the per-track and per-hour totals."""
    if not changes:
        return
    per_track: dict[int, list[int]] = {}
    per_hour: dict[tuple[date, int], list[int]] = {}
    for track_id, start, plays, listened in changes:
        totals = per_track.setdefault(track_id, [0, 0])
        totals[0] += plays
        totals[1] += listened
        day, hour, _ = _local(start, zone)
        totals = per_hour.setdefault((day, hour), [0, 0])
        totals[0] += plays
        totals[1] += listened
    tracks = SpotifyTrack.__table__
    session.execute(
        sa.update(tracks)
        .where(tracks.c.id == sa.bindparam("tid"))
        .values(plays=tracks.c.plays + sa.bindparam("n"), listened_ms=tracks.c.listened_ms + sa.bindparam("ms")),
        [{"tid": tid, "n": n, "ms": ms} for tid, (n, ms) in sorted(per_track.items())],
    )
    rows = [
        {"local_day": day, "local_hour": hour, "plays": n, "listened_ms": ms}
        for (day, hour), (n, ms) in per_hour.items()
    ]
    counters = ["plays", "listened_ms"]
    upsert_add(session, SpotifyListeningHour.__table__, rows, keys=["local_day", "local_hour"], counters=counters)
    per_day: dict[date, list[int]] = {}
    for row in rows:
        totals = per_day.setdefault(row["local_day"], [0, 0])
        totals[0] += row["plays"]
        totals[1] += row["listened_ms"]
    days = [{"local_day": day, "plays": n, "listened_ms": ms} for day, (n, ms) in per_day.items()]
    upsert_add(session, SpotifyListeningDay.__table__, days, keys=["local_day"], counters=counters)
    per_month: dict[tuple[date, int], list[int]] = {}
    for row in rows:
        totals = per_month.setdefault((row["local_day"].replace(day=1), row["local_hour"]), [0, 0])
        totals[0] += row["plays"]
        totals[1] += row["listened_ms"]
    months = [{"month": m, "local_hour": h, "plays": n, "listened_ms": ms} for (m, h), (n, ms) in per_month.items()]
    upsert_add(session, SpotifyListeningMonthHour.__table__, months, keys=["month", "local_hour"], counters=counters)


def _insert_new_plays(session: Session, rows: list[dict]) -> set[datetime]:
    """Insert the rows whose start is free; returns the starts that went in. Through SQLAlchemy (not the
    raw bulk helpers of db.py), which writes timestamps the way the rest of the app reads them."""
    if not rows:
        return set()
    table = SpotifyPlay.__table__
    dialect = session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=["played_at"])
    rows.sort(key=lambda row: row["played_at"])  # one order for every writer: no deadlock on PostgreSQL
    statement = statement.returning(table.c.played_at)
    return {played_at for (played_at,) in session.execute(statement, rows).all()}


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
