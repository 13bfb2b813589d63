"""Behind an HTTPS proxy (TRUSTED_PROXY_HOPS=1, PUBLIC_URL https://…, as fly.toml deploys): the
app's own pages log in and write (their Origin is https, while the app itself sees http), other
origins still cannot, and answers carry HSTS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.api import create_api, security_headers
from accumulator.auth import service as auth_service
from accumulator.runtime import Services, build_services
from accumulator.settings import Settings
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD

PUBLIC = "https://acc.example.com"
FROM_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


@pytest.fixture
def proxied(settings: Settings, engine, session: Session) -> Iterator[TestClient]:
    auth_service.set_owner(session=session, email=OWNER_EMAIL, password=OWNER_PASSWORD)
    session.commit()
    svc: Services = build_services(replace(settings, trusted_proxy_hops=1, public_url=PUBLIC), engine)
    # As the proxy forwards it: plain http to the app, the browser's https in the headers.
    with TestClient(security_headers(create_api(svc), svc), base_url="http://acc.example.com") as client:
        yield client


def _log_in(client: TestClient, origin: str) -> int:
    answer = client.post(
        "/api/auth/login",
        json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD},
        headers={**FROM_PROXY, "Origin": origin},
    )
    return answer.status_code


def test_the_apps_own_https_pages_log_in_and_write(proxied: TestClient) -> None:
    answer = proxied.post(
        "/api/auth/login",
        json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD},
        headers={**FROM_PROXY, "Origin": PUBLIC},
    )
    assert answer.status_code == 200
    assert "Secure" in answer.headers["set-cookie"]
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    # The browser sends the Secure cookie over its https connection to the proxy.
    cookie = {"Cookie": f"acc_session={answer.cookies['acc_session']}"}
    created = proxied.post(
        "/api/pastes",
        json={"title": "via the proxy", "content": "hello"},
        headers={**FROM_PROXY, **cookie, "Origin": PUBLIC},
    )
    assert created.status_code == 201, created.text
    me = proxied.get("/api/auth/me", headers={**FROM_PROXY, **cookie})
    assert me.status_code == 200 and me.json()["email"] == OWNER_EMAIL


@pytest.mark.parametrize("origin", ["http://acc.example.com", "https://blog.example.com", "null"])
def test_other_origins_cannot_log_in_behind_the_proxy_either(proxied: TestClient, origin: str) -> None:
    assert _log_in(proxied, origin) == 403


def test_plain_http_gets_no_hsts(proxied: TestClient) -> None:
    assert "strict-transport-security" not in proxied.get("/healthz").headers
    assert "strict-transport-security" in proxied.get("/healthz", headers=FROM_PROXY).headers
