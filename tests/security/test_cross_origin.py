"""Pages of other origins, even of the same site (another port of the same host, a sibling
subdomain: the owner's blog is one), whose requests carry the owner's Lax cookie: they read nothing
and change nothing, over HTTP or over the websocket."""

from __future__ import annotations

import httpx
import pytest

from accumulator.notes.state import NotesState
from tests.reflex_socket import ReflexSocket, RefusedConnection, event_name, text_of
from tests.security.conftest import SECRETS, SITE_ORIGIN, Backend, leaked, run

OTHER_PORT = "http://127.0.0.1:8999"  # same host, another port: same site, another origin


def private_reads(backend: Backend) -> list[str]:
    return [
        "/api/auth/me",
        "/api/pastes",
        f"/api/pastes/{backend.paste_id}",
        f"/api/pastes/{backend.paste_id}/raw",
        f"/api/notes/workspaces/{backend.workspace_id}/export",
        f"/api/plants/{backend.plant_id}/photo",
        "/api/plants/push/key",
    ]


@pytest.mark.parametrize("origin", [SITE_ORIGIN, OTHER_PORT, "null"])
def test_another_origin_with_the_owner_cookie_reads_nothing(backend: Backend, origin: str) -> None:
    for path in private_reads(backend):
        answer = httpx.get(backend.url + path, headers={"Cookie": backend.cookie, "Origin": origin})
        assert answer.status_code in (401, 404), (path, answer.status_code)
        assert leaked(answer.text) == [], path
        assert "access-control-allow-origin" not in answer.headers, path
        assert "access-control-allow-credentials" not in answer.headers, path


def test_the_owners_own_pages_still_read_them(backend: Backend) -> None:
    answer = httpx.get(f"{backend.url}/api/auth/me", headers={"Cookie": backend.cookie, "Origin": backend.own_origin})
    assert answer.status_code == 200 and answer.json()["email"] == SECRETS["email"]
    listed = httpx.get(f"{backend.url}/api/pastes", headers={"Cookie": backend.cookie})
    assert SECRETS["paste"] in listed.text


@pytest.mark.parametrize("path", ["/api/auth/me", "/api/pastes", "/api/pastes/uploads", "/api/auth/logout", "/ping"])
def test_preflights_grant_nothing_outside_analytics(backend: Backend, path: str) -> None:
    answer = httpx.options(
        backend.url + path,
        headers={"Origin": SITE_ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x"},
    )
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-credentials" not in answer.headers
    assert "access-control-allow-methods" not in answer.headers


def test_analytics_preflights_are_granted_to_the_allowed_origins_only(backend: Backend) -> None:
    ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    granted = httpx.options(f"{backend.url}/api/event", headers={**ask, "Origin": SITE_ORIGIN})
    assert granted.status_code == 204
    assert granted.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert "access-control-allow-credentials" not in granted.headers
    refused = httpx.options(f"{backend.url}/api/event", headers={**ask, "Origin": OTHER_PORT})
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers


def test_an_accepted_page_view_carries_the_same_security_headers_as_every_answer(backend: Backend) -> None:
    """The event endpoint is served past Reflex's outer stack (api.HotPaths): its answers must still
    carry what every answer does, and CORS for the sites only, without credentials."""
    sent = httpx.post(
        f"{backend.url}/api/event",
        json={"type": "pageview", "site": "blog", "path": "/headers", "visitor": "v-headers"},
        headers={"Origin": SITE_ORIGIN, "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"},
    )
    assert sent.status_code == 202
    assert sent.headers["x-frame-options"] == "DENY"
    assert sent.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert sent.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert "access-control-allow-credentials" not in sent.headers


def test_no_answer_grants_credentialed_cors(backend: Backend) -> None:
    for origin in (SITE_ORIGIN, OTHER_PORT, backend.own_origin):
        for path in ("/api/auth/me", "/api/stats?site=blog&path=/", "/healthz", "/ping", "/notes", "/_health"):
            answer = httpx.get(backend.url + path, headers={"Origin": origin, "Cookie": backend.cookie})
            assert "access-control-allow-credentials" not in answer.headers, (origin, path)
            if origin != SITE_ORIGIN or not path.startswith("/api/stats"):
                assert "access-control-allow-origin" not in answer.headers, (origin, path)


@pytest.mark.parametrize("origin", [SITE_ORIGIN, OTHER_PORT, "null", "http://localhost.evil.example"])
def test_the_websocket_refuses_other_origins(backend: Backend, origin: str) -> None:
    async def connect() -> None:
        async with ReflexSocket(backend.url, cookie=backend.cookie, origin=origin):
            pass

    with pytest.raises(RefusedConnection):
        run(connect())


def test_the_websocket_of_the_owners_own_page_reads_the_notes(backend: Backend) -> None:
    async def read() -> str:
        async with ReflexSocket(backend.url, cookie=backend.cookie, origin=backend.own_origin) as tab:
            await tab.hydrate("/notes")
            await tab.send(event_name(NotesState, "load_notes"), path="/notes")
            return text_of(
                await tab.send(
                    event_name(NotesState, "switch_workspace"), {"workspace_id": backend.workspace_id}, path="/notes"
                )
            )

    shown = run(read())
    assert SECRETS["note"] in shown and SECRETS["workspace"] in shown
