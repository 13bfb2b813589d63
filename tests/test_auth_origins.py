"""Logging in and out only from this site's own pages: another site's form, or a page whose origin
the browser hides ("null": a sandboxed frame, a data: URL), is refused with 403 and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.auth import service
from accumulator.runtime import Services

EMAIL, PASSWORD = "owner@example.com", "correct horse battery"


@pytest.fixture(autouse=True)
def owner(session: Session) -> None:
    service.set_owner(session=session, email=EMAIL, password=PASSWORD)
    session.commit()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def log_in(client: TestClient) -> None:
    assert client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize("origin", ["null", "https://evil.example", "http://testserver.evil.example"])
def test_a_login_from_anywhere_but_this_site_is_refused(client: TestClient, origin: str) -> None:
    for send in (
        lambda: client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD}, headers={"Origin": origin}),
        lambda: client.post(
            "/api/auth/login",
            data={"email": EMAIL, "password": PASSWORD},
            headers={"Origin": origin},
            follow_redirects=False,
        ),
    ):
        response = send()
        assert response.status_code == 403 and response.json()["error"]
        assert "set-cookie" not in response.headers
    assert client.get("/api/auth/me").status_code == 401


def test_a_login_from_this_sites_own_page_works(client: TestClient, services: Services) -> None:
    own = services.settings.own_origins[0]
    response = client.post(
        "/api/auth/login", data={"email": EMAIL, "password": PASSWORD}, headers={"Origin": own}, follow_redirects=False
    )
    assert response.status_code == 303 and "acc_session=" in response.headers["set-cookie"]


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_a_logout_posted_by_another_site_is_refused_and_the_session_lives_on(client: TestClient, origin: str) -> None:
    log_in(client)
    response = client.post("/api/auth/logout", content=b"", headers={**FORM, "Origin": origin}, follow_redirects=False)
    assert response.status_code == 403 and response.json()["error"]
    assert "set-cookie" not in response.headers
    assert client.get("/api/auth/me").status_code == 200


def test_a_logout_from_this_sites_own_page_works(client: TestClient, services: Services) -> None:
    log_in(client)
    own = services.settings.own_origins[0]
    response = client.post("/api/auth/logout", content=b"", headers={**FORM, "Origin": own}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/api/auth/me").status_code == 401
