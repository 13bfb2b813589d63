"""The paste bin over HTTP: the owner's routes, shared links, burn after reading, files, and every
refusal (with nothing stored). Private means 404, the same answer as for an id that never existed."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from accumulator.api import create_api
from accumulator.auth import service as auth
from accumulator.db import utcnow
from accumulator.pastes.models import Paste, PasteFile
from accumulator.runtime import build_services
from accumulator.settings import Settings
from tests.conftest import api_client

PASSWORD = "a long owner password"
HOSTILE = "<script>alert('x')</script> & \"quotes\""


@pytest.fixture
def anonymous(services) -> Iterator[TestClient]:
    """A second browser, without the owner's cookie (and without a second analytics writer)."""
    with TestClient(create_api(services)) as visitor:
        yield visitor


def upload(client: TestClient, data: bytes, name: str = "report.pdf", content_type: str = "application/pdf") -> dict:
    response = client.post(
        "/api/pastes/uploads", params={"name": name}, content=data, headers={"Content-Type": content_type}
    )
    assert response.status_code == 201, response.text
    return response.json()


def create(client: TestClient, **fields) -> dict:
    body = {"title": "Snippet", "content": "def f():\n    return 1\n", "language": "python", "expiry": "1d", **fields}
    response = client.post("/api/pastes", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def stored_files(settings: Settings) -> list[Path]:
    return [path for path in settings.uploads.rglob("*") if path.is_file()]


def count(session: Session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


# The owner's routes


def test_the_owner_creates_a_paste_with_a_file_and_reads_it_back(owner: TestClient, settings: Settings) -> None:
    data = bytes(range(256)) * 1000
    uploaded = upload(owner, data, name="Résumé final.pdf")
    assert uploaded["size"] == len(data)
    created = create(owner, title="With a file", files=[uploaded["id"]], visibility="private")
    assert created["url"] == f"/bin/{created['id']}" and created["share_url"] is None

    detail = owner.get(f"/api/pastes/{created['id']}").json()
    assert detail["title"] == "With a file" and detail["shown_as"] == "python"
    assert [(f["name"], f["size"]) for f in detail["files"]] == [("Résumé final.pdf", len(data))]

    raw = owner.get(f"/api/pastes/{created['id']}/raw")
    assert raw.text == "def f():\n    return 1\n"
    download = owner.get(f"/api/pastes/{created['id']}/files/{uploaded['id']}")
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "R%C3%A9sum%C3%A9%20final.pdf" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    # Stored under a generated name: nothing the user sent is part of the path.
    assert [path.name for path in stored_files(settings)] == [uploaded["id"]]


def test_without_a_session_every_private_object_answers_404_like_an_unknown_id(
    owner: TestClient, anonymous: TestClient
) -> None:
    file = upload(owner, b"private bytes")
    paste = create(owner, files=[file["id"]], visibility="private")
    known = [
        ("GET", f"/api/pastes/{paste['id']}"),
        ("GET", f"/api/pastes/{paste['id']}/raw"),
        ("GET", f"/api/pastes/{paste['id']}/files/{file['id']}"),
        ("PUT", f"/api/pastes/{paste['id']}"),
        ("DELETE", f"/api/pastes/{paste['id']}"),
        ("GET", f"/p/{paste['slug']}"),
        ("GET", f"/p/{paste['slug']}/raw"),
        ("GET", f"/p/{paste['slug']}/embed"),
        ("GET", f"/p/{paste['slug']}/files/{file['id']}"),
    ]
    for method, address in known:
        response = anonymous.request(method, address, json={"content": "overwritten"})
        unknown = anonymous.request(method, re.sub(r"/[A-Za-z0-9_-]{16,}", "/AAAAAAAAAAAAAAAA", address), json={})
        assert response.status_code == unknown.status_code == 404, address
        assert "private bytes" not in response.text and "def f" not in response.text
    assert anonymous.get("/api/pastes").status_code == 404
    assert anonymous.post("/api/pastes", json={"content": "x"}).status_code == 401
    assert anonymous.post("/api/pastes/uploads?name=a.txt", content=b"x").status_code == 401
    assert owner.get(f"/api/pastes/{paste['id']}/raw").text.startswith("def f")  # untouched


def test_a_page_on_another_site_cannot_use_the_owners_cookie(owner: TestClient, session: Session) -> None:
    evil = {"Origin": "https://evil.example"}
    assert owner.post("/api/pastes", json={"content": "x"}, headers=evil).status_code == 401
    assert owner.post("/api/pastes/uploads?name=a", content=b"x", headers=evil).status_code == 401
    paste = create(owner)
    assert owner.delete(f"/api/pastes/{paste['id']}", headers=evil).status_code == 404
    assert count(session, Paste) == 1


def test_editing_replaces_the_fields_restarts_the_expiry_and_drops_removed_files(
    owner: TestClient, session: Session, settings: Settings
) -> None:
    kept, dropped = upload(owner, b"kept"), upload(owner, b"dropped")
    paste = create(owner, expiry="10m", files=[kept["id"], dropped["id"]])
    added = upload(owner, b"added")
    response = owner.put(
        f"/api/pastes/{paste['id']}",
        json={
            "title": "v2",
            "content": "SELECT 1;",
            "language": "sql",
            "expiry": "1w",
            "files": [kept["id"], added["id"]],
        },
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["title"] == "v2" and edited["shown_as"] == "sql"
    # A week from now, not the old expiry moved on.
    assert abs(datetime.fromisoformat(edited["expires_at"]) - (utcnow() + timedelta(weeks=1))) < timedelta(seconds=5)
    assert sorted(f["name"] for f in edited["files"]) == ["report.pdf", "report.pdf"]
    assert {path.name for path in stored_files(settings)} == {kept["id"], added["id"]}
    assert count(session, PasteFile) == 2


def test_deleting_a_paste_removes_its_files_from_disk(owner: TestClient, settings: Settings) -> None:
    file = upload(owner, b"bytes")
    paste = create(owner, files=[file["id"]])
    assert owner.delete(f"/api/pastes/{paste['id']}").status_code == 204
    assert owner.get(f"/api/pastes/{paste['id']}").status_code == 404
    assert owner.delete(f"/api/pastes/{paste['id']}").status_code == 404
    assert stored_files(settings) == []


def test_the_list_has_sizes_files_and_visibility_and_searches_titles(owner: TestClient) -> None:
    create(owner, title="Nginx config", content="server {}", visibility="shared", files=[upload(owner, b"1")["id"]])
    create(owner, title="Groceries", content="eggs")
    listed = owner.get("/api/pastes").json()["pastes"]
    assert [(p["title"], p["files"], p["visibility"]) for p in listed] == [
        ("Groceries", 0, "private"),
        ("Nginx config", 1, "shared"),
    ]
    assert [p["title"] for p in owner.get("/api/pastes", params={"q": "nginx"}).json()["pastes"]] == ["Nginx config"]


# Shared links


def test_a_shared_paste_is_a_highlighted_escaped_page_with_raw_and_embed_views(
    owner: TestClient, anonymous: TestClient
) -> None:
    file = upload(owner, b"%PDF-1.4 shared", name="guide.pdf")
    paste = create(owner, title=HOSTILE, content=f"x = 1  # {HOSTILE}\n", files=[file["id"]], visibility="shared")
    assert paste["share_url"] == f"/p/{paste['slug']}"

    page = anonymous.get(paste["share_url"])
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    assert 'class="highlight"' in page.text and "guide.pdf" in page.text and "15 bytes" in page.text
    assert "expires in 1 day" in page.text  # just made with a one-day expiry
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp

    raw = anonymous.get(f"/p/{paste['slug']}/raw")
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert raw.text == f"x = 1  # {HOSTILE}\n"

    embed = anonymous.get(f"/p/{paste['slug']}/embed")
    assert embed.status_code == 200 and "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers

    download = anonymous.get(f"/p/{paste['slug']}/files/{file['id']}")
    assert download.content == b"%PDF-1.4 shared"
    assert download.headers["content-security-policy"] == "default-src 'none'; sandbox"


def test_making_a_paste_private_closes_its_link(owner: TestClient, anonymous: TestClient) -> None:
    paste = create(owner, visibility="shared")
    assert anonymous.get(paste["share_url"]).status_code == 200
    owner.put(f"/api/pastes/{paste['id']}", json={"content": "now private", "visibility": "private"})
    assert anonymous.get(paste["share_url"]).status_code == 404


def test_an_expired_paste_and_its_files_answer_404_before_any_cleanup(
    owner: TestClient, anonymous: TestClient, session: Session
) -> None:
    file = upload(owner, b"soon gone")
    paste = create(owner, visibility="shared", files=[file["id"]], expiry="10m")
    assert anonymous.get(f"/p/{paste['slug']}/files/{file['id']}").status_code == 200
    session.exec(update(Paste).where(Paste.id == paste["id"]).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    for address in (f"/p/{paste['slug']}", f"/p/{paste['slug']}/raw", f"/p/{paste['slug']}/files/{file['id']}"):
        assert anonymous.get(address).status_code == 404
    for address in (f"/api/pastes/{paste['id']}", f"/api/pastes/{paste['id']}/files/{file['id']}"):
        assert owner.get(address).status_code == 404
    assert count(session, Paste) == 1  # still stored; cleanup reclaims it later


def test_burn_after_reading_asks_first_then_shows_once(
    owner: TestClient, anonymous: TestClient, session: Session
) -> None:
    paste = create(owner, content="launch code 0000", language="text", visibility="shared", burn_after_reading=True)
    for _ in range(3):  # link previews and crawlers only ever GET
        preview = anonymous.get(paste["share_url"])
        assert preview.status_code == 200 and "launch code" not in preview.text
        assert "can be read once" in preview.text and "method=post" in preview.text
        assert "launch code" not in anonymous.get(f"/p/{paste['slug']}/raw").text
        assert "launch code" not in anonymous.get(f"/p/{paste['slug']}/embed").text
    shown = anonymous.post(paste["share_url"])
    assert shown.status_code == 200 and "launch code 0000" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    assert anonymous.post(paste["share_url"]).status_code == 404
    assert anonymous.get(paste["share_url"]).status_code == 404
    assert count(session, Paste) == 0


def test_burned_raw_view_confirms_then_answers_the_text(owner: TestClient, anonymous: TestClient) -> None:
    paste = create(owner, content="once, raw", language="text", visibility="shared", burn_after_reading=True)
    assert anonymous.post(f"/p/{paste['slug']}/raw").text == "once, raw"
    assert anonymous.get(f"/p/{paste['slug']}/raw").status_code == 404


def test_the_reader_of_a_burned_paste_gets_its_files_through_signed_links(
    owner: TestClient, anonymous: TestClient
) -> None:
    file = upload(owner, b"one-time attachment", name="secret.txt", content_type="text/plain")
    paste = create(owner, content="see file", visibility="shared", burn_after_reading=True, files=[file["id"]])
    plain_link = f"/p/{paste['slug']}/files/{file['id']}"
    assert anonymous.get(plain_link).status_code == 404  # not before the confirmed reading
    shown = anonymous.post(paste["share_url"])
    signed = re.search(r"href=(/p/[^ >]+\?key=[0-9a-f]+)", shown.text).group(1).replace("&amp;", "&")
    assert anonymous.get(signed).content == b"one-time attachment"
    assert anonymous.get(plain_link).status_code == 404
    assert anonymous.get(paste["share_url"]).status_code == 404


# Refusals: a clear 4xx and nothing stored


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"content": "", "files": []}, 400, "Write something or attach a file."),
        ({"content": "x", "language": "brainfork"}, 400, "Unknown language"),
        ({"content": "x", "expiry": "1y"}, 400, "Expiry must be one of"),
        ({"content": "x" * (1024 * 1024 + 1)}, 400, "larger than 1 MB"),
        ({"content": "x", "files": ["AAAAAAAAAAAAAAAAAAAAAA"]}, 400, "no longer available"),
        ({"content": "x", "visibility": "everyone"}, 400, "Visibility"),
    ],
)
def test_a_refused_paste_says_why_and_stores_nothing(
    owner: TestClient, session: Session, body: dict, status: int, message: str
) -> None:
    response = owner.post("/api/pastes", json=body)
    assert response.status_code == status and message in response.json()["error"]
    assert count(session, Paste) == 0


