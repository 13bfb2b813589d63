"""Every /api/v1 operation as a script or a dashboard uses it, on SQLite and PostgreSQL: what it
answers, in the shapes the issue promises (errors {"error": {"code", "message"}}, pages with a
cursor, timestamps with their offset, ids as strings)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session, delete
from starlette.testclient import TestClient

from accumulator.notes import service as notes_service
from accumulator.notes.models import Workspace
from accumulator.plants import service as plants_service
from accumulator.runtime import Services

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"}


def _offset(stamp: str) -> None:
    moment = datetime.fromisoformat(stamp)
    assert moment.tzinfo is not None and stamp.endswith("+00:00"), stamp


@pytest.fixture
def inbox(session: Session) -> int:
    """Two workspaces, "Inbox" first (the migration's own "default" removed)."""
    session.exec(delete(Workspace))
    workspace = notes_service.create_workspace(session=session, title="Inbox")
    notes_service.create_workspace(session=session, title="Work", is_public=True)
    session.commit()
    return workspace.id


def test_notes_quick_capture_list_page_search_edit_delete(client: TestClient, write_token: dict, inbox: int) -> None:
    created = client.post("/api/v1/notes", json={"text": "Buy basil seeds"}, headers=write_token)
    assert created.status_code == 201, created.text
    note = created.json()
    assert note["workspace_id"] == str(inbox) and isinstance(note["id"], str)
    assert note["url"] == f"http://testserver/api/v1/notes/{note['id']}" and note["public_url"] is None
    _offset(note["created_at"])
    public = client.post("/api/v1/notes", json={"text": "Shared idea", "workspace": "Work"}, headers=write_token)
    assert public.status_code == 201 and public.json()["public_url"].startswith("http://testserver/public/notes/")
    for number in range(3):
        client.post("/api/v1/notes", json={"text": f"note {number}", "workspace": str(inbox)}, headers=write_token)

    first = client.get("/api/v1/notes", params={"workspace": inbox, "limit": 2}, headers=write_token).json()
    assert [item["text"] for item in first["items"]] == ["note 2", "note 1"]
    second = client.get(
        "/api/v1/notes", params={"workspace": inbox, "limit": 2, "cursor": first["next_cursor"]}, headers=write_token
    ).json()
    assert [item["text"] for item in second["items"]] == ["note 0", "Buy basil seeds"]
    assert second["next_cursor"] is None
    everywhere = client.get("/api/v1/notes", headers=write_token).json()["items"]
    assert len(everywhere) == 5

    workspaces = client.get("/api/v1/workspaces", headers=write_token).json()
    assert [w["title"] for w in workspaces["items"]] == ["Inbox", "Work"] and workspaces["next_cursor"] is None
    found = client.get("/api/v1/notes/search", params={"q": "basil"}, headers=write_token).json()["items"]
    assert [hit["note_id"] for hit in found] == [note["id"]] and "<mark>basil</mark>" in found[0]["snippet_html"]

    edited = client.patch(f"/api/v1/notes/{note['id']}", json={"text": "Buy basil and mint"}, headers=write_token)
    assert edited.status_code == 200 and edited.json()["text"] == "Buy basil and mint"
    assert client.get(f"/api/v1/notes/{note['id']}", headers=write_token).json()["text"] == "Buy basil and mint"
    assert client.delete(f"/api/v1/notes/{note['id']}", headers=write_token).status_code == 204
    gone = client.get(f"/api/v1/notes/{note['id']}", headers=write_token)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert client.patch(f"/api/v1/notes/{note['id']}", json={"text": "x"}, headers=write_token).status_code == 404


def test_notes_refusals_name_the_problem(client: TestClient, write_token: dict, inbox: int) -> None:
    cases = [
        ({"text": ""}, 400),
        ({"text": "   "}, 400),
        ({"text": 5}, 400),
        ({"text": "ok", "extra": 1}, 400),
        ({"text": "nul\x00"}, 400),
        ({"text": "ok", "workspace": "Nope"}, 404),
        # Digits that str.isdigit() knows but int() refuses: a workspace named so, not a crash (500).
        ({"text": "ok", "workspace": "\u00b3"}, 404),
        ({"text": "ok", "workspace": "\u2460"}, 404),
    ]
    for body, status in cases:
        answer = client.post("/api/v1/notes", json=body, headers=write_token)
        assert answer.status_code == status, (body, answer.text)
        error = answer.json()["error"]
        assert set(error) == {"code", "message"} and error["message"]
    raw = client.post("/api/v1/notes", content=b"{not json", headers=write_token)
    assert raw.status_code == 400 and raw.json()["error"]["message"] == "The body is not valid JSON."
    deep = client.post("/api/v1/notes", content=b"[" * 100 + b"]" * 100, headers=write_token)
    assert deep.status_code == 400
    huge = client.post("/api/v1/notes", content=b'{"text": "' + b"a" * (1024 * 1024) + b'"}', headers=write_token)
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"
    assert client.get("/api/v1/notes", params={"limit": 0}, headers=write_token).status_code == 400
    assert client.get("/api/v1/notes", params={"cursor": "garbage!"}, headers=write_token).status_code == 400
    assert client.get("/api/v1/notes/99999999999999999999", headers=write_token).status_code == 404
    assert client.get("/api/v1/notes/\u00b3", headers=write_token).status_code in (400, 404)
    # Past 32 bits (PostgreSQL's INTEGER ids): no such row, never a query the database refuses (503).
    for path in ("/api/v1/notes/4500348510", "/api/v1/plants/4500348510", "/api/v1/notes/0"):
        assert client.get(path, headers=write_token).status_code == 404, path
    too_big = {"q": "x", "workspace": "49864430027706555"}
    assert client.get("/api/v1/notes/search", params=too_big, headers=write_token).status_code == 404
    assert client.get("/api/v1/notes", params={"workspace": "4500348510"}, headers=write_token).status_code == 404


def test_unknown_addresses_and_methods_answer_in_the_same_shape(client: TestClient, write_token: dict) -> None:
    unknown = client.get("/api/v1/nothing-here", headers=write_token)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    wrong = client.put("/api/v1/workspaces", headers=write_token)
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"
    assert wrong.headers["Allow"] == "GET"


def test_pastes_upload_create_list_get_replace_delete(client: TestClient, write_token: dict) -> None:
    upload = client.post("/api/v1/pastes/uploads", params={"name": "log.txt"}, content=b"line 1\n", headers=write_token)
    assert upload.status_code == 201, upload.text
    file_id = upload.json()["id"]
    created = client.post(
        "/api/v1/pastes",
        json={"title": "Server log", "content": "print('hi')", "language": "python", "files": [file_id]},
        headers=write_token,
    )
    assert created.status_code == 201, created.text
    paste = created.json()
    assert paste["visibility"] == "private" and paste["share_url"] is None
    assert [f["name"] for f in paste["files"]] == ["log.txt"] and paste["files"][0]["size"] == 7
    _offset(paste["expires_at"])
    listed = client.get("/api/v1/pastes", params={"q": "server"}, headers=write_token).json()
    assert [item["id"] for item in listed["items"]] == [paste["id"]] and listed["items"][0]["files"] == 1
    assert client.get(f"/api/v1/pastes/{paste['id']}", headers=write_token).json()["content"] == "print('hi')"
    replaced = client.put(
        f"/api/v1/pastes/{paste['id']}", json={"content": "v2", "visibility": "shared"}, headers=write_token
    )
    assert replaced.status_code == 200 and replaced.json()["share_url"].startswith("http://testserver/p/")
    assert replaced.json()["files"] == []  # not listed any more: removed
    forever = client.post("/api/v1/pastes", json={"expiry": "forever", "content": "x"}, headers=write_token)
    assert forever.status_code == 400
    assert client.post("/api/v1/pastes", json={}, headers=write_token).status_code == 400  # nothing to paste
    assert client.delete(f"/api/v1/pastes/{paste['id']}", headers=write_token).status_code == 204
    assert client.get(f"/api/v1/pastes/{paste['id']}", headers=write_token).status_code == 404
    assert client.delete(f"/api/v1/pastes/{paste['id']}", headers=write_token).status_code == 404


def test_plants_list_due_water_and_snooze(client: TestClient, write_token: dict, session: Session) -> None:
    now = datetime.now().astimezone()
    fern = plants_service.create_plant(
        session=session, data=plants_service.parse_input({"name": "Fern", "interval_days": 3}), now=now
    )
    cactus = plants_service.create_plant(
        session=session, data=plants_service.parse_input({"name": "Cactus", "interval_days": 30}), now=now
    )
    session.commit()
    listed = client.get("/api/v1/plants", headers=write_token).json()
    today = date.fromisoformat(listed["today"])
    assert listed["due_count"] == 2  # never watered: due
    assert {item["name"] for item in listed["items"]} == {"Fern", "Cactus"}

    watered = client.post(f"/api/v1/plants/{fern.id}/water", json={}, headers=write_token)
    assert watered.status_code == 200, watered.text
    assert watered.json()["last_watered_on"] == today.isoformat() and watered.json()["days_left"] == 3
    earlier = (today - timedelta(days=2)).isoformat()
    back = client.post(f"/api/v1/plants/{cactus.id}/water", json={"on": earlier}, headers=write_token).json()
    assert back["last_watered_on"] == earlier
    assert back["history"][0] == {"kind": "watered", "on": earlier, "until": None}
    snoozed = client.post(f"/api/v1/plants/{fern.id}/snooze", json={"days": 7}, headers=write_token).json()
    assert snoozed["snoozed_until"] == (today + timedelta(days=10)).isoformat()
    assert client.get("/api/v1/plants", headers=write_token).json()["due_count"] == 0
    assert client.get(f"/api/v1/plants/{fern.id}", headers=write_token).json()["history"][0]["kind"] == "snoozed"

    future = (today + timedelta(days=1)).isoformat()
    assert client.post(f"/api/v1/plants/{fern.id}/water", json={"on": future}, headers=write_token).status_code == 400
    assert client.post(f"/api/v1/plants/{fern.id}/snooze", json={"days": 2}, headers=write_token).status_code == 400
    assert client.post("/api/v1/plants/999999/water", json={}, headers=write_token).status_code == 404
    assert client.get("/api/v1/plants/999999", headers=write_token).status_code == 404


def test_analytics_summary_pages_daily_and_breakdowns(client: TestClient, read_token: dict) -> None:
    for path in ("/a", "/a", "/b"):
        event = {"type": "pageview", "site": "blog", "path": path, "visitor": f"visitor-{path[1:]}-0000"}
        assert client.post("/api/event", json=event, headers=BROWSER).status_code == 202
    deadline = time.monotonic() + 10
    while (summary := client.get("/api/v1/analytics/summary", headers=read_token).json())["total_views"] < 3:
        assert time.monotonic() < deadline, summary
        time.sleep(0.1)
    assert summary["visitors_today"] >= 1 and summary["pages"] == 2 and "reading_now" in summary
    pages = client.get("/api/v1/analytics/pages", params={"limit": 1}, headers=read_token).json()
    assert [(p["path"], p["views"]) for p in pages["items"]] == [("/a", 2)] and pages["next_cursor"]
    rest = client.get("/api/v1/analytics/pages", params={"cursor": pages["next_cursor"]}, headers=read_token).json()
    assert [(p["path"], p["views"]) for p in rest["items"]] == [("/b", 1)] and rest["next_cursor"] is None
    daily = client.get("/api/v1/analytics/daily", params={"days": 7}, headers=read_token).json()["days"]
    assert len(daily) == 7 and daily[-1]["day"] == summary["today"] and daily[-1]["views"] == 3
    page_days = client.get("/api/v1/analytics/daily", params={"days": 1, "path": "/b"}, headers=read_token).json()
    assert page_days["days"][0]["views"] == 1
    shares = client.get("/api/v1/analytics/breakdowns", params={"range": "7"}, headers=read_token).json()
    assert shares["range"] == "7" and shares["browser"][0]["value"].startswith("Chrome")
    assert client.get("/api/v1/analytics/breakdowns", params={"range": "8"}, headers=read_token).status_code == 400
    assert client.get("/api/v1/analytics/daily", params={"days": 400}, headers=read_token).status_code == 400


def test_spotify_says_clearly_when_it_is_not_connected(client: TestClient, read_token: dict) -> None:
    playing = client.get("/api/v1/spotify/now-playing", headers=read_token)
    assert playing.status_code == 200
    assert playing.json() | {} == {
        "status": "not configured", "connected": False, "source": "none", "playing": False, "track": None,
        "progress_ms": 0, "played_at": None, "fetched_at": None, "stale": False,
    }  # fmt: skip
    top = client.get("/api/v1/spotify/top/tracks", params={"range": "long_term"}, headers=read_token)
    assert top.status_code == 409 and top.json()["error"]["code"] == "spotify_not_connected"
    assert client.get("/api/v1/spotify/top/albums", headers=read_token).status_code == 404


def test_the_description_covers_every_route_and_the_docs_page_is_served(client: TestClient, services: Services) -> None:
    from accumulator.apiv1.manifest import OPERATIONS

    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"] == "3.1.0"
    described = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    assert described == {(op.method, "/api/v1" + op.path) for op in OPERATIONS}
    for item in spec["paths"].values():
        for op in item.values():
            assert "401" in op["responses"] and "429" in op["responses"] and op["security"] == [{"token": []}]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "/api/v1/docs/docs.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "https://" not in page.text  # nothing from a CDN
    assert client.get("/api/v1/docs/docs.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/api/v1/docs/../manifest.py").status_code == 404


def test_spotify_now_playing_and_top_lists_come_from_the_cached_copy(
    tmp_path, database: str, engine, session: Session
) -> None:
    """Connected (a refresh token configured; Spotify itself is never called per request)."""
    import json as jsonlib

    from accumulator.db import utcnow
    from accumulator.runtime import build_services
    from accumulator.settings import load_settings
    from accumulator.spotify.models import SpotifySnapshot
    from tests.conftest import api_client
    from tests.tokens.conftest import bearer, make_token

    nowhere = "http://127.0.0.1:9"
    settings = load_settings({
        "DATA_DIR": str(tmp_path / "d"), "DATABASE_URL": database, "SPOTIFY_CLIENT_ID": "id",
        "SPOTIFY_CLIENT_SECRET": "secret", "SPOTIFY_REFRESH_TOKEN": "refresh", "SPOTIFY_API_URL": nowhere,
        "SPOTIFY_ACCOUNTS_URL": nowhere,
    })  # fmt: skip
    svc = build_services(settings, engine)
    fetched = utcnow()
    track = {"id": "t1", "name": "Song", "artists": "Band", "album": "Record", "cover_url": "https://i.scdn.co/c",
             "small_cover_url": "", "url": "https://open.spotify.com/track/t1", "duration_ms": 200000}  # fmt: skip
    playing = {"source": "now", "playing": True, "progress_ms": 1000, "track": track, "played_at": None}
    for key, data in (("now_playing", playing), ("top:tracks:short_term", [track])):
        session.add(SpotifySnapshot(key=key, data=jsonlib.dumps(data), fetched_at=fetched, checked_at=fetched))
    session.commit()
    headers = bearer(make_token(svc, "read"))
    with api_client(svc) as client:
        now = client.get("/api/v1/spotify/now-playing", headers=headers).json()
        assert now["connected"] is True and now["playing"] is True and now["track"]["name"] == "Song"
        assert now["progress_ms"] >= 1000 and now["fetched_at"].endswith("+00:00")
        top = client.get("/api/v1/spotify/top/tracks", headers=headers).json()
        assert top["label"] == "Last 4 weeks" and [item["name"] for item in top["items"]] == ["Song"]
        assert top["items"][0]["image_url"] == "https://i.scdn.co/c" and top["items"][0]["artists"] == "Band"
        artists = client.get("/api/v1/spotify/top/artists", params={"range": "long_term"}, headers=headers).json()
        assert artists["items"] == [] and artists["fetched_at"] is None  # connected, not fetched yet
