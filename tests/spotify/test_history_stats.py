"""Listening stats on both databases with a frozen clock: each figure is computed again here, from
the plays the test made, by plain loops, and must agree with what the page would show."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from accumulator.db import session_scope
from accumulator.spotify import history, stats

ZONE = ZoneInfo("America/New_York")  # far from UTC: a play late at night is on another day there
NOW = datetime(2026, 6, 15, 18, 30, tzinfo=UTC)
ARTISTS = ["Björk", "Nina Simone", "Aphex Twin", "Fela Kuti", "Kraftwerk", "Mitski"]


def made_plays(count: int = 900) -> list[history.PlayIn]:
    """Plays from early 2024 to just before NOW, never overlapping, some on the same track."""
    rng = random.Random(11)
    plays, moment = [], datetime(2024, 1, 1, 4, tzinfo=UTC)
    step = (NOW - timedelta(hours=1) - moment) / count
    for i in range(count):
        moment += step * rng.uniform(0.3, 1.0) if i % 5 else step * 1.5
        song = rng.randint(0, 40)
        artist = ARTISTS[song % len(ARTISTS)] if i > 20 or song % len(ARTISTS) != 5 else "Björk"
        listened = rng.choice((200_000, 95_000, 31_000))
        plays.append(
            history.PlayIn(
                track_key=f"t{song:03d}{artist[:3]}".replace(" ", ""),
                name=f"Song {song}",
                artists=f"{artist}, Guest" if song % 7 == 0 else artist,
                album=f"Album {song % 9}",
                duration_ms=200_000,
                started_at=moment,
                ended_at=moment + timedelta(milliseconds=listened),
                listened_ms=listened,
                estimated=False,
                source="import",
            )
        )
    return plays


def recorded(engine: Engine) -> list[history.PlayIn]:
    plays = made_plays()
    with session_scope(engine) as session:
        result = history.record_plays(session, plays=plays, zone=ZONE, now=NOW)
    assert result.added == len(plays)
    return plays


def expect(plays: list[history.PlayIn], first: date | None, last: date | None) -> dict:
    """The figures of a range of local days, counted the long way."""
    inside = [
        p
        for p in plays
        if (first is None or p.started_at.astimezone(ZONE).date() >= first)
        and (last is None or p.started_at.astimezone(ZONE).date() <= last)
    ]
    days = sorted({p.started_at.astimezone(ZONE).date() for p in inside})
    best = run = 0
    for i, day in enumerate(days):
        run = run + 1 if i and (day - days[i - 1]).days == 1 else 1
        best = max(best, run)
    by_artist, by_track, hours, weekdays = Counter(), Counter(), [0] * 24, [0] * 7
    for p in inside:
        by_artist[p.artists.split(", ")[0]] += 1
        by_track[(p.name, p.artists)] += 1
        local = p.started_at.astimezone(ZONE)
        hours[local.hour] += p.listened_ms
        weekdays[local.weekday()] += p.listened_ms
    first_ever = {}
    for p in sorted(plays, key=lambda p: p.started_at):
        first_ever.setdefault(p.artists.split(", ")[0], p.started_at)
    new = {
        a
        for a, at in first_ever.items()
        if (first is None or at.astimezone(ZONE).date() >= first)
        and (last is None or at.astimezone(ZONE).date() <= last)
    }
    return {
        "plays": len(inside),
        "listened": sum(p.listened_ms for p in inside),
        "days": len(days),
        "streak": best,
        "top_artist_plays": max(by_artist.values(), default=0),
        "top_track_plays": max(by_track.values(), default=0),
        "hours": hours,
        "weekdays": weekdays,
        "new": new,
    }


def check(result: stats.Stats, want: dict) -> None:
    assert (result.plays, result.listened_ms, result.days_active) == (want["plays"], want["listened"], want["days"])
    assert result.longest_streak == want["streak"]
    assert result.by_hour == want["hours"] and result.by_weekday == want["weekdays"]
    assert (result.top_artists[0].plays if result.top_artists else 0) == want["top_artist_plays"]
    assert (result.top_tracks[0].plays if result.top_tracks else 0) == want["top_track_plays"]
    assert {name for name, _ in result.new_artists} == want["new"] and result.new_artist_count == len(want["new"])


def test_stats_for_every_kind_of_range_match_the_plays(engine: Engine) -> None:
    plays = recorded(engine)
    today = NOW.astimezone(ZONE).date()
    ranges = [
        (stats.last_days(7, now=NOW, zone=ZONE), today - timedelta(days=6), today),
        (stats.last_days(30, now=NOW, zone=ZONE), today - timedelta(days=29), today),
        (stats.last_days(365, now=NOW, zone=ZONE), today - timedelta(days=364), today),
        (stats.year(2025, zone=ZONE), date(2025, 1, 1), date(2025, 12, 31)),
        (stats.local_dates(date(2024, 3, 10), date(2024, 3, 31), zone=ZONE), date(2024, 3, 10), date(2024, 3, 31)),
        (stats.ALL_TIME, None, None),
    ]
    with session_scope(engine) as session:
        for bounds, first, last in ranges:
            result = stats.stats_for(session, bounds=bounds)
            check(result, expect(plays, first, last))
        assert stats.years_with_plays(session) == [2026, 2025, 2024]
        assert stats.stats_for(session, bounds=stats.year(2023, zone=ZONE)).plays == 0


def test_the_top_lists_rank_by_plays_and_group_artists_and_albums(engine: Engine) -> None:
    plays = recorded(engine)
    in_2025 = [p for p in plays if p.started_at.astimezone(ZONE).year == 2025]
    artists = Counter(p.artists.split(", ")[0] for p in in_2025)
    albums = Counter((p.album, p.artists.split(", ")[0]) for p in in_2025)
    with session_scope(engine) as session:
        result = stats.stats_for(session, bounds=stats.year(2025, zone=ZONE))
    assert [(a.name, a.plays) for a in result.top_artists] == sorted(
        artists.items(),
        key=lambda item: (
            -item[1],
            -sum(p.listened_ms for p in in_2025 if p.artists.split(", ")[0] == item[0]),
            item[0],
        ),
    )[: stats.TOP]
    assert sum(a.plays for a in result.top_albums) <= len(in_2025)
    assert result.top_albums[0].plays == max(albums.values())
    assert result.distinct_artists == len(artists)
    month_ms = Counter()
    for p in in_2025:
        month_ms[p.started_at.astimezone(ZONE).strftime("%Y-%m")] += p.listened_ms
    assert result.by_month == dict(sorted(month_ms.items()))


def test_the_last_plays_come_newest_first(engine: Engine) -> None:
    plays = recorded(engine)
    with session_scope(engine) as session:
        last = stats.recent(session, limit=3)
    newest = sorted(plays, key=lambda p: p.started_at, reverse=True)[:3]
    assert [(p.name, p.played_at) for p in last] == [(p.name, p.started_at.replace(microsecond=0)) for p in newest]
