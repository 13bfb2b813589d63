"""Other players scrobble to the hub as they would to ListenBrainz (`POST /1/submit-listens` with
`Authorization: Token <token>`): their plays join the listening history once, what is only playing
is not a play, and a bad submission, a wrong token or a read token is refused with nothing kept."""

from __future__ import annotations

import asyncio
import time

from starlette.testclient import TestClient

from accumulator.runtime import Services
from accumulator.spotify import reads
from tests.tokens.conftest import make_token

SUBMIT = "/1/submit-listens"


def listen(track: str, *, at: int, artist: str = "Nina Simone", **info: object) -> dict:
    return {
        "listened_at": at,
        "track_metadata": {
            "artist_name": artist,
            "track_name": track,
            "release_name": "Pastel Blues",
            "additional_info": {"duration_ms": 240_000, **info},
        },
    }


def history(services: Services) -> list[tuple[str, str, int]]:
    """The owner's last plays, newest first: (track, artist, start as Unix time)."""
    plays = asyncio.run(reads.recent_plays(services, limit=50))
    return [(play.name, play.artists, int(play.played_at.timestamp())) for play in plays]


def test_a_scrobbled_play_joins_the_history_once(services: Services, client: TestClient) -> None:
    token = {"Authorization": f"Token {make_token(services, 'write', 'Navidrome')}"}
    assert client.get("/1/validate-token", headers=token).json()["valid"] is True
    at = int(time.time()) - 600
    single = {"listen_type": "single", "payload": [listen("Sinnerman", at=at)]}
    assert client.post(SUBMIT, json=single, headers=token).json() == {"status": "ok"}
    assert client.post(SUBMIT, json=single, headers=token).status_code == 200  # a client's retry
    # What is playing now is not a play yet.
    now_playing = {
        "listen_type": "playing_now",
        "payload": [{"track_metadata": {"artist_name": "X", "track_name": "Y"}}],
    }
    assert client.post(SUBMIT, json=now_playing, headers=token).status_code == 200
    assert history(services) == [("Sinnerman", "Nina Simone", at)]


def test_an_import_brings_many_plays_and_a_bad_one_keeps_none(services: Services, client: TestClient) -> None:
    token = {"Authorization": f"Token {make_token(services, 'write', 'scrobbler')}"}
    start = int(time.time()) - 86_400
    plays = [listen(f"Track {n}", at=start + n * 300) for n in range(5)]
    bad = {"listen_type": "import", "payload": [*plays, listen("Broken\x00name", at=start + 9000)]}
    refused = client.post(SUBMIT, json=bad, headers=token)
    assert refused.status_code == 400
    assert "payload[5].track_metadata.track_name" in refused.json()["error"]["message"]
    assert history(services) == []  # nothing of a refused submission
    assert client.post(SUBMIT, json={"listen_type": "import", "payload": plays}, headers=token).status_code == 200
    assert [name for name, _artist, _at in history(services)] == [f"Track {n}" for n in reversed(range(5))]


def test_bad_submissions_and_tokens_are_refused_with_a_reason(services: Services, client: TestClient) -> None:
    write = {"Authorization": f"Token {make_token(services, 'write', 'w')}"}
    read = {"Authorization": f"Token {make_token(services, 'read', 'r')}"}
    good = {"listen_type": "single", "payload": [listen("Feeling Good", at=int(time.time()) - 60)]}
    assert client.post(SUBMIT, json=good).status_code == 401
    assert client.post(SUBMIT, json=good, headers={"Authorization": "Token acc_not-a-token"}).status_code == 401
    assert client.post(SUBMIT, json=good, headers=read).status_code == 403
    cases = {
        "listen_type must be": {"listen_type": "loved", "payload": good["payload"]},
        "exactly one listen": {"listen_type": "single", "payload": good["payload"] * 2},
        "listened_at must be a Unix time": {"listen_type": "single", "payload": [listen("A", at="yesterday")]},
        "between 2002 and now": {"listen_type": "single", "payload": [listen("A", at=int(time.time()) + 86_400)]},
        "artist_name must not be empty": {
            "listen_type": "single",
            "payload": [listen("A", at=1_700_000_000, artist="")],
        },
        "duration_ms": {"listen_type": "single", "payload": [listen("A", at=1_700_000_000, duration_ms=-5)]},
    }
    for reason, body in cases.items():
        answer = client.post(SUBMIT, json=body, headers=write)
        assert answer.status_code == 400 and reason in answer.json()["error"]["message"], (reason, answer.text)
    nested = client.post(SUBMIT, content=b"[" * 5000 + b"]" * 5000, headers=write)
    assert nested.status_code == 400
    assert history(services) == []
