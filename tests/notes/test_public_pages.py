"""/public/notes/<id> and /embed/notes/<id>: server-rendered, private means 404, strict CSP, framing."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.api import create_api, security_headers
from accumulator.auth import service as auth
from accumulator.db import utcnow
from accumulator.notes import service
from accumulator.notes.models import Workspace
from accumulator.runtime import Services


@pytest.fixture
def public(session: Session) -> Workspace:
    workspace = service.create_workspace(session=session, title="Garden <log>", is_public=True)
    service.add_note(session=session, workspace_id=workspace.id, text="# Tomatoes\n\nPlanted **three**.", now=utcnow())
    service.add_note(
        session=session, workspace_id=workspace.id, text="<img src=x onerror=alert(1)> sneaky", now=utcnow()
    )
    session.commit()
    return workspace


@pytest.fixture
def private(session: Session) -> Workspace:
    workspace = service.create_workspace(session=session, title="Diary")
    service.add_note(session=session, workspace_id=workspace.id, text="secret", now=utcnow())
    session.commit()
    return workspace


@pytest.mark.parametrize("kind", ["public", "embed"])
def test_a_public_workspace_is_a_small_safe_page(client: TestClient, public: Workspace, kind: str) -> None:
    response = client.get(f"/{kind}/notes/{public.public_id}")
    assert response.status_code == 200
    body = response.text
    assert "<h1>Tomatoes</h1>" in body and "<strong>three</strong>" in body
    assert "onerror" not in body and "sneaky" in body
    assert "Garden &lt;log&gt;" in body
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    nonce = re.search(r"script-src 'nonce-([^']+)'", csp).group(1)
    assert f"<style nonce={nonce}>" in body
    # The one script is the page's own live-update script; notes bring none.
    assert body.lower().count("<script") == 1 and f"<script nonce={nonce}>" in body
    assert len(body.encode()) < 30_000


def test_only_the_embed_view_may_be_framed(client: TestClient, public: Workspace) -> None:
    assert (
        "frame-ancestors 'none'" in client.get(f"/public/notes/{public.public_id}").headers["content-security-policy"]
    )
    assert "frame-ancestors *" in client.get(f"/embed/notes/{public.public_id}").headers["content-security-policy"]


def test_private_and_unknown_workspaces_answer_the_same_404(
    client: TestClient, session: Session, private: Workspace, public: Workspace
) -> None:
    answers = [
        client.get(f"/public/notes/{private.public_id}"),
        client.get("/public/notes/not-a-real-id"),
        client.get(f"/embed/notes/{private.public_id}"),
    ]
    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.text for answer in answers}) == 1
    assert "secret" not in answers[0].text

    service.set_public(session=session, workspace_id=public.id, is_public=False)  # turned off: gone at once
    session.commit()
    assert client.get(f"/public/notes/{public.public_id}").text == answers[0].text


def test_newest_day_first_and_a_link_to_older_days(client: TestClient, session: Session, public: Workspace) -> None:
    service.add_note(session=session, workspace_id=public.id, text="from long ago", now=utcnow() - timedelta(days=45))
    session.commit()
    first = client.get(f"/public/notes/{public.public_id}")
    assert "from long ago" not in first.text
    older = re.search(r"<a class=older href=([^>]+)>", first.text).group(1)
    assert "from long ago" in client.get(older).text
    headings = re.findall(r"<h2>([^<]+)</h2>", first.text)
    assert headings and "(today)" in headings[0]


def test_the_live_update_stream_of_a_private_workspace_is_404_too(client: TestClient, private: Workspace) -> None:
    assert client.get(f"/public/notes/{private.public_id}/events").status_code == 404


def test_every_other_page_forbids_framing(services: Services) -> None:
    with TestClient(security_headers(create_api(services), services)) as client:
        response = client.get("/healthz")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"


def test_the_owner_downloads_a_workspace_as_one_markdown_file_per_day(
    client: TestClient, session: Session, private: Workspace
) -> None:
    service.add_note(
        session=session, workspace_id=private.id, text="an older one", now=datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
    )
    auth.set_owner(session=session, email="owner@example.com", password="a long password")
    session.commit()
    address = f"/api/notes/workspaces/{private.id}/export"
    assert client.get(address).status_code == 404  # no session: as if it did not exist
    client.post("/api/auth/login", json={"email": "owner@example.com", "password": "a long password"})
    response = client.get(address)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="Diary.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = sorted(archive.namelist())
        assert names[0] == "2026-01-02.md" and len(names) == 2
        assert "## 09:30\n\nan older one" in archive.read("2026-01-02.md").decode()
        assert "secret" in archive.read(names[1]).decode()
    assert client.get("/api/notes/workspaces/999999/export").status_code == 404
