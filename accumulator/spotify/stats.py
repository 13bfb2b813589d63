"""Listening stats for any range, from the recorded plays (history.py).

A few grouped queries per view, each reading only the covering index `ix_spotify_play_stats` for
the range: plays per local day (totals, streaks, months), per local hour and weekday, per track
(top tracks, and from them top artists and albums, summed here: a range has thousands of tracks at
most, far fewer than plays). "New artists" reads the tracks' first plays, never the plays.
Hours, weekdays and days are in the owner's zone, as recorded.

Pure queries: the session, `now` and the zone are passed in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from accumulator.spotify.models import (
    SpotifyListeningDay,
    SpotifyListeningHour,
    SpotifyListeningMonthHour,
    SpotifyPlay,
    SpotifyTrack,
)

TOP = 10
PRESETS = {"7d": "Last 7 days", "30d": "Last 30 days", "365d": "Last 365 days", "all": "All time"}
PLAYS, TRACKS = SpotifyPlay.__table__, SpotifyTrack.__table__
HOURS, DAYS = SpotifyListeningHour.__table__, SpotifyListeningDay.__table__
MONTH_HOURS = SpotifyListeningMonthHour.__table__


@dataclass(frozen=True)
class Range:
    """Whole local days, `first_day` to `last_day` (None for all time), and the same as UTC instants."""

    label: str
    first_day: date | None = None
    last_day: date | None = None
    start: datetime | None = None  # UTC, inclusive
    end: datetime | None = None  # UTC, exclusive


ALL_TIME = Range("All time")


def local_dates(first: date, last: date, *, zone: ZoneInfo, label: str = "") -> Range:
    """From the start of `first` to the end of `last`, in the owner's zone (both included)."""
    start = datetime.combine(first, time(), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
    return Range(label or f"{first.isoformat()} to {last.isoformat()}", first, last, start, end)


def last_days(days: int, *, now: datetime, zone: ZoneInfo) -> Range:
    """Today and the days before it, `days` in all: what "the last 7 days" means on a calendar."""
    today = now.astimezone(zone).date()
    return local_dates(today - timedelta(days=days - 1), today, zone=zone, label=f"Last {days} days")


def year(number: int, *, zone: ZoneInfo) -> Range:
    return local_dates(date(number, 1, 1), date(number, 12, 31), zone=zone, label=str(number))


def preset(key: str, *, now: datetime, zone: ZoneInfo) -> Range:
    if key == "all":
        return ALL_TIME
    return last_days(int(key.removesuffix("d")), now=now, zone=zone)


@dataclass(frozen=True)
class Ranked:
    name: str
    detail: str  # the artists of a track, the artist of an album
    plays: int
    listened_ms: int


@dataclass
class Stats:
    label: str
    plays: int = 0
    listened_ms: int = 0
    days_active: int = 0
    longest_streak: int = 0  # consecutive days with at least one play
    streak_start: date | None = None
    top_tracks: list[Ranked] = field(default_factory=list)
    top_artists: list[Ranked] = field(default_factory=list)
    top_albums: list[Ranked] = field(default_factory=list)
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)  # listened ms per local hour
    by_weekday: list[int] = field(default_factory=lambda: [0] * 7)  # Monday first
    by_month: dict[str, int] = field(default_factory=dict)  # "2026-03" -> listened ms
    busiest_day: tuple[date, int] | None = None
    new_artists: list[tuple[str, datetime]] = field(default_factory=list)  # first ever heard in range
    new_artist_count: int = 0
    distinct_tracks: int = 0
    distinct_artists: int = 0


def _where(query: Any, bounds: Range) -> Any:
    if bounds.start is not None:
        query = query.where(PLAYS.c.played_at >= bounds.start)
    if bounds.end is not None:
        query = query.where(PLAYS.c.played_at < bounds.end)
    return query


