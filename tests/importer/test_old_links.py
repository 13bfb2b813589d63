"""The original's public links, followed as another site or a bookmark would: public workspaces and
paste files move (301) to their new addresses; everything private stays 404."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from accumulator.db import utcnow
from accumulator.notes import service as notes
from accumulator.notes.models import Workspace
from accumulator.pastes import service as pastes
from accumulator.pastes.models import Paste, PasteFile
from accumulator.runtime import Services
from tests.importer.conftest import run_import
from tests.importer.phoenix_schema import EXPIRED_DIR, JUKEBOX_DIR, MISSING_DIR, SONG

pytestmark = pytest.mark.postgresql_server


@pytest.fixture
def imported(fresh_install: Engine, services: Services, phoenix_source: str, phoenix_files: Path) -> Services:
    run_import(services, phoenix_source, phoenix_files)
    return services


def workspace(session: Session, title: str) -> Workspace:
    return session.exec(select(Workspace).where(Workspace.title == title)).one()


def test_a_public_workspace_moves_to_its_new_address(imported: Services, client: TestClient, session: Session) -> None:
    garden = workspace(session, "Garden")
    moved = client.get("/notes/public/2", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == f"/public/notes/{garden.public_id}"
    page = client.get("/notes/public/2")
    assert page.status_code == 200 and "<h1>Garden</h1>" in page.text


def test_default_is_the_first_public_workspace_as_in_the_original(imported: Services, client: TestClient) -> None:
    # Workspace 1 ("default") is private, so "default" means Garden (2), the first public one.
    assert (
        client.get("/notes/public/default", follow_redirects=False).headers["location"]
        == (client.get("/notes/public/2", follow_redirects=False).headers["location"])
    )


@pytest.mark.parametrize("old_id", ["1", "3", "4", "99", "abc", "2x", "0002" + "9" * 30])
def test_private_and_unknown_workspaces_are_not_found(imported: Services, client: TestClient, old_id: str) -> None:
    response = client.get(f"/notes/public/{old_id}", follow_redirects=False)
    assert response.status_code == 404
    assert "location" not in response.headers


def test_a_workspace_made_private_or_given_a_new_link_leaves_the_old_link(
    imported: Services, client: TestClient, session: Session
) -> None:
    garden = workspace(session, "Garden")
    notes.set_public(session=session, workspace_id=garden.id, is_public=False)
    session.commit()
    assert client.get("/notes/public/2", follow_redirects=False).status_code == 404
    assert client.get("/notes/public/default", follow_redirects=False).status_code == 404
    notes.set_public(session=session, workspace_id=garden.id, is_public=True)
    session.commit()
    assert client.get("/notes/public/2", follow_redirects=False).status_code == 301
    notes.regenerate_public_id(session=session, workspace_id=garden.id)  # "New link" retires old links
    session.commit()
    assert client.get("/notes/public/2", follow_redirects=False).status_code == 404


def test_a_paste_file_moves_and_is_served_to_any_site(imported: Services, client: TestClient) -> None:
    old = f"/uploads/{JUKEBOX_DIR}/{quote('song one.mp3')}"
    moved = client.get(old, follow_redirects=False, headers={"Origin": "https://eventhorizon.example"})
    assert moved.status_code == 301
    assert moved.headers["access-control-allow-origin"] == "*"  # a cross-origin fetch may follow it
    location = moved.headers["location"]
    assert location.startswith("/files/") and location.endswith("/song%20one.mp3")
    served = client.get(location, headers={"Origin": "https://eventhorizon.example"})
    assert served.status_code == 200 and served.content == SONG
    assert served.headers["content-type"] == "audio/mpeg"
    assert served.headers["access-control-allow-origin"] == "*"
    assert served.headers["content-disposition"].startswith("inline")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    ranged = client.get(location, headers={"Range": "bytes=0-2"})  # players seek
    assert ranged.status_code == 206 and ranged.content == SONG[:3]


@pytest.mark.parametrize(
    "old",
    [
        f"/uploads/{EXPIRED_DIR}/old.txt",  # its paste had expired: not imported
        f"/uploads/{MISSING_DIR}/gone.pdf",  # missing from --files
        f"/uploads/{JUKEBOX_DIR}/other.mp3",
        "/uploads/plants/fern.png",  # plant photos are the owner's here
        f"/uploads/{JUKEBOX_DIR}/%2e%2e/{JUKEBOX_DIR}/cover.png",
    ],
)
def test_other_old_file_addresses_are_not_found(imported: Services, client: TestClient, old: str) -> None:
    assert client.get(old, follow_redirects=False).status_code == 404


def test_the_paste_itself_stays_private(imported: Services, client: TestClient, session: Session) -> None:
    jukebox = session.exec(select(Paste).where(Paste.title == "jukebox")).one()
    redirected = client.get(f"/uploads/{JUKEBOX_DIR}/cover.png", follow_redirects=False).headers["location"]
    assert jukebox.slug not in redirected and jukebox.id not in redirected
    assert client.get(f"/p/{jukebox.slug}").status_code == 404
    assert client.get(f"/api/pastes/{jukebox.id}").status_code == 404


def test_a_file_leaves_its_public_address_with_its_paste(
    imported: Services, client: TestClient, session: Session
) -> None:
    location = client.get(f"/uploads/{JUKEBOX_DIR}/cover.png", follow_redirects=False).headers["location"]
    assert client.get(location).status_code == 200
    jukebox = session.exec(select(Paste).where(Paste.title == "jukebox")).one()
    pastes.delete_paste(session=session, paste_id=jukebox.id, now=utcnow())
    session.commit()
    assert client.get(location).status_code == 404
    assert client.get(f"/uploads/{JUKEBOX_DIR}/cover.png", follow_redirects=False).status_code == 404


def test_files_uploaded_here_are_not_public_at_that_address(
    imported: Services, client: TestClient, session: Session
) -> None:
    """Only the original's files were public by address; a paste made here keeps its files private."""
    mine = session.exec(select(Paste).where(Paste.title == "private snippet")).one()
    file_id = "A" * 22
    session.add(PasteFile(id=file_id, paste_id=mine.id, name="mine.txt", content_type="text/plain", size=2))
    session.commit()
    imported.file_store.path(file_id).parent.mkdir(parents=True, exist_ok=True)
    imported.file_store.path(file_id).write_bytes(b"hi")
    assert client.get(f"/api/pastes/{mine.id}/files/{file_id}").status_code == 404  # the owner's route, no session
    assert client.get(f"/files/{file_id}/mine.txt").status_code == 404
