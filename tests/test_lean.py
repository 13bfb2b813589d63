"""Lean endpoints (accumulator/lean.py) answer like every other route: the security headers, JSON errors
for a wrong method, an outage and a failure (never a trace), and bounded bodies."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from accumulator.auth.access import declared, lean_public_route
from accumulator.lean import LeanRequest, LeanResponse, json_error
from accumulator.runtime import Services
from accumulator.web import BadRequest, BodyTooLarge


@lean_public_route(methods=("POST",))
async def echo(request: LeanRequest) -> LeanResponse:
    try:
        body = await request.body(limit=16)
    except BodyTooLarge:
        return json_error(413, "At most 16 bytes.")
    except BadRequest as error:
        return json_error(400, str(error))
    return LeanResponse(200, body, {"X-Client": request.client_ip(request.services.settings.trusted_proxy_hops)})


@lean_public_route(methods=("POST",))
async def broken(request: LeanRequest) -> LeanResponse:
    raise RuntimeError("a secret detail of the failure")


@lean_public_route(methods=("POST",))
async def database_away(request: LeanRequest) -> LeanResponse:
    raise OperationalError("SELECT 1", {}, Exception("connection refused"))


@pytest.fixture
def lean_client(services: Services) -> TestClient:
    app = Starlette(routes=[Route(f"/{e.__name__}", e) for e in (echo, broken, database_away)])
    app.state.services = services
    return TestClient(app, raise_server_exceptions=False)


def test_an_answer_carries_the_security_headers_and_the_body(lean_client: TestClient) -> None:
    answer = lean_client.post("/echo", content=b"hello")
    assert answer.status_code == 200 and answer.content == b"hello"
    assert answer.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert answer.headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in answer.headers  # plain http
    assert declared(echo).kind == "public"


def test_over_https_behind_a_trusted_proxy_it_asks_for_https(lean_client: TestClient, services: Services) -> None:
    services.settings = replace(services.settings, trusted_proxy_hops=1)
    answer = lean_client.post(
        "/echo", content=b"hi", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    )
    assert answer.headers["strict-transport-security"] == "max-age=31536000"
    assert answer.headers["x-client"] == "203.0.113.5"


@pytest.mark.parametrize("declared_length", [True, False])
def test_a_body_over_the_limit_is_refused(lean_client: TestClient, declared_length: bool) -> None:
    body = b"x" * 17 if declared_length else iter([b"x" * 10, b"x" * 10])  # a stream has no Content-Length
    answer = lean_client.post("/echo", content=body)
    assert answer.status_code == 413 and answer.json() == {"error": "At most 16 bytes."}


@pytest.mark.parametrize("length", ["2x", "\u00b2", "-2", " 2"])
async def test_a_content_length_that_is_no_number_is_a_400(services: Services, length: str) -> None:
    sent = await _call(services, "POST", [(b"content-length", length.encode("latin-1"))])
    assert sent[0]["status"] == 400
    assert sent[1]["body"] == b'{"error": "Invalid Content-Length header."}'


async def test_a_content_length_of_thousands_of_digits_is_too_large(services: Services) -> None:
    sent = await _call(services, "POST", [(b"content-length", b"9" * 5000)])
    assert sent[0]["status"] == 413


async def _call(services: Services, method: str, headers: list[tuple[bytes, bytes]]) -> list[dict]:
    """`echo` called as a server would, headers as sent (a test client would check them first)."""
    app = Starlette()
    app.state.services = services
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"hi", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": "/echo", "headers": headers, "app": app, "scheme": "http"}
    await echo(scope, receive, send)
    return sent


def test_a_wrong_method_gets_405_with_what_is_allowed(lean_client: TestClient) -> None:
    answer = lean_client.get("/echo")
    assert answer.status_code == 405  # Starlette's router answers before the endpoint here
    assert "POST" in answer.headers["allow"]


async def test_a_wrong_method_that_reaches_the_endpoint_gets_a_json_405(services: Services) -> None:
    sent = await _call(services, "DELETE", [])
    assert sent[0]["status"] == 405
    assert dict(sent[0]["headers"])[b"allow"] == b"POST"
    assert sent[1]["body"] == b'{"error": "Method not allowed."}'


def test_a_failure_is_a_json_500_without_its_details(lean_client: TestClient) -> None:
    answer = lean_client.post("/broken", content=b"{}")
    assert answer.status_code == 500
    assert answer.json() == {"error": "Something went wrong on our side; try again later."}
    assert "secret" not in answer.text and "Traceback" not in answer.text
    assert answer.headers["x-frame-options"] == "DENY"


def test_the_database_away_is_a_503_to_retry(lean_client: TestClient) -> None:
    answer = lean_client.post("/database_away", content=b"{}")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert "connection refused" not in answer.text
