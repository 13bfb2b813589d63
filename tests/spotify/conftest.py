"""A fake Spotify on loopback, and the app's Spotify side pointed at it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from accumulator.settings import Settings
from accumulator.spotify.models import SpotifyAccount
from accumulator.spotify.sync import SpotifySync
from tests.spotify.fake_spotify import FakeSpotify, running_fake_spotify


@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    with running_fake_spotify() as server:
        yield server


@pytest.fixture
def spotify_settings(settings: Settings, fake: FakeSpotify) -> Settings:
    return dataclasses.replace(
        settings,
        spotify_client_id=fake.client_id,
        spotify_client_secret=fake.client_secret,
        spotify_accounts_url=fake.url,
        spotify_api_url=f"{fake.url}/v1",
    )


@pytest.fixture
async def sync(spotify_settings: Settings, engine: Engine) -> AsyncIterator[SpotifySync]:
    heard: list[str] = []

    async def announce(what: str) -> None:
        heard.append(what)

    syncer = SpotifySync(settings=spotify_settings, engine=engine, announce=announce, timeout=0.5)
    syncer.heard = heard  # what it announced, for the tests that listen
    yield syncer
    await syncer.client.aclose()


def connect_directly(session: Session, fake: FakeSpotify) -> str:
    """A stored connection, as after the connect flow; returns its refresh token."""
    token = fake.issue_refresh_token()
    session.add(SpotifyAccount(id=1, refresh_token=token))
    session.commit()
    return token
