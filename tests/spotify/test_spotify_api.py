"""Spotify over HTTP: the owner's connect flow (state check, consent, callback), and the public
now-playing widget as JSON and as an SVG card, served from the cache."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.auth import service as auth
from accumulator.runtime import Services, build_services
from accumulator.settings import Settings
from accumulator.spotify import actions as spotify_actions
from accumulator.spotify.models import SpotifyAccount
from tests.conftest import api_client
from tests.spotify.conftest import connect_directly
from tests.spotify.fake_spotify import FakeSpotify

PASSWORD = "a long owner password"
BLOG = "https://blog.example.com"


@pytest.fixture
def app_services(spotify_settings: Settings, engine: Engine) -> Services:
    return build_services(
        Settings(**{**spotify_settings.__dict__, "allowed_origins": (BLOG,)}),
        engine,
    )


@pytest.fixture
def visitor(app_services: Services) -> Iterator[TestClient]:
    with api_client(app_services) as test_client:
        yield test_client


@pytest.fixture
def owner(visitor: TestClient, session: Session) -> TestClient:
    auth.set_owner(session=session, email="owner@example.com", password=PASSWORD)
    session.commit()
    assert visitor.post("/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD}).status_code == 200
    return visitor


def test_connecting_needs_the_owner(visitor: TestClient) -> None:
    assert visitor.get("/api/spotify/connect", follow_redirects=False).status_code == 404
    assert visitor.get("/api/spotify/callback?code=x&state=y", follow_redirects=False).status_code == 404


def test_the_connect_flow_checks_state_and_stores_the_connection(
    owner: TestClient, fake: FakeSpotify, session: Session
) -> None:
    start = owner.get("/api/spotify/connect", follow_redirects=False)
    assert start.status_code == 303
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{fake.url}/authorize?")
    assert query["redirect_uri"] == ["http://testserver/api/spotify/callback"]
    assert query["scope"] == ["user-read-currently-playing user-read-recently-played user-top-read"]
    assert "httponly" in start.headers["set-cookie"].lower()

    # Someone else's state (a forged link to the callback) is refused.
    forged = owner.get("/api/spotify/callback?code=abc&state=not-ours", follow_redirects=False)
    assert forged.headers["location"] == "/spotify?spotify=state-mismatch"
    assert session.get(SpotifyAccount, 1) is None

    start = owner.get("/api/spotify/connect", follow_redirects=False)
    httpx.get(start.headers["location"])  # the owner agrees on Spotify's page
    fake.play(name="Connected Song")
    agreed = urlsplit(fake.last_agree_url)
    done = owner.get(f"{agreed.path}?{agreed.query}", follow_redirects=False)
    assert done.headers["location"] == "/spotify?spotify=connected"
    assert session.get(SpotifyAccount, 1).refresh_token
    assert owner.get("/api/spotify/now-playing").json()["track"]["name"] == "Connected Song"


def test_a_refused_consent_says_so(owner: TestClient, fake: FakeSpotify, session: Session) -> None:
    start = owner.get("/api/spotify/connect", follow_redirects=False)
    httpx.get(start.headers["location"])
    cancelled = urlsplit(fake.last_cancel_url)
    answer = owner.get(f"{cancelled.path}?{cancelled.query}", follow_redirects=False)
    assert answer.headers["location"] == "/spotify?spotify=denied"
    assert session.get(SpotifyAccount, 1) is None


async def _poll(services: Services) -> None:
    await spotify_actions.poll_now_playing(services)


def test_the_widget_serves_the_cache_with_cors_and_never_calls_spotify_per_visitor(
    visitor: TestClient, app_services: Services, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    fake.play(name="Windowlicker", artists=("Aphex Twin",), duration_ms=366_000, progress_ms=120_000)
    visitor.portal.call(_poll, app_services)
    calls = len(fake.api_calls) + len(fake.token_calls)
    for _ in range(20):
        answer = visitor.get("/api/spotify/now-playing", headers={"Origin": BLOG})
    assert len(fake.api_calls) + len(fake.token_calls) == calls
    body = answer.json()
    assert (body["source"], body["playing"], body["track"]["name"]) == ("now", True, "Windowlicker")
    assert 120_000 <= body["progress_ms"] < 130_000 and body["stale"] is False
    assert "cover_data" not in body["track"]
    assert answer.headers["access-control-allow-origin"] == BLOG
    assert answer.headers["cache-control"] == "public, max-age=5"
    other = visitor.get("/api/spotify/now-playing", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


def test_the_svg_card_is_escaped_themed_and_self_contained(
    visitor: TestClient, app_services: Services, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    fake.play(name='<script>alert("x")</script> & more', artists=("Band <b>",))
    visitor.portal.call(_poll, app_services)
    dark = visitor.get("/api/spotify/now-playing.svg?theme=dark")
    assert dark.headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert "<script>" not in dark.text and "&lt;script&gt;" in dark.text and "Band &lt;b&gt;" in dark.text
    assert 'href="data:image/jpeg;base64,' in dark.text  # the cover is inside the card
    assert "NOW PLAYING" in dark.text and "<animate" in dark.text
    assert 'fill="#18191b"' in dark.text
    assert 'fill="#ffffff"' in visitor.get("/api/spotify/now-playing.svg").text
    assert visitor.get("/api/spotify/now-playing.svg?theme=neon").status_code == 400


def test_without_a_connection_the_widget_says_so_instead_of_failing(visitor: TestClient) -> None:
    body = visitor.get("/api/spotify/now-playing").json()
    assert body == {
        "status": "not connected",
        "source": "none",
        "playing": False,
        "track": None,
        "progress_ms": 0,
        "stale": False,
    }
    assert "Nothing played lately" in visitor.get("/api/spotify/now-playing.svg").text