def longest_streak(days: list[date]) -> tuple[int, date | None]:
    """The longest run of consecutive days in `days` (sorted, distinct) and the day it began."""
    best, best_start, run, run_start, previous = 0, None, 0, None, None
    for day in days:
        ordinal = day.toordinal()  # ten years of days: integers compare faster than dates subtract
        if previous is not None and ordinal == previous + 1:
            run += 1
        else:
            run, run_start = 1, day
        if run > best:
            best, best_start = run, run_start
        previous = ordinal
    return best, best_start


def _calendar(session: Session, stats: Stats, bounds: Range) -> None:
    """Totals, days, streaks, months and weekdays from the daily totals (a few thousand rows for all
    time), hours from the hourly totals summed by the database."""

    def within(query: Any, table: sa.Table) -> Any:
        if bounds.first_day is not None:
            query = query.where(table.c.local_day >= bounds.first_day)
        if bounds.last_day is not None:
            query = query.where(table.c.local_day <= bounds.last_day)
        return query

    days_query = within(sa.select(DAYS.c.local_day, DAYS.c.plays, DAYS.c.listened_ms).where(DAYS.c.plays > 0), DAYS)
    days = session.execute(days_query.order_by(DAYS.c.local_day)).all()
    months: Counter[str] = Counter()
    for day, plays, listened in days:
        listened = int(listened)
        stats.plays += int(plays)
        stats.listened_ms += listened
        stats.by_weekday[day.weekday()] += listened
        months[f"{day.year:04d}-{day.month:02d}"] += listened
        if stats.busiest_day is None or listened > stats.busiest_day[1]:
            stats.busiest_day = (day, listened)
    for hour, listened in _hour_totals(session, bounds.first_day, bounds.last_day):
        stats.by_hour[hour] += int(listened or 0)
    stats.by_month = dict(sorted(months.items()))
    stats.days_active = len(days)
    stats.longest_streak, stats.streak_start = longest_streak([row[0] for row in days])


def _hour_totals(session: Session, first: date | None, last: date | None) -> list[tuple[int, int]]:
    """Listened ms per hour of day from `first` to `last`: whole months from the monthly totals,
    the days before and after them from the daily ones (at most two months of those)."""

    def months(low: date | None, high: date | None) -> list[tuple[int, int]]:  # months from low to before high
        query = sa.select(MONTH_HOURS.c.local_hour, sa.func.sum(MONTH_HOURS.c.listened_ms))
        if low is not None:
            query = query.where(MONTH_HOURS.c.month >= low)
        if high is not None:
            query = query.where(MONTH_HOURS.c.month < high)
        return session.execute(query.group_by(MONTH_HOURS.c.local_hour)).all()

    def days(low: date, high: date) -> list[tuple[int, int]]:  # both included
        query = sa.select(HOURS.c.local_hour, sa.func.sum(HOURS.c.listened_ms)).where(
            HOURS.c.local_day >= low, HOURS.c.local_day <= high
        )
        return session.execute(query.group_by(HOURS.c.local_hour)).all()

    if first is None or last is None:
        return months(None, None)
    whole_from = first if first.day == 1 else _next_month(first)
    whole_to = _next_month(last) if _next_month(last) - timedelta(days=1) == last else last.replace(day=1)
    if whole_from >= whole_to:
        return days(first, last)
    found = months(whole_from, whole_to)
    if first < whole_from:
        found += days(first, whole_from - timedelta(days=1))
    if whole_to <= last:
        found += days(whole_to, last)
    return found


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _ranked(counts: dict[tuple[str, str], list[int]]) -> list[Ranked]:
    best = sorted(counts.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))[:TOP]
    return [Ranked(name, detail, plays, listened) for (name, detail), (plays, listened) in best]


