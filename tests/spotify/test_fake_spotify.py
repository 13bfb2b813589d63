"""The fake Spotify speaks the protocol the app relies on (checked with plain httpx, not the app)."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.spotify.fake_spotify import CLIENT_ID, CLIENT_SECRET, DEFAULT_SCOPE, TINY_JPEG, running_fake_spotify

BASIC = {"Authorization": "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()}
REDIRECT = "http://127.0.0.1:9/spotify/callback"


@pytest.fixture
def fake() -> Iterator:
    with running_fake_spotify() as fake:
        yield fake
        assert fake.errors == []  # nothing went wrong inside the fake itself


@pytest.fixture
def http(fake) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.url, timeout=5) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_authorization_code_flow(fake, http: httpx.Client) -> None:
    query = {"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT, "scope": DEFAULT_SCOPE}
    page = http.get("/authorize", params={**query, "state": "s1"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "user-top-read" in page.text
    assert fake.last_authorize == {**query, "state": "s1"}

    agree = html.unescape(re.search(r'<a id="agree" href="([^"]+)"', page.text).group(1))
    assert agree == fake.last_agree_url
    assert agree.startswith(REDIRECT + "?")
    params = parse_qs(urlsplit(agree).query)
    assert params["state"] == ["s1"]
    cancel = parse_qs(urlsplit(fake.last_cancel_url).query)
    assert cancel == {"error": ["access_denied"], "state": ["s1"]}

    form = {"grant_type": "authorization_code", "code": params["code"][0], "redirect_uri": REDIRECT}
    tokens = http.post("/api/token", data=form, headers=BASIC)
    assert tokens.status_code == 200
    body = tokens.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == DEFAULT_SCOPE
    assert body["expires_in"] == 3600
    assert body["refresh_token"]

    again = http.post("/api/token", data=form, headers=BASIC)  # a code works once
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": "Invalid authorization code"}
    assert fake.token_calls == ["authorization_code", "authorization_code"]

    assert http.get("/v1/me/player/currently-playing", headers=bearer(body["access_token"])).status_code == 204


def test_authorize_rejects_unknown_client_and_token_needs_client_credentials(fake, http: httpx.Client) -> None:
    page = http.get(
        "/authorize", params={"client_id": "someone-else", "response_type": "code", "redirect_uri": REDIRECT}
    )
    assert page.status_code == 400
    assert fake.last_authorize["client_id"] == "someone-else"

    code = parse_qs(urlsplit(_agree(fake, http)).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    wrong = {"Authorization": "Basic " + base64.b64encode(f"{CLIENT_ID}:nope".encode()).decode()}
    for headers in ({}, wrong):
        refused = http.post("/api/token", data=form, headers=headers)
        assert refused.status_code == 401
        assert refused.json() == {"error": "invalid_client"}

    mismatched = http.post("/api/token", data={**form, "redirect_uri": REDIRECT + "/other"}, headers=BASIC)
    assert mismatched.status_code == 400
    assert mismatched.json()["error"] == "invalid_grant"


def _agree(fake, http: httpx.Client) -> str:
    query = {"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT, "scope": DEFAULT_SCOPE}
    assert http.get("/authorize", params=query).status_code == 200
    return fake.last_agree_url


def test_refresh_rotation_and_revocation(fake, http: httpx.Client) -> None:
    seeded = fake.issue_refresh_token()
    first = http.post("/api/token", data={"grant_type": "refresh_token", "refresh_token": seeded}, headers=BASIC)
    assert first.status_code == 200
    assert "refresh_token" not in first.json()  # no rotation by default: the old one still works

    fake.rotate_refresh_tokens = True
    rotated = http.post("/api/token", data={"grant_type": "refresh_token", "refresh_token": seeded}, headers=BASIC)
    new = rotated.json()["refresh_token"]
    assert new != seeded
    stale = http.post("/api/token", data={"grant_type": "refresh_token", "refresh_token": seeded}, headers=BASIC)
    assert stale.status_code == 400
    assert stale.json() == {"error": "invalid_grant", "error_description": "Refresh token revoked"}

    fake.revoke_refresh_tokens()
    revoked = http.post("/api/token", data={"grant_type": "refresh_token", "refresh_token": new}, headers=BASIC)
    assert revoked.status_code == 400
    assert fake.token_calls == ["refresh_token"] * 4


def test_api_needs_a_valid_access_token(fake, http: httpx.Client) -> None:
    token = fake.issue_access_token()
    assert http.get("/v1/me/player/currently-playing").status_code == 401
    assert http.get("/v1/me/player/currently-playing", headers=bearer(token)).status_code == 204
    fake.expire_access_tokens()
    expired = http.get("/v1/me/player/currently-playing", headers=bearer(token))
    assert expired.status_code == 401
    assert expired.json() == {"error": {"status": 401, "message": "The access token expired"}}
    assert fake.api_calls == [("GET", "/v1/me/player/currently-playing")] * 3


def test_currently_playing_states(fake, http: httpx.Client) -> None:
    headers = bearer(fake.issue_access_token())
    fake.play(name="Song A", artists=("Artist X", "Artist Y"), progress_ms=1234, is_playing=False)
    now = http.get("/v1/me/player/currently-playing", headers=headers).json()
    assert now["currently_playing_type"] == "track"
    assert (now["progress_ms"], now["is_playing"]) == (1234, False)
    assert isinstance(now["timestamp"], int)
    track = now["item"]
    assert track["name"] == "Song A"
    assert [artist["name"] for artist in track["artists"]] == ["Artist X", "Artist Y"]
    assert track["external_urls"]["spotify"] == f"https://open.spotify.com/track/{track['id']}"
    assert [(image["width"], image["height"]) for image in track["album"]["images"]] == [
        (640, 640),
        (300, 300),
        (64, 64),
    ]

    fake.play_ad()
    ad = http.get("/v1/me/player/currently-playing", headers=headers)
    assert ad.status_code == 200
    assert (ad.json()["item"], ad.json()["currently_playing_type"]) == (None, "ad")

    fake.stop()
    stopped = http.get("/v1/me/player/currently-playing", headers=headers)
    assert (stopped.status_code, stopped.content) == (204, b"")


def test_recently_played_and_top_lists(fake, http: httpx.Client) -> None:
    headers = bearer(fake.issue_access_token())
    recent = http.get("/v1/me/player/recently-played", params={"limit": 5}, headers=headers).json()
    assert [(item["track"]["name"], item["played_at"]) for item in recent["items"]] == [
        ("Last Played Song", "2026-11-27T10:00:00.000Z")
    ]
    fake.set_recent(["Newest", {"name": "Older", "artists": ("Someone",)}])
    recent = http.get("/v1/me/player/recently-played", params={"limit": 1}, headers=headers).json()
    assert [item["track"]["name"] for item in recent["items"]] == ["Newest"]

    short = http.get("/v1/me/top/tracks", params={"time_range": "short_term", "limit": 5}, headers=headers).json()
    assert [track["name"] for track in short["items"]] == [f"Short Track {i}" for i in range(1, 6)]
    assert (short["total"], short["limit"], short["offset"]) == (12, 5, 0)
    artists = http.get("/v1/me/top/artists", params={"time_range": "long_term", "limit": 50}, headers=headers).json()
    assert len(artists["items"]) == 12
    assert artists["items"][0]["name"] == "Long Artist 1"
    assert len(artists["items"][0]["images"]) == 3

    assert http.get("/v1/me/top/tracks", params={"time_range": "forever"}, headers=headers).status_code == 400
    assert http.get("/v1/me/top/tracks", params={"limit": 51}, headers=headers).status_code == 400


def test_images_are_real_jpegs(fake, http: httpx.Client) -> None:
    track = fake.play()
    image = httpx.get(track["album"]["images"][0]["url"])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert image.content == TINY_JPEG
    assert image.content[:2] == b"\xff\xd8" and image.content[-2:] == b"\xff\xd9"
    assert fake.image_calls == [urlsplit(track["album"]["images"][0]["url"]).path]


def test_faults(fake, http: httpx.Client) -> None:
    headers = bearer(fake.issue_access_token())
    fake.fail("/v1/me/player", 429, retry_after=3)
    limited = http.get("/v1/me/player/currently-playing", headers=headers)
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")
    assert limited.json()["error"]["status"] == 429
    assert http.get("/v1/me/player/currently-playing", headers=headers).status_code == 204  # only once

    fake.fail("/api/token", 500)
    token_form = {"grant_type": "refresh_token", "refresh_token": fake.issue_refresh_token()}
    assert http.post("/api/token", data=token_form, headers=BASIC).status_code == 500
    assert http.post("/api/token", data=token_form, headers=BASIC).status_code == 200

    fake.garbage("/v1/me/top")
    garbage = http.get("/v1/me/top/tracks", headers=headers)
    assert garbage.status_code == 200
    assert garbage.headers["content-type"].startswith("application/json")
    with pytest.raises(ValueError):
        garbage.json()

    fake.slow("/v1", 0.5)
    with pytest.raises(httpx.ReadTimeout):
        http.get("/v1/me/top/artists", headers=headers, timeout=0.1)
    assert http.get("/v1/me/top/artists", headers=headers).status_code == 200

    fake.fail("", 503, times=None)
    assert http.get("/v1/me/top/artists", headers=headers).status_code == 503
    assert http.get("/images/x-64.jpg").status_code == 503
    fake.reset_faults()
    assert http.get("/images/x-64.jpg").status_code == 200


def test_closing_drops_the_server() -> None:
    with running_fake_spotify() as fake, httpx.Client(base_url=fake.url, timeout=2) as http:
        assert http.get("/images/a-64.jpg").status_code == 200  # leaves a kept-alive connection
    with pytest.raises(httpx.ConnectError), httpx.Client(base_url=fake.url, timeout=2) as http:
        http.get("/images/a-64.jpg")
