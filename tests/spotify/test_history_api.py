"""The listening history over HTTP: /api/spotify/recent and its SVG card are the owner's by default
(404 for anyone else) and public with SPOTIFY_HISTORY_PUBLIC; the card escapes what it shows; the
export upload is the owner's and all-or-nothing."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.auth import service as auth
from accumulator.db import session_scope
from accumulator.runtime import build_services
from accumulator.settings import Settings
from accumulator.spotify import history
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD, api_client

BLOG = "https://blog.example.com"


def add_plays(engine: Engine, *names: str) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    plays = [
        history.PlayIn(
            track_key=f"key{i}",
            name=name,
            artists="The <b>Band</b> & Co",
            album="Album",
            duration_ms=200_000,
            started_at=start + timedelta(minutes=5 * i),
            ended_at=start + timedelta(minutes=5 * i, seconds=200),
            listened_ms=200_000,
            estimated=i == 0,
            source="recent",
        )
        for i, name in enumerate(names)
    ]
    with session_scope(engine) as session:
        history.record_plays(session, plays=plays, zone=UTC, now=datetime.now(UTC))


def client_for(settings: Settings, engine: Engine) -> TestClient:
    return api_client(build_services(dataclasses.replace(settings, allowed_origins=(BLOG,)), engine))


@pytest.fixture
def private(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with client_for(settings, engine) as test_client:
        yield test_client


@pytest.fixture
def public(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with client_for(dataclasses.replace(settings, spotify_history_public=True), engine) as test_client:
        yield test_client


def log_in(client: TestClient, session: Session) -> TestClient:
    auth.set_owner(session=session, email=OWNER_EMAIL, password=OWNER_PASSWORD)
    session.commit()
    assert client.post("/api/auth/login", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD}).status_code == 200
    return client


def test_the_last_plays_are_private_by_default(private: TestClient, engine: Engine, session: Session) -> None:
    add_plays(engine, "Secret Song")
    for path in ("/api/spotify/recent", "/api/spotify/recent.svg"):
        answer = private.get(path, headers={"Origin": BLOG})
        assert answer.status_code == 404 and "Secret Song" not in answer.text
        assert "access-control-allow-origin" not in answer.headers
    owner = log_in(private, session)
    answer = owner.get("/api/spotify/recent")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "private, no-store"
    # The newest play first (a play from another test's fake Spotify may sit in the history behind it).
    assert [play["track"]["name"] for play in answer.json()["plays"]][:1] == ["Secret Song"]
    assert owner.get("/api/spotify/recent.svg").status_code == 200


def test_with_the_setting_anyone_reads_the_last_plays(public: TestClient, engine: Engine) -> None:
    add_plays(engine, "First", "Second", "<script>alert(1)</script>")
    answer = public.get("/api/spotify/recent?limit=2", headers={"Origin": BLOG})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == BLOG
    plays = answer.json()["plays"]
    assert [p["track"]["name"] for p in plays] == ["<script>alert(1)</script>", "Second"]
    newest = plays[0]
    assert newest["played_at"].endswith("Z") and newest["listened_ms"] == 200_000
    assert newest["track"]["url"] == "https://open.spotify.com/track/key2"
    first = public.get("/api/spotify/recent?limit=3").json()["plays"][-1]
    assert first["listened_estimated"] is True  # from recently-played alone: assumed, and said so
    for bad in ("0", "51", "x", "-1"):
        assert public.get(f"/api/spotify/recent?limit={bad}").status_code == 400


def test_the_card_shows_the_last_plays_escaped(public: TestClient, engine: Engine) -> None:
    add_plays(engine, 'Tom & "Jerry"', "<script>alert(1)</script>")
    card = public.get("/api/spotify/recent.svg?theme=dark")
    assert card.status_code == 200 and card.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in card.headers["content-security-policy"]
    body = card.text
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "Tom &amp; &quot;Jerry&quot;" in body and "The &lt;b&gt;Band&lt;/b&gt; &amp; Co" in body
    assert body.index("&lt;script&gt;") < body.index("Tom &amp;")  # newest first
    assert public.get("/api/spotify/recent.svg?theme=neon").status_code == 400


def test_an_empty_history_gives_an_empty_card(public: TestClient) -> None:
    assert public.get("/api/spotify/recent").json() == {"plays": []}
    assert "Nothing played lately" in public.get("/api/spotify/recent.svg").text


def test_only_the_owner_uploads_an_export_and_a_bad_one_changes_nothing(
    private: TestClient, public: TestClient, session: Session
) -> None:
    rows = [
        {
            "ts": "2025-03-01T10:00:00Z",
            "ms_played": 200_000,
            "master_metadata_track_name": "Uploaded",
            "master_metadata_album_artist_name": "Artist",
            "master_metadata_album_album_name": "Album",
            "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
            "episode_name": None,
        }
    ]
    body = json.dumps(rows).encode()
    assert public.post("/api/spotify/history/import", content=body).status_code == 404  # even when public
    owner = log_in(private, session)
    answer = owner.post("/api/spotify/history/import", content=body)
    assert answer.status_code == 200 and answer.json()["added"] == 1
    again = owner.post("/api/spotify/history/import", content=body)
    assert (again.json()["added"], again.json()["already"]) == (0, 1)
    bad = owner.post("/api/spotify/history/import", content=b"{oops")
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["error"]
    assert [p["track"]["name"] for p in owner.get("/api/spotify/recent").json()["plays"]] == ["Uploaded"]
