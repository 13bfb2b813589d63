"""The README's Homepage and Glance configurations read fields the token API really answers: each
widget's URL is called with a read token (Spotify connected, a track playing, a plant due) and every
field its mappings or template name must be in that answer, so the recipes cannot rot unseen."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from accumulator.db import utcnow
from accumulator.plants.models import Plant
from accumulator.runtime import build_services
from accumulator.settings import load_settings
from accumulator.spotify.models import SpotifySnapshot
from tests.conftest import api_client
from tests.tokens.conftest import bearer, make_token

README = Path(__file__).resolve().parents[2] / "README.md"
HOST = "https://acc.example.com"


def recipes() -> tuple[list[dict], dict]:
    """(Homepage's widgets, Glance's widget) from the README's "Plugging it in" section."""
    section = README.read_text().split("### Plugging it in", 1)[1].split("\n## ", 1)[0]
    homepage_text, glance_text = re.findall(r"```yaml\n(.*?)```", section, re.S)[:2]
    homepage = [
        service["widget"]
        for group in yaml.safe_load(homepage_text)
        for services in group.values()
        for entry in services
        for service in entry.values()
    ]
    (glance,) = yaml.safe_load(glance_text)
    return homepage, glance


def field_at(answer: dict, path: list[str]) -> Any:
    for name in path:
        assert isinstance(answer, dict) and name in answer, f"{'.'.join(path)} is not in {answer}"
        answer = answer[name]
    return answer


def homepage_path(field: str | dict) -> list[str]:
    path: list[str] = []
    while isinstance(field, dict):  # { track: name } is track.name
        ((key, field),) = field.items()
        path.append(key)
    return [*path, field]


def test_the_readme_recipes_read_fields_the_api_answers(tmp_path, database: str, engine, session: Session) -> None:
    nowhere = "http://127.0.0.1:9"
    settings = load_settings({
        "DATA_DIR": str(tmp_path / "d"), "DATABASE_URL": database, "SPOTIFY_CLIENT_ID": "id",
        "SPOTIFY_CLIENT_SECRET": "secret", "SPOTIFY_REFRESH_TOKEN": "refresh", "SPOTIFY_API_URL": nowhere,
        "SPOTIFY_ACCOUNTS_URL": nowhere,
    })  # fmt: skip
    svc = build_services(settings, engine)
    now = utcnow()
    track = {"id": "t1", "name": "Song", "artists": "Band", "album": "Record", "cover_url": "", "url": "",
             "duration_ms": 200000}  # fmt: skip
    playing = {"source": "now", "playing": True, "progress_ms": 1000, "track": track, "played_at": None}
    session.add(SpotifySnapshot(key="now_playing", data=json.dumps(playing), fetched_at=now, checked_at=now))
    session.add(Plant(name="Fern", interval_days=3, last_watered_on=(now - timedelta(days=9)).date()))
    session.commit()
    homepage, glance = recipes()
    assert len(homepage) == 3 and glance["type"] == "custom-api"
    headers = bearer(make_token(svc, "read"))
    with api_client(svc) as client:

        def answer(url: str) -> dict:
            assert url.startswith(HOST + "/api/v1/")
            got = client.get(url.removeprefix(HOST), headers=headers)
            assert got.status_code == 200, (url, got.text)
            return got.json()

        for widget in homepage:
            assert widget["type"] == "customapi"
            assert widget["headers"]["Authorization"].startswith("Bearer ")
            read = answer(widget["url"])
            for mapping in widget["mappings"]:
                value = field_at(read, homepage_path(mapping["field"]))
                assert not isinstance(value, dict | list)
        answers = {"": answer(glance["url"])} | {
            name: answer(sub["url"]) for name, sub in glance["subrequests"].items()
        }
        named = dict(re.findall(r'\$(\w+) := \.Subrequest "(\w+)"', glance["template"]))
        used = re.findall(r'(?:\$(\w+))?\.JSON\.(\w+) "([\w.]+)"', glance["template"])
        assert len(used) >= 6
        for variable, kind, path in used:
            value = field_at(answers[named[variable] if variable else ""], path.split("."))
            assert {"Int": int, "String": str, "Bool": bool}[kind] is type(value), (path, value)
        assert answers["plants"]["due_count"] == 1 and answers["music"]["track"]["name"] == "Song"
