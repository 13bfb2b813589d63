"""POST /api/auth/login, /logout and GET /api/auth/me over real HTTP semantics (Starlette test client)."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from accumulator.auth import service
from accumulator.auth.models import OwnerSession
from accumulator.ratelimit import LocalLimiter
from accumulator.runtime import Services
from tests.conftest import api_client

EMAIL = "owner@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def owner(session: Session) -> None:
    service.set_owner(session=session, email=EMAIL, password=PASSWORD)
    session.commit()


def test_json_login_answers_200_and_sets_a_strict_session_cookie(client: TestClient, session: Session) -> None:
    response = client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["ok"] is True
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("acc_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here
    token = response.cookies["acc_session"]
    row = session.exec(select(OwnerSession)).one()
    assert row.token_hash != token and row.ip == "testclient"


def test_the_cookie_is_secure_when_the_request_is_https(services: Services) -> None:
    with api_client(services, base_url="https://testserver") as client:
        response = client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


def test_a_form_login_redirects_303_to_the_page_asked_for(client: TestClient) -> None:
    response = client.post(
        "/api/auth/login",
        data={"email": EMAIL, "password": PASSWORD, "next": "/bin?x=1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/bin?x=1"
    assert "acc_session" in response.cookies


OFFSITE = ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("target", OFFSITE)
def test_a_next_that_leaves_the_site_goes_to_the_dashboard_instead(client: TestClient, target: str) -> None:
    response = client.post(
        "/api/auth/login", data={"email": EMAIL, "password": PASSWORD, "next": target}, follow_redirects=False
    )
    assert response.headers["location"] == "/dashboard"


def test_a_wrong_password_and_an_unknown_email_get_the_same_401(client: TestClient) -> None:
    wrong_password = client.post("/api/auth/login", json={"email": EMAIL, "password": "nope nope nope"})
    unknown_email = client.post("/api/auth/login", json={"email": "who@example.com", "password": PASSWORD})
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json() == {"error": "Wrong e-mail or password."}
    assert "set-cookie" not in wrong_password.headers


def test_a_failed_form_login_returns_to_the_login_page_with_the_reason(client: TestClient) -> None:
    response = client.post(
        "/api/auth/login", data={"email": EMAIL, "password": "wrong one!", "next": "/plants"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?error=invalid&next=%2Fplants"


def test_the_sixth_failure_within_a_minute_is_refused_even_with_the_right_password(client: TestClient) -> None:
    for _ in range(5):
        assert client.post("/api/auth/login", json={"email": EMAIL, "password": "wrong-password"}).status_code == 401
    locked = client.post("/api/auth/login", json={"email": EMAIL, "password": "wrong-password"})
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["retry-after"]) <= 60
    right = client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert right.status_code == 429
    assert "set-cookie" not in right.headers


def test_the_lock_lifts_when_the_window_has_passed(services: Services) -> None:
    # A short window, but long enough that five argon2 checks on a busy machine fit inside it.
    services.login_failures = LocalLimiter(limit=5, window=4.0)
    with api_client(services) as client:
        for _ in range(5):
            client.post("/api/auth/login", json={"email": EMAIL, "password": "wrong-password"})
        locked = client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert locked.status_code == 429
        time.sleep(int(locked.headers["retry-after"]) + 0.1)
        assert client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD}).status_code == 200


def test_the_lock_is_per_client_ip_behind_a_trusted_proxy(services: Services) -> None:
    services.settings = services.settings.__class__(**{**services.settings.__dict__, "trusted_proxy_hops": 1})
    with api_client(services) as client:
        for _ in range(6):
            client.post(
                "/api/auth/login",
                json={"email": EMAIL, "password": "wrong-password"},
                headers={"X-Forwarded-For": "198.51.100.7"},
            )
        other = client.post(
            "/api/auth/login", json={"email": EMAIL, "password": PASSWORD}, headers={"X-Forwarded-For": "198.51.100.8"}
        )
        assert other.status_code == 200


def test_a_login_body_over_16_kb_is_refused_with_413(client: TestClient) -> None:
    response = client.post("/api/auth/login", json={"email": EMAIL, "password": "x" * 17_000})
    assert response.status_code == 413
    assert "16 KB" in response.json()["error"]

    def chunks():  # no Content-Length: the limit must hold while streaming too
        for _ in range(20):
            yield b"x" * 1024

    streamed = client.post("/api/auth/login", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"email": "owner@example.com"}', b'{"email": 5, "password": "correct horse battery"}'],
)
def test_malformed_login_bodies_get_400_with_a_json_message(client: TestClient, body: bytes) -> None:
    response = client.post("/api/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]


def test_a_login_posted_from_another_site_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/auth/login", json={"email": EMAIL, "password": PASSWORD}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


def test_me_answers_for_a_valid_cookie_and_401_without_one(client: TestClient) -> None:
    assert client.get("/api/auth/me").status_code == 401
    client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert client.get("/api/auth/me").json()["email"] == EMAIL


def test_logout_ends_the_session_and_clears_the_cookie(client: TestClient) -> None:
    client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
    token = client.cookies["acc_session"]
    response = client.post("/api/auth/logout")
    assert response.status_code == 200
    assert 'acc_session=""' in response.headers["set-cookie"] and "Max-Age=0" in response.headers["set-cookie"]
    client.cookies.set("acc_session", token)  # a copy of the old cookie is refused, too
    assert client.get("/api/auth/me").status_code == 401


def test_a_revoked_session_cookie_is_refused_at_once(client: TestClient, session: Session) -> None:
    client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
    session_id = client.get("/api/auth/me").json()["session_id"]
    owner = service.get_owner(session=session)
    assert service.revoke_session(session=session, owner_id=owner.id, session_id=session_id)
    session.commit()
    assert client.get("/api/auth/me").status_code == 401
