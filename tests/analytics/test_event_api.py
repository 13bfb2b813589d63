"""POST /api/event and GET /api/stats as the owner's sites use them: every bad input, origins, CORS,
rate limit, bots."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from accumulator.analytics.actions import ingestor
from accumulator.runtime import Services
from tests.conftest import api_client

SITE_ORIGIN = "https://blog.example.com"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
EVENT = {"type": "pageview", "site": "blog", "path": "/hello", "visitor": "tab-token-1", "referrer": ""}


@pytest.fixture
def services(services: Services) -> Services:
    services.settings = replace(services.settings, allowed_origins=(SITE_ORIGIN,))
    ingestor(services).flush_interval = 0.001
    return services


def post(client: TestClient, body, *, origin: str | None = SITE_ORIGIN, ua: str = CHROME, **headers):
    if origin:
        headers["Origin"] = origin
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        "/api/event", content=content, headers={"Content-Type": "text/plain", "User-Agent": ua, **headers}
    )


def stats(client: TestClient, path: str = "/hello", **headers) -> dict:
    response = client.get("/api/stats", params={"site": "blog", "path": path}, headers=headers)
    assert response.status_code == 200
    return response.json()


def settle(services: Services) -> None:
    """Wait until the writer has stored what was accepted (it batches every few milliseconds)."""
    deadline = time.monotonic() + 5
    while ingestor(services).pending and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)


def test_a_page_view_sent_as_text_plain_is_accepted_and_counted(client: TestClient, services: Services) -> None:
    response = post(client, EVENT)
    assert response.status_code == 202
    assert response.headers["access-control-allow-origin"] == SITE_ORIGIN
    settle(services)
    assert stats(client) == {"views": 1, "likes": 0, "viewing": 1, "comments": 0}


def test_json_content_type_works_too(client: TestClient, services: Services) -> None:
    assert post(client, EVENT, **{"Content-Type": "application/json"}).status_code == 202


BAD_BODIES = [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "JSON object"),
    ({**EVENT, "type": "click"}, "Unknown event type"),
    ({key: value for key, value in EVENT.items() if key != "path"}, "'path'"),
    ({key: value for key, value in EVENT.items() if key != "visitor"}, "'visitor'"),
    ({key: value for key, value in EVENT.items() if key != "site"}, "'site'"),
    ({**EVENT, "path": "/" + "a" * 512}, "longer than 512"),
    ({**EVENT, "path": "no-slash"}, "start with /"),
    ({**EVENT, "site": 5}, "'site'"),
    ({**EVENT, "visitor": "x"}, "'visitor'"),
]


@pytest.mark.parametrize(("body", "reason"), BAD_BODIES)
def test_bad_events_get_400_with_a_reason_and_count_nothing(
    client: TestClient, services: Services, body, reason: str
) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    settle(services)
    assert stats(client)["views"] == 0


def test_a_body_over_4_kb_gets_413_and_counts_nothing(client: TestClient, services: Services) -> None:
    response = post(client, {**EVENT, "referrer": "https://x.example/" + "r" * 4200})
    assert response.status_code == 413
    settle(services)
    assert stats(client)["views"] == 0


def test_an_origin_not_allowed_gets_403_and_counts_nothing(client: TestClient, services: Services) -> None:
    for origin in ("https://evil.example", "http://blog.example.com", "https://blog.example.com:8443"):
        assert post(client, EVENT, origin=origin).status_code == 403
    settle(services)
    assert stats(client)["views"] == 0


def test_the_app_itself_may_send_events_with_no_origins_configured(services: Services) -> None:
    # The app's own pages are those of PUBLIC_URL (here the test client's address).
    services.settings = replace(services.settings, allowed_origins=(), public_url="http://testserver")
    with api_client(services) as client:
        assert post(client, EVENT, origin="http://testserver").status_code == 202
        assert post(client, EVENT, origin=SITE_ORIGIN).status_code == 403


def test_cors_preflight_is_answered_for_allowed_origins_only(client: TestClient) -> None:
    allowed = client.options(
        "/api/event",
        headers={
            "Origin": SITE_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "Content-Type" in allowed.headers["access-control-allow-headers"]
    refused = client.options(
        "/api/event", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers


def test_more_than_30_events_a_second_from_one_address_get_429(client: TestClient, services: Services) -> None:
    answers = [post(client, {**EVENT, "type": "heartbeat"}).status_code for _ in range(35)]
    assert answers[:30] == [202] * 30
    assert set(answers[30:]) == {429}
    time.sleep(1.05)
    assert post(client, EVENT).status_code == 202


def test_bots_get_202_and_are_not_counted(client: TestClient, services: Services) -> None:
    response = post(client, EVENT, ua="Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")
    assert response.status_code == 202
    settle(services)
    assert stats(client) == {"views": 0, "likes": 0, "viewing": 0, "comments": 0}


def test_stats_answers_counts_and_viewers_with_cors_and_a_short_cache(client: TestClient, services: Services) -> None:
    post(client, EVENT)
    post(client, {**EVENT, "visitor": "tab-token-2"})
    post(client, {**EVENT, "type": "like"})
    post(client, {**EVENT, "type": "leave", "visitor": "tab-token-2"})
    settle(services)
    response = client.get("/api/stats", params={"site": "blog", "path": "/hello"}, headers={"Origin": SITE_ORIGIN})
    assert response.json() == {"views": 2, "likes": 1, "viewing": 1, "comments": 0}
    assert response.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert response.headers["cache-control"] == "public, max-age=5"
    other = client.get(
        "/api/stats", params={"site": "blog", "path": "/hello"}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(
    "params", [{}, {"site": "blog"}, {"site": "blog", "path": "nope"}, {"site": "b" * 65, "path": "/"}]
)
def test_stats_refuses_bad_queries_with_400(client: TestClient, params: dict) -> None:
    response = client.get("/api/stats", params=params)
    assert response.status_code == 400
    assert response.json()["error"]
