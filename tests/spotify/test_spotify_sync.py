"""Keeping the cached Spotify data fresh against a fake Spotify on loopback: tokens (refresh once,
rotation, revocation), now playing and its fallbacks, top lists, and every failure Spotify can give."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlmodel import Session

from accumulator.db import utcnow
from accumulator.settings import Settings
from accumulator.spotify import service
from accumulator.spotify.models import SpotifyAccount, SpotifySnapshot
from accumulator.spotify.sync import SpotifySync
from tests.spotify.conftest import connect_directly
from tests.spotify.fake_spotify import FakeSpotify

NOW_PATH = "/v1/me/player/currently-playing"


def snapshot(session: Session, key: str = service.NOW_PLAYING) -> SpotifySnapshot | None:
    session.expire_all()
    return session.get(SpotifySnapshot, key)


def now_data(session: Session) -> dict:
    return json.loads(snapshot(session).data)


def calls_to(fake: FakeSpotify, path: str) -> int:
    return sum(1 for _, called in fake.api_calls if called == path)


async def test_now_playing_is_stored_with_its_cover_fetched_once_per_track(
    sync: SpotifySync, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    fake.play(name="Teardrop", artists=("Massive Attack",), album="Mezzanine", duration_ms=330_000, progress_ms=61_000)
    await sync.poll_now_playing()
    data = now_data(session)
    assert (data["source"], data["playing"], data["progress_ms"]) == ("now", True, 61_000)
    track = data["track"]
    assert (track["name"], track["artists"], track["album"], track["duration_ms"]) == (
        "Teardrop",
        "Massive Attack",
        "Mezzanine",
        330_000,
    )
    assert track["url"].startswith("https://open.spotify.com/track/")
    assert track["cover_url"].endswith("-300.jpg") and track["cover_data"].startswith("data:image/jpeg;base64,")
    await sync.poll_now_playing()
    assert len(fake.image_calls) == 1  # the same track again: the cover is not fetched again
    assert fake.token_calls == ["refresh_token"]  # one access token serves both polls


async def test_nothing_playing_or_an_ad_falls_back_to_the_last_track_played(
    sync: SpotifySync, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    fake.stop()
    await sync.poll_now_playing()
    data = now_data(session)
    assert (data["source"], data["playing"], data["track"]["name"]) == ("recent", False, "Last Played Song")
    assert data["played_at"] == "2026-11-27T10:00:00.000Z"
    fake.play_ad()
    fake.set_recent(["Just Before The Ad"])
    await sync.poll_now_playing()
    assert now_data(session)["track"]["name"] == "Just Before The Ad"


async def test_racing_callers_share_one_token_refresh(sync: SpotifySync, fake: FakeSpotify, session: Session) -> None:
    connect_directly(session, fake)
    tokens = await asyncio.gather(*(sync.access_token() for _ in range(5)))
    assert len(set(tokens)) == 1
    assert fake.token_calls == ["refresh_token"]


async def test_the_token_is_refreshed_shortly_before_it_expires(
    sync: SpotifySync, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    first = await sync.access_token()
    account = session.get(SpotifyAccount, 1)
    session.refresh(account)
    account.access_expires_at = utcnow() + timedelta(seconds=30)  # inside the one-minute margin
    session.add(account)
    session.commit()
    second = await sync.access_token()
    assert second != first and fake.token_calls == ["refresh_token", "refresh_token"]


async def test_a_rotated_refresh_token_is_saved_and_used_next(
    sync: SpotifySync, fake: FakeSpotify, session: Session
) -> None:
    original = connect_directly(session, fake)
    fake.rotate_refresh_tokens = True
    await sync.access_token()
    session.expire_all()
    rotated = session.get(SpotifyAccount, 1).refresh_token
    assert rotated != original
    fake.expire_access_tokens()
    fake.play(name="After Rotation")
    await sync.poll_now_playing()  # 401 → refresh with the rotated token (the old one no longer works)
    assert now_data(session)["track"]["name"] == "After Rotation"
    assert session.get(SpotifyAccount, 1).needs_reconnect is False


async def test_a_401_refreshes_the_token_and_retries_once(
    sync: SpotifySync, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    fake.play(name="First")
    await sync.poll_now_playing()
    fake.expire_access_tokens()
    fake.play(name="Second")
    await sync.poll_now_playing()
    assert now_data(session)["track"]["name"] == "Second"
    assert fake.token_calls == ["refresh_token", "refresh_token"]

    fake.fail(NOW_PATH, 401, times=2)  # refused even with a fresh token: a failure, not a loop
    calls = calls_to(fake, NOW_PATH)
    await sync.poll_now_playing()
    assert calls_to(fake, NOW_PATH) == calls + 2
    assert fake.token_calls.count("refresh_token") == 3
    stale = snapshot(session)
    assert stale.error and json.loads(stale.data)["track"]["name"] == "Second"


async def test_a_rate_limit_pauses_every_call_for_retry_after(
    sync: SpotifySync, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    fake.play(name="Before The Limit")
    await sync.poll_now_playing()
    fake.fail("/v1/me/player", 429, retry_after=1)
    await sync.poll_now_playing()
    assert "rate limited" in snapshot(session).error
    calls = len(fake.api_calls)
    await sync.poll_now_playing()
    await sync.poll_top_lists()
    assert len(fake.api_calls) == calls  # nothing at all is asked during the pause
    await asyncio.sleep(1.1)
    fake.play(name="After The Limit")
    await sync.poll_now_playing()
    assert now_data(session)["track"]["name"] == "After The Limit" and snapshot(session).error == ""


async def test_server_errors_timeouts_and_garbage_keep_the_last_data_marked_stale_and_back_off(
    sync: SpotifySync, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    fake.play(name="Good Data")
    await sync.poll_now_playing()
    for break_it, reason in (
        (lambda: fake.fail(NOW_PATH, 503), "HTTP 503"),
        (lambda: fake.slow(NOW_PATH, 1.0), "did not answer in time"),
        (lambda: fake.garbage(NOW_PATH), "unreadable answer"),
    ):
        sync._retry_at.clear()  # each case starts outside the previous one's backoff
        break_it()
        await sync.poll_now_playing()
        stale = snapshot(session)
        assert reason in stale.error
        assert json.loads(stale.data)["track"]["name"] == "Good Data"
    calls = calls_to(fake, NOW_PATH)
    await sync.poll_now_playing()  # backing off: no call yet
    assert calls_to(fake, NOW_PATH) == calls
    assert sync._retry_at[service.NOW_PLAYING] - utcnow() > timedelta(seconds=30)  # doubled after each failure
    sync._retry_at.clear()
    fake.reset_faults()
    await sync.poll_now_playing()
    assert snapshot(session).error == ""


async def test_a_revoked_refresh_token_asks_the_owner_to_reconnect_and_stops_calling(
    sync: SpotifySync, fake: FakeSpotify, session: Session, spotify_settings: Settings
) -> None:
    connect_directly(session, fake)
    fake.play(name="Kept")
    await sync.poll_now_playing()
    fake.revoke_refresh_tokens()
    fake.expire_access_tokens()
    await sync.poll_now_playing()
    session.expire_all()
    assert service.connection_status(session, spotify_settings) == "needs reconnect"
    assert now_data(session)["track"]["name"] == "Kept"
    token_calls = len(fake.token_calls)
    await sync.poll_now_playing()
    assert len(fake.token_calls) == token_calls


async def test_top_lists_are_fetched_for_every_range_then_left_for_a_day(
    sync: SpotifySync, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    await sync.poll_top_lists()
    for kind in service.KINDS:
        for time_range in service.RANGES:
            items = json.loads(snapshot(session, service.top_key(kind, time_range)).data)
            label = time_range.removesuffix("_term").capitalize()
            assert len(items) == 10
            assert items[0]["name"] == (f"{label} Track 1" if kind == "tracks" else f"{label} Artist 1")
    calls = len(fake.api_calls)
    await sync.poll_top_lists()
    assert len(fake.api_calls) == calls


async def test_connecting_with_a_code_stores_the_tokens_and_fetches_everything(
    sync: SpotifySync, fake: FakeSpotify, session: Session
) -> None:
    redirect = "http://testserver/api/spotify/callback"
    authorize = sync.client.authorize_url(redirect_uri=redirect, state="s1", scopes=service.SCOPES)
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(authorize)).status_code == 200
    assert fake.last_authorize["scope"] == service.SCOPES
    code = parse_qs(urlsplit(fake.last_agree_url).query)["code"][0]
    fake.play(name="Right After Connecting")
    await sync.connect(code=code, redirect_uri=redirect)
    account = session.get(SpotifyAccount, 1)
    assert account.refresh_token and account.access_token and not account.needs_reconnect
    assert now_data(session)["track"]["name"] == "Right After Connecting"
    assert snapshot(session, service.top_key("artists", "long_term")) is not None


async def test_a_change_is_announced_once_and_steady_progress_is_not(
    sync: SpotifySync, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    heard = sync.heard
    fake.play(name="One", progress_ms=10_000)
    await sync.poll_now_playing()
    await asyncio.sleep(0.05)
    assert heard == [service.NOW_PLAYING]
    same_track = now_data(session)["track"]["id"]
    fake.play(name="One", progress_ms=10_500, track_id=same_track)
    await sync.poll_now_playing()  # where it was expected to be, give or take: nothing to tell
    await asyncio.sleep(0.05)
    assert heard == [service.NOW_PLAYING]
    fake.play(name="One", progress_ms=90_000, track_id=same_track)
    await sync.poll_now_playing()  # a jump within the track: the bar must move
    fake.play(name="Two")
    await sync.poll_now_playing()
    await asyncio.sleep(0.05)
    assert heard == [service.NOW_PLAYING] * 3
    assert now_data(session)["track"]["name"] == "Two"
