"""What readers' browsers get: only published comments (never held or hidden ones, in JSON or on
the live stream), cross-origin reads for ALLOWED_ORIGINS without credentials, hostile text made
harmless, the widget script under 6 KB gzipped, the frameable page framed only by ALLOWED_ORIGINS,
and the page's comment count in /api/stats."""

from __future__ import annotations

import asyncio
import gzip
import json

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.comments import actions, api, moderation, widget
from accumulator.runtime import Services
from tests.comments.conftest import BLOG, PAGE, opened_stamp, post_comment, readers_see

HOSTILE = [
    '<img src=x onerror="alert(1)">',
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    '<a href="https://x.example" onclick="alert(1)">x</a>',
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<svg onload=alert(1)>",
    '"><b onmouseover=alert(1)>',
]


def open_site(session: Session) -> None:
    moderation.set_moderation(session=session, site="blog", moderation="publish")
    session.commit()


def test_held_and_hidden_comments_never_reach_readers(client: TestClient, services: Services, session: Session) -> None:
    held = post_comment(client, services, text="wait for me")
    assert held.json() == {"status": "held", "comment": None, "author": held.json()["author"]}
    assert readers_see(client) == []
    open_site(session)
    shown = post_comment(client, services, text="hello").json()["comment"]
    assert [c["id"] for c in readers_see(client)] == [shown["id"]]
    moderation.hide(session=session, comment_id=shown["id"])
    session.commit()
    assert readers_see(client) == []


def test_allowed_origins_read_without_credentials_and_others_get_no_cors(client: TestClient) -> None:
    answer = client.get("/api/comments", params=PAGE, headers={"Origin": BLOG})
    assert answer.headers["Access-Control-Allow-Origin"] == BLOG
    assert "Access-Control-Allow-Credentials" not in answer.headers
    assert "set-cookie" not in answer.headers
    other = client.get("/api/comments", params=PAGE, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options("/api/comments", headers={"Origin": BLOG, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert client.options("/api/comments", headers={"Origin": "https://evil.example"}).status_code == 403


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_in_every_field_is_harmless(
    client: TestClient, services: Services, session: Session, hostile: str
) -> None:
    open_site(session)
    answer = post_comment(client, services, text=f"hi {hostile}", name=hostile[:80])
    assert answer.status_code == 201
    (shown,) = readers_see(client)
    lowered = shown["html"].lower()
    for bad in ("<script", "onerror", "onclick", "onload", "onmouseover", "javascript:", "<iframe", "<img", "<svg"):
        assert bad not in lowered
    assert shown["author"] == " ".join(hostile[:80].split())  # plain text; the widget sets it with textContent
    assert "author" not in json.dumps(shown["html"])  # no author id or token leaks into the HTML


def test_links_are_nofollow_ugc(client: TestClient, services: Services, session: Session) -> None:
    open_site(session)
    post_comment(client, services, text="see [this](https://example.org) and `code` and *this*")
    (shown,) = readers_see(client)
    assert '<a href="https://example.org" rel="nofollow ugc noopener">this</a>' in shown["html"]
    assert "<code>code</code>" in shown["html"] and "<em>this</em>" in shown["html"]


def test_the_widget_script_is_small_and_cacheable(client: TestClient) -> None:
    answer = client.get("/js/comments.js", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/javascript")
    assert len(widget.gzipped()) <= 6 * 1024
    assert gzip.decompress(widget.gzipped()) == widget.minified()
    assert "document.cookie" not in widget.minified().decode()
    again = client.get("/js/comments.js", headers={"If-None-Match": answer.headers["etag"], "Accept-Encoding": "gzip"})
    assert again.status_code == 304


def test_the_frameable_page_is_framed_only_by_allowed_origins(client: TestClient) -> None:
    answer = client.get("/embed/comments", params={**PAGE, "theme": "dark"})
    assert answer.status_code == 200
    policy = answer.headers["content-security-policy"]
    assert f"frame-ancestors {BLOG}" in policy
    assert 'data-site="blog"' in answer.text and 'data-theme="dark"' in answer.text
    hostile = client.get("/embed/comments", params={"site": '"><script>alert(1)</script>', "path": "/x"})
    assert "<script>alert" not in hostile.text
    assert client.get("/embed/comments", params={"site": "blog", "path": "nope"}).status_code == 400


def test_api_stats_counts_published_comments(client: TestClient, services: Services, session: Session) -> None:
    post_comment(client, services, text="held one")
    open_site(session)
    post_comment(client, services, text="shown one")
    stats = client.get("/api/stats", params=PAGE, headers={"Origin": BLOG}).json()
    assert stats["comments"] == 1


async def test_the_live_stream_sends_published_comments_of_its_page_only(services: Services, session: Session) -> None:
    open_site(session)
    stream = api._stream(services, "blog", "/posts/hello", "203.0.113.1")
    assert services.streams.acquire("203.0.113.1")
    assert await anext(stream) == ": connected\n\n"
    nxt = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.05)
    data = {"site": "blog", "path": "/posts/hello", "text": "live!", "stamp": opened_stamp(services), "author": ""}
    moderation.set_moderation(session=session, site="blog", moderation="hold_new")
    session.commit()
    _, status, _ = await actions.post_comment(services, data={**data, "text": "held, never streamed"}, ip="a")
    assert status == "held"
    await actions.post_comment(services, data={**data, "path": "/other", "text": "another page"}, ip="b")
    open_site(session)
    comment, status, _ = await actions.post_comment(services, data=data, ip="c")
    event = await asyncio.wait_for(nxt, 5)
    assert event.startswith("event: comment\n")
    assert json.loads(event.split("data: ", 1)[1]) == comment
    await stream.aclose()