def _tops(session: Session, stats: Stats, bounds: Range) -> None:
    if bounds.start is None and bounds.end is None:
        # All time: the per-track totals kept on insert, not every play.
        query = sa.select(
            TRACKS.c.name, TRACKS.c.artists, TRACKS.c.artist, TRACKS.c.album, TRACKS.c.plays, TRACKS.c.listened_ms
        ).where(TRACKS.c.plays > 0)
        _sum_tops(stats, session.execute(query))
        return
    grouped = _where(
        sa.select(
            PLAYS.c.track_id,
            sa.func.count().label("plays"),
            sa.func.sum(PLAYS.c.listened_ms).label("listened"),
        ).group_by(PLAYS.c.track_id),
        bounds,
    ).subquery()
    query = sa.select(
        TRACKS.c.name, TRACKS.c.artists, TRACKS.c.artist, TRACKS.c.album, grouped.c.plays, grouped.c.listened
    ).join(grouped, TRACKS.c.id == grouped.c.track_id)
    _sum_tops(stats, session.execute(query))


def _sum_tops(stats: Stats, rows: Any) -> None:
    tracks: dict[tuple[str, str], list[int]] = {}
    artists: dict[tuple[str, str], list[int]] = {}
    albums: dict[tuple[str, str], list[int]] = {}
    for name, all_artists, artist, album, plays, listened in rows:
        listened = int(listened or 0)
        # Two ids for one song (a single and its album version) rank as one track.
        for table, key in ((tracks, (name, all_artists)), (artists, (artist, "")), (albums, (album, artist))):
            if key[0]:
                entry = table.setdefault(key, [0, 0])
                entry[0] += plays
                entry[1] += listened
    stats.top_tracks, stats.top_artists, stats.top_albums = _ranked(tracks), _ranked(artists), _ranked(albums)
    stats.distinct_tracks, stats.distinct_artists = len(tracks), len(artists)


def _new_artists(session: Session, stats: Stats, bounds: Range) -> None:
    first = sa.func.min(TRACKS.c.first_played_at)
    query = sa.select(TRACKS.c.artist, first.label("first")).where(TRACKS.c.artist != "").group_by(TRACKS.c.artist)
    if bounds.start is not None:
        query = query.having(first >= bounds.start)
    if bounds.end is not None:
        query = query.having(first < bounds.end)
    found = sorted(session.execute(query).all(), key=lambda row: (row[1], row[0]))
    stats.new_artist_count = len(found)
    stats.new_artists = [(artist, at) for artist, at in found[:TOP]]


# Each part on its own, so the benchmark can time them apart.
PARTS = {"calendar": _calendar, "tops": _tops, "new_artists": _new_artists}


def stats_for(session: Session, *, bounds: Range) -> Stats:
    """Everything the stats view shows for one range."""
    stats = Stats(label=bounds.label)
    for part in PARTS.values():
        part(session, stats, bounds)
    return stats


def years_with_plays(session: Session) -> list[int]:
    """The local years that have plays, newest first (what the year-in-review offers)."""
    first, last = session.execute(sa.select(sa.func.min(DAYS.c.local_day), sa.func.max(DAYS.c.local_day))).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))


@dataclass(frozen=True)
class RecentPlay:
    played_at: datetime  # UTC, the start
    name: str
    artists: str
    album: str
    listened_ms: int
    estimated: bool
    url: str


def recent(session: Session, *, limit: int = 10) -> list[RecentPlay]:
    """The last plays, newest first."""
    query = (
        sa.select(
            PLAYS.c.played_at,
            TRACKS.c.name,
            TRACKS.c.artists,
            TRACKS.c.album,
            PLAYS.c.listened_ms,
            PLAYS.c.estimated,
            TRACKS.c.key,
        )
        .join(TRACKS, TRACKS.c.id == PLAYS.c.track_id)
        .order_by(PLAYS.c.played_at.desc())
        .limit(limit)
    )
    return [
        RecentPlay(at, name, artists, album, listened, estimated, _track_url(key))
        for at, name, artists, album, listened, estimated, key in session.execute(query)
    ]


def _track_url(key: str) -> str:
    return "" if key.startswith("n:") else f"https://open.spotify.com/track/{key}"
