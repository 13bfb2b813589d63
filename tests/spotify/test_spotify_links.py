"""Links from Spotify's answers end up in an href or an img src on the owner's page and the public
widget. Only http(s) URLs are kept, when stored and again when served: a `javascript:` or `data:`
link (from a compromised or confused API, or a row stored before this check) becomes empty."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.db import utcnow
from accumulator.runtime import build_services
from accumulator.settings import Settings
from accumulator.spotify import service
from accumulator.spotify.models import SpotifySnapshot
from accumulator.spotify.sync import SpotifySync
from tests.conftest import api_client
from tests.spotify.conftest import connect_directly
from tests.spotify.fake_spotify import FakeSpotify

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/track",
    "https:evil",
    "/relative/path",
    "https://open.spotify.com/track/\x00",
    "https://open.spotify.com/track/\ud800",
    "https://open.spotify.com/track/a b",
    "https://[::1/track",
    5,
    None,
]
SAFE = ["https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "http://localhost:8080/images/a.jpg"]


def track_with(url, image_url) -> dict:
    return {
        "id": "t1",
        "name": "Song",
        "duration_ms": 1000,
        "external_urls": {"spotify": url},
        "artists": [{"name": "Artist"}],
        "album": {"name": "Album", "images": [{"url": image_url, "width": 300, "height": 300}]},
    }


@pytest.mark.parametrize("url", HOSTILE, ids=repr)
def test_a_link_that_is_not_http_becomes_empty(url) -> None:
    track = service.parse_track(track_with(url, url))
    assert track["url"] == "" and track["cover_url"] == "" and track["small_cover_url"] == ""
    artist = service.parse_artist({"name": "A", "external_urls": {"spotify": url}, "images": [{"url": url}]})
    assert artist["url"] == "" and artist["image_url"] == ""


@pytest.mark.parametrize("url", SAFE)
def test_an_http_link_is_kept_as_it_is(url: str) -> None:
    track = service.parse_track(track_with(url, url))
    assert track["url"] == url and track["cover_url"] == url


def test_the_nearest_safe_image_is_chosen_when_a_better_sized_one_is_hostile() -> None:
    item = track_with(SAFE[0], "javascript:alert(1)")
    item["album"]["images"].append({"url": SAFE[1], "width": 64, "height": 64})
    assert service.parse_track(item)["cover_url"] == SAFE[1]


async def test_a_hostile_now_playing_answer_is_stored_without_its_links(
    sync: SpotifySync, fake: FakeSpotify, session: Session
) -> None:
    connect_directly(session, fake)
    item = fake.play(name="Innocent Song")  # the fake answers with this very object
    item["external_urls"]["spotify"] = "javascript:alert(document.cookie)"
    safe_cover = item["album"]["images"][-1]["url"]  # the 64 px one
    for image in item["album"]["images"][:-1]:
        image["url"] = "javascript:alert(1)"
    await sync.poll_now_playing()
    session.expire_all()
    track = json.loads(session.get(SpotifySnapshot, service.NOW_PLAYING).data)["track"]
    assert track["name"] == "Innocent Song" and track["url"] == ""
    assert track["cover_url"] == track["small_cover_url"] == safe_cover
    assert len(fake.image_calls) == 1 and track["cover_data"].startswith("data:image/jpeg;base64,")


@pytest.fixture
def visitor(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with api_client(build_services(settings, engine)) as client:
        yield client


def test_links_stored_before_the_check_are_served_empty(visitor: TestClient, session: Session) -> None:
    now = utcnow()
    hostile_track = {
        "id": "t1",
        "name": "Old Row",
        "artists": "A",
        "album": "B",
        "duration_ms": 1000,
        "url": "javascript:alert(1)",
        "cover_url": "data:text/html,<script>alert(1)</script>",
        "small_cover_url": "javascript:alert(2)",
        "cover_data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    }
    data = {"source": "now", "playing": True, "progress_ms": 0, "track": hostile_track, "played_at": None}
    session.add(SpotifySnapshot(key=service.NOW_PLAYING, data=json.dumps(data), fetched_at=now, checked_at=now))
    artists = [{"id": "a1", "name": "Artist", "url": "javascript:alert(3)", "image_url": "vbscript:x"}]
    key = service.top_key("artists", "short_term")
    session.add(SpotifySnapshot(key=key, data=json.dumps(artists), fetched_at=now, checked_at=now))
    session.commit()

    served = visitor.get("/api/spotify/now-playing").json()["track"]
    assert served["name"] == "Old Row" and served["url"] == "" and served["cover_url"] == ""
    snapshots = service.read_snapshots(session)
    assert snapshots[service.NOW_PLAYING].data["track"]["cover_data"] == ""
    assert snapshots[key].data == [{"id": "a1", "name": "Artist", "url": "", "image_url": ""}]
