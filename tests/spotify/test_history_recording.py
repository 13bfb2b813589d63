"""Every play recorded once, against the fake Spotify on loopback: from the now-playing poll (however
many pollers run at once), and from recently-played (filling in what played while the app was down),
without counting a play both sources saw twice."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from accumulator.settings import Settings
from accumulator.spotify.history_sync import HistorySync
from accumulator.spotify.models import SpotifyPlay, SpotifyTrack
from accumulator.spotify.sync import SpotifySync
from tests.spotify.conftest import connect_directly
from tests.spotify.fake_spotify import FakeSpotify


def plays(session: Session) -> list[tuple[str, SpotifyPlay]]:
    session.expire_all()
    rows = session.exec(select(SpotifyTrack.name, SpotifyPlay).join(SpotifyTrack).order_by(SpotifyPlay.played_at)).all()
    return [(name, play) for name, play in rows]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@pytest.fixture
async def pollers(spotify_settings: Settings, engine: Engine):
    """Four processes' worth of Spotify pollers, as with a job leader lost and found mid-track."""
    settings = dataclasses.replace(spotify_settings, timezone="Europe/Berlin")
    built = []

    async def announce(what: str) -> None:
        pass

    for _ in range(4):
        sync = SpotifySync(settings=settings, engine=engine, announce=announce, timeout=2.0)
        built.append((sync, HistorySync(sync)))
    yield built
    for sync, _ in built:
        await sync.client.aclose()


async def poll_all(pollers) -> None:
    async def one(sync: SpotifySync, history: HistorySync) -> None:
        await sync.poll_now_playing()
        await history.record_now_playing()

    await asyncio.gather(*(one(sync, history) for sync, history in pollers))


async def test_a_track_change_is_recorded_once_however_many_pollers_run(
    pollers, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    fake.play(name="Teardrop", artists=("Massive Attack",), album="Mezzanine", duration_ms=330_000, progress_ms=61_000)
    await poll_all(pollers)
    await poll_all(pollers)
    fake.play(name="Angel", artists=("Massive Attack",), album="Mezzanine", duration_ms=380_000, progress_ms=45_000)
    await poll_all(pollers)
    fake.play(name="Angel", artists=("Massive Attack",), album="Mezzanine", duration_ms=380_000, progress_ms=125_000)
    await poll_all(pollers)  # the same play, 80 s on: a longer listen, not a new play
    recorded = plays(session)
    assert [name for name, _ in recorded] == ["Teardrop", "Angel"]
    teardrop, angel = (play for _, play in recorded)
    assert teardrop.listened_ms == 61_000 and not teardrop.estimated and teardrop.source == "poll"
    assert angel.listened_ms == 125_000
    # The start, measured: now minus the progress, within the test's few seconds.
    assert abs(angel.played_at - (datetime.now(UTC) - timedelta(seconds=45))) < timedelta(seconds=10)


async def test_skips_ads_and_episodes_are_not_plays(pollers, fake: FakeSpotify, session: Session) -> None:
    connect_directly(session, fake)
    fake.play(name="Skipped Early", progress_ms=12_000)
    await poll_all(pollers[:1])
    fake.play_ad("ad")
    await poll_all(pollers[:1])
    fake.play_ad("episode")
    await poll_all(pollers[:1])
    assert plays(session) == []


async def test_plays_heard_while_the_app_was_down_are_filled_in_from_recently_played(
    pollers, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    now = datetime.now(UTC)
    # Heard live: the poll records it with its measured start.
    fake.play(name="Live Song", artists=("Band",), duration_ms=200_000, progress_ms=150_000)
    await poll_all(pollers[:1])
    live_start = plays(session)[0][1].played_at
    # Then the app was down for an hour; Spotify remembers what played meanwhile (most recent first),
    # and the live song, which ended 50 s after the poll.
    fake.stop()
    fake.set_recent(
        [
            {
                "name": "Later Two",
                "artists": ("Other", "Guest"),
                "duration_ms": 180_000,
                "played_at": iso(now + timedelta(minutes=60)),
            },
            {"name": "Later One", "duration_ms": 240_000, "played_at": iso(now + timedelta(minutes=40))},
            {
                "name": "Live Song",
                "artists": ("Band",),
                "duration_ms": 200_000,
                "played_at": iso(now + timedelta(seconds=50)),
            },
        ]
    )
    _, history = pollers[0]
    await asyncio.gather(*(history.sync_recent() for _, history in pollers))  # every instance at once
    await history.sync_recent()  # and again later: nothing new
    recorded = plays(session)
    assert [name for name, _ in recorded] == ["Live Song", "Later One", "Later Two"]
    live, one, two = (play for _, play in recorded)
    assert live.played_at == live_start and live.listened_ms == 150_000 and not live.estimated
    # From recently-played alone: started a track's length before it ended, listened in full (estimated).
    assert one.estimated and one.listened_ms == 240_000 and one.source == "recent"
    assert one.played_at == (now + timedelta(minutes=40) - timedelta(milliseconds=240_000)).replace(microsecond=0)
    assert two.ended_at == (now + timedelta(minutes=60)).replace(microsecond=(now.microsecond // 1000) * 1000)
    track = session.get(SpotifyTrack, two.track_id)
    assert (track.artists, track.artist, track.plays) == ("Other, Guest", "Other", 1)


async def test_a_recently_played_failure_keeps_what_was_recorded(pollers, fake: FakeSpotify, session: Session) -> None:
    connect_directly(session, fake)
    _, history = pollers[0]
    fake.fail("/v1/me/player/recently-played", 500)
    assert await history.sync_recent() == 0
    fake.garbage("/v1/me/player/recently-played")
    assert await history.sync_recent() == 0
    assert await history.sync_recent() == 1  # Spotify's default recent list: one track
    assert [name for name, _ in plays(session)] == ["Last Played Song"]