def test_a_body_that_is_not_json_or_far_too_large_is_refused(owner: TestClient, session: Session) -> None:
    assert (
        owner.post("/api/pastes", content=b"{not json", headers={"Content-Type": "application/json"}).status_code == 400
    )
    huge = owner.post("/api/pastes", content=b"x" * (8 * 1024 * 1024 + 1), headers={"Content-Type": "application/json"})
    assert huge.status_code == 413 and "1 MB" in huge.json()["error"]
    assert count(session, Paste) == 0


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..\\win.ini", "a\x00b.txt", "..", ""])
def test_file_names_with_path_tricks_are_refused_and_nothing_is_written(
    owner: TestClient, session: Session, settings: Settings, name: str
) -> None:
    response = owner.post("/api/pastes/uploads", params={"name": name}, content=b"payload")
    assert response.status_code == 400 and response.json()["error"]
    assert stored_files(settings) == [] and count(session, PasteFile) == 0


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(settings: Settings, engine, session: Session) -> None:
    small = build_services(dataclasses.replace(settings, max_upload_mb=1), engine)
    auth.set_owner(session=session, email="owner@example.com", password=PASSWORD)
    session.commit()
    with api_client(small) as client:
        client.post("/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD})
        exact = client.post("/api/pastes/uploads?name=exact.bin", content=b"x" * (1024 * 1024))
        assert exact.status_code == 201

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while streaming
            for _ in range(3):
                yield b"y" * (512 * 1024)

        streamed = client.post("/api/pastes/uploads?name=big.bin", content=chunks())
        assert streamed.status_code == 413 and "1 MB" in streamed.json()["error"]
        declared = client.post("/api/pastes/uploads?name=big.bin", content=b"z" * (1024 * 1024 + 1))
        assert declared.status_code == 413
    assert [path.name for path in stored_files(settings)] == [exact.json()["id"]]
    assert count(session, PasteFile) == 1


def test_more_than_twenty_files_are_refused(owner: TestClient, session: Session) -> None:
    ids = [upload(owner, b"f")["id"] for _ in range(21)]
    response = owner.post("/api/pastes", json={"content": "many", "files": ids})
    assert response.status_code == 400 and "at most 20 files" in response.json()["error"]
    assert count(session, Paste) == 0
