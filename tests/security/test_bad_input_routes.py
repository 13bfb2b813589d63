"""Inputs that used to end in a 500 get a clear 4xx, and the live pages cannot be used to hold
every connection the server has."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.notes import service as notes_service
from tests.security.conftest import Backend


@pytest.fixture
def public_workspace(session: Session) -> str:
    workspace = notes_service.create_workspace(session=session, title="Open", is_public=True)
    session.commit()
    return workspace.public_id


@pytest.mark.parametrize(
    "before", ["0001-01-01", "9999-12-31T23:59:59", "0001-01-01T00:00:00+14:00", "x" * 500, "2026-13-45"]
)
def test_a_public_page_with_any_before_answers_a_page(client: TestClient, public_workspace: str, before: str) -> None:
    for prefix in ("/public/notes/", "/embed/notes/"):
        answer = client.get(f"{prefix}{public_workspace}", params={"before": before})
        assert answer.status_code == 200, answer.text[:200]
        assert "<main>" in answer.text


@pytest.mark.parametrize("workspace_id", ["18446744073709551617", "9" * 40, "-1", "1e3"])
def test_an_export_id_past_64_bits_is_the_same_404(owner: TestClient, workspace_id: str) -> None:
    answer = owner.get(f"/api/notes/workspaces/{workspace_id}/export")
    assert answer.status_code == 404


@pytest.mark.parametrize("plant_id", ["18446744073709551617", "9" * 40])
def test_a_plant_id_past_64_bits_is_the_same_404(owner: TestClient, plant_id: str) -> None:
    assert owner.get(f"/api/plants/{plant_id}/photo").status_code == 404


def test_one_address_cannot_open_more_than_a_few_live_pages(backend: Backend) -> None:
    """Each open page holds a connection; past 8 from one address the next is refused with 429,
    and closing one makes room again."""
    with Session(backend.engine) as session:
        public_id = notes_service.create_workspace(session=session, title="Open to all", is_public=True).public_id
        session.commit()
    url = f"{backend.url}/public/notes/{public_id}/events"

    async def open_many() -> tuple[list[int], int]:
        async with httpx.AsyncClient(timeout=10) as client:
            streams = [client.stream("GET", url) for _ in range(9)]
            opened = [await stream.__aenter__() for stream in streams]
            statuses = [response.status_code for response in opened]
            for stream in streams:
                await stream.__aexit__(None, None, None)
            await asyncio.sleep(0.5)  # the server notices the closed streams
            async with client.stream("GET", url) as again:
                return statuses, again.status_code

    statuses, after_closing = asyncio.run(asyncio.wait_for(open_many(), timeout=30))
    assert statuses[:8] == [200] * 8
    assert statuses[8] == 429
    assert after_closing == 200


@pytest.mark.parametrize(
    "path", ["/files/a%00b/x", "/uploads/a%00/b", "/files/AAAAAAAAAAAAAAAAAAAAAA/a%00", "/notes/public/%00"]
)
def test_a_nul_in_an_old_address_is_a_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_deeply_nested_paste_with_automatic_language_is_saved(owner: TestClient) -> None:
    created = owner.post("/api/pastes", json={"title": "brackets", "content": "[" * 5000, "language": "auto"})
    assert created.status_code == 201, created.text
    assert owner.get(f"/api/pastes/{created.json()['id']}/raw").text == "[" * 5000
