"""The website tracker: how /js/tracker.js is served, and what it sends from a real browser.

The browser tests run a hub in granian (as in production), which serves the script through `serve_tracker`
and records what arrives at /api/… (its app is at the bottom of this module, which granian imports), and a
blog on another origin (the standard library's HTTP server on another port) whose page includes the script.
Playwright's clock stands in for the 15 seconds between heartbeats.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from accumulator.analytics.tracker import (
    MAX_GZIPPED_BYTES,
    TRACKER_SOURCE_PATH,
    accepts_gzip,
    minified_tracker,
    serve_more,
    serve_tracker,
)
from accumulator.settings import PROJECT_ROOT
from tests.live_server import free_port, local_site

STATS = {"views": 12, "likes": 3, "viewing": 2}
BLOG_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>A blog post</title>
  <script defer src="{hub}/js/tracker.js" data-site="blog" data-outbound></script>
</head>
<body>
  <h1>A blog post</h1>
  <button type="button" onclick="accumulator.like()">Like</button>
  <button type="button" onclick="history.pushState({{}}, '', '/second')">Next post</button>
  <div style="height: 3000px">A long post.</div>
  <a id="away" href="https://elsewhere.example/read?x=1">Elsewhere</a>
  <a id="file" href="/files/report.pdf">The report</a>
  <p id="reading"></p>
</body>
</html>
"""
HEARTBEAT_MS = 15_000
REFERRER = "http://search.example/"
SERVER_START_TIMEOUT = 30
GRANIAN = [
    sys.executable,
    "-m",
    "granian",
    "--interface",
    "asgi",
    "--host",
    "127.0.0.1",
    "--no-ws",
    "--log-level",
    "warning",
]


# --- How the script is served ---------------------------------------------------------------------------


@pytest.fixture
def script_client() -> Iterator[TestClient]:
    with TestClient(Starlette(routes=[Route("/js/tracker.js", serve_tracker)])) as client:
        yield client


def test_the_minified_script_fits_the_budget() -> None:
    script = minified_tracker()
    assert len(gzip.compress(script)) <= MAX_GZIPPED_BYTES
    assert len(script) < len(TRACKER_SOURCE_PATH.read_bytes()) / 2
    assert b"/*" not in script
    assert b"window.accumulator=" in script


def test_a_browser_that_takes_gzip_gets_the_gzipped_script(script_client: TestClient) -> None:
    with script_client.stream("GET", "/js/tracker.js", headers={"Accept-Encoding": "gzip, deflate, br"}) as response:
        raw = b"".join(response.iter_raw())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert "access-control-allow-origin" not in response.headers
    assert len(raw) <= MAX_GZIPPED_BYTES
    assert int(response.headers["content-length"]) == len(raw)
    assert gzip.decompress(raw) == minified_tracker()
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')


def test_a_client_without_gzip_gets_the_plain_script(script_client: TestClient) -> None:
    response = script_client.get("/js/tracker.js", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.content == minified_tracker()
    assert response.headers["etag"].startswith('"')


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_a_cached_copy_is_revalidated_with_304(script_client: TestClient, encoding: str) -> None:
    first = script_client.get("/js/tracker.js", headers={"Accept-Encoding": encoding})
    etag = first.headers["etag"]

    again = script_client.get("/js/tracker.js", headers={"Accept-Encoding": encoding, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "public, max-age=3600"

    weak = script_client.get("/js/tracker.js", headers={"Accept-Encoding": encoding, "If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304

    stale = script_client.get("/js/tracker.js", headers={"Accept-Encoding": encoding, "If-None-Match": '"old"'})
    assert stale.status_code == 200
    assert stale.content == minified_tracker()


def test_the_two_encodings_have_different_tags(script_client: TestClient) -> None:
    gzipped = script_client.get("/js/tracker.js", headers={"Accept-Encoding": "gzip"}).headers["etag"]
    plain = script_client.get("/js/tracker.js", headers={"Accept-Encoding": "identity"}).headers["etag"]
    assert gzipped != plain
    not_for_plain = script_client.get(
        "/js/tracker.js", headers={"Accept-Encoding": "identity", "If-None-Match": gzipped}
    )
    assert not_for_plain.status_code == 200


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", True),
        ("GZIP", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("gzip;q=0, *", False),
        ("*;q=0", False),
        ("br", False),
        ("identity", False),
        ("", False),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header: str, expected: bool) -> None:
    assert accepts_gzip(header) is expected


# --- The script in a real browser --------------------------------------------------------------------------


@dataclass
class Hub:
    """The hub as the test sees it: its address and what reached /api/…."""

    url: str

    def requests(self) -> list[dict[str, Any]]:
        return httpx.get(f"{self.url}/_test/requests", timeout=5).json()

    def events(self, visitor: str) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests() if r["path"] == "/api/event" and r["body"]["visitor"] == visitor]

    def wait_for(
        self, visitor: str, done: Callable[[list[dict[str, Any]]], bool], timeout: float = 10
    ) -> list[dict[str, Any]]:
        """The visitor's events once `done` holds for them (they travel on their own; nothing to await)."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.events(visitor)
            if done(events):
                return events
            if time.monotonic() > deadline:
                pytest.fail(f"timed out; the visitor's events were {events}")
            time.sleep(0.05)


@dataclass
class Servers:
    hub: Hub
    site: str


class HubProcess:
    """The hub in a granian process of its own, started again if something outside the test ended it.

    Other test runs on the same machine come and go; a port taken between picking and binding it, or a
    stray signal, costs a restart, not the rest of the module. Nothing the tests check lives only in it:
    each test follows its own visitor.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def running(self) -> str:
        if self.process is not None and self.process.poll() is None:
            return self.url
        for _attempt in range(3):
            port = free_port()
            process = subprocess.Popen(
                [*GRANIAN, "--port", str(port), f"{__name__}:hub_app"],
                cwd=PROJECT_ROOT,
                # granian imports this module, and with it starlette.testclient, which warns about httpx.
                env={**os.environ, "PYTHONWARNINGS": "ignore:Using `httpx` with `starlette.testclient`"},
            )
            url = f"http://127.0.0.1:{port}"
            if _answers(process, f"{url}/_test/requests"):
                self.process, self.url = process, url
                return url
            _stop(process)
        pytest.fail("the hub (granian) did not start in 3 attempts")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)


def _answers(process: subprocess.Popen[bytes], url: str) -> bool:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while process.poll() is None and time.monotonic() < deadline:
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # granian stops its worker on SIGTERM
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def _running() -> Iterator[tuple[HubProcess, str]]:
    hub = HubProcess()
    # The page names the hub's current address: the hub may have been restarted on another port.
    try:
        with local_site(lambda: BLOG_PAGE.format(hub=hub.url)) as site_url:
            yield hub, site_url
    finally:
        hub.stop()


@pytest.fixture
def servers(_running: tuple[HubProcess, str]) -> Servers:
    hub, site_url = _running
    return Servers(hub=Hub(hub.running()), site=site_url)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    tab_context = browser.new_context()
    tab_context.set_default_timeout(10_000)
    yield tab_context
    tab_context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    tab = context.new_page()
    tab.clock.install()  # before the script runs, so its interval is on the test's clock
    return tab


def open_post(page: Page, servers: Servers, path: str = "/first") -> str:
    """Opens a blog page from a search result, waits for its pageview and returns the tab's visitor token."""
    page.goto(f"{servers.site}{path}", referer=REFERRER)
    page.wait_for_function("window.accumulator !== undefined")
    visitor = page.evaluate("sessionStorage.getItem('accumulator_visitor')")
    assert visitor
    servers.hub.wait_for(visitor, lambda events: any(e["type"] == "pageview" for e in events))
    return visitor


def kinds(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(event["type"], event["path"]) for event in events]


def set_visibility(page: Page, state: str) -> None:
    """What the browser does when the tab is switched away from or back to."""
    page.evaluate(
        """state => {
            Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
            Object.defineProperty(document, "hidden", {configurable: true, get: () => state === "hidden"});
            document.dispatchEvent(new Event("visibilitychange", {bubbles: true}));
        }""",
        state,
    )


def like_and_wait(page: Page, hub: Hub, visitor: str) -> list[dict[str, Any]]:
    """Events reach the hub in order, so once a like is in, everything sent before it is too."""
    before = sum(e["type"] == "like" for e in hub.events(visitor))
    assert page.evaluate("accumulator.like()") is True
    return hub.wait_for(visitor, lambda events: sum(e["type"] == "like" for e in events) > before)


@pytest.mark.browser
def test_a_page_load_sends_a_pageview_with_the_site_path_visitor_and_referrer(page: Page, servers: Servers) -> None:
    visitor = open_post(page, servers)

    [pageview] = servers.hub.events(visitor)
    assert pageview == {
        "type": "pageview",
        "site": "blog",
        "path": "/first",
        "visitor": visitor,
        "referrer": page.evaluate("document.referrer"),
        "q": "",
    }
    assert pageview["referrer"].startswith(REFERRER)
    assert len(visitor) == 32
    [request] = [r for r in servers.hub.requests() if r["body"] and r["body"].get("visitor") == visitor]
    assert request["method"] == "POST"
    assert request["content_type"].startswith("text/plain")
    # text/plain is a "simple" request: the browser never asked the hub for CORS permission first.
    assert not [r for r in servers.hub.requests() if r["method"] == "OPTIONS"]


@pytest.mark.browser
def test_a_tab_keeps_its_token_and_another_tab_gets_its_own(
    browser: Browser, context: BrowserContext, page: Page, servers: Servers
) -> None:
    visitor = open_post(page, servers)
    page.reload()  # the same tab: the old page's leave, the new page's pageview
    servers.hub.wait_for(visitor, lambda events: len(events) == 3)
    like_and_wait(page, servers.hub, visitor)

    second_tab = context.new_page()
    other_context = browser.new_context()
    try:
        others = [open_post(second_tab, servers), open_post(other_context.new_page(), servers)]
    finally:
        other_context.close()
    assert len({visitor, *others}) == 3
    assert sorted(e["type"] for e in servers.hub.events(visitor)) == ["leave", "like", "pageview", "pageview"]


@pytest.mark.browser
def test_a_visible_tab_sends_a_heartbeat_every_15_seconds(page: Page, servers: Servers) -> None:
    visitor = open_post(page, servers)

    page.clock.run_for(HEARTBEAT_MS)
    servers.hub.wait_for(visitor, lambda events: [e["type"] for e in events] == ["pageview", "heartbeat"])
    page.clock.run_for(HEARTBEAT_MS)
    events = servers.hub.wait_for(visitor, lambda events: len(events) == 3)

    assert kinds(events) == [("pageview", "/first"), ("heartbeat", "/first"), ("heartbeat", "/first")]
    assert {e["site"] for e in events} == {"blog"}
    assert ["referrer" in e for e in events] == [True, False, False]


@pytest.mark.browser
def test_a_hidden_tab_sends_a_leave_then_no_heartbeat_until_it_is_back(page: Page, servers: Servers) -> None:
    visitor = open_post(page, servers)

    set_visibility(page, "hidden")
    servers.hub.wait_for(visitor, lambda events: [e["type"] for e in events] == ["pageview", "leave"])
    page.clock.run_for(4 * HEARTBEAT_MS)
    events = like_and_wait(page, servers.hub, visitor)
    assert [e["type"] for e in events] == ["pageview", "leave", "like"]

    # Back on the tab: a heartbeat at once, then every 15 s again.
    set_visibility(page, "visible")
    servers.hub.wait_for(visitor, lambda events: len(events) == 4)
    page.clock.run_for(HEARTBEAT_MS)
    events = servers.hub.wait_for(visitor, lambda events: len(events) == 5)
    assert [e["type"] for e in events] == ["pageview", "leave", "like", "heartbeat", "heartbeat"]
    assert {e["visitor"] for e in events} == {visitor}


@pytest.mark.browser
def test_hiding_then_closing_sends_one_leave(page: Page, servers: Servers) -> None:
    visitor = open_post(page, servers)

    set_visibility(page, "hidden")
    servers.hub.wait_for(visitor, lambda events: len(events) == 2)
    page.close(run_before_unload=True)
    time.sleep(1)  # a second leave, if one were sent, has had time to arrive
    assert [e["type"] for e in servers.hub.events(visitor)] == ["pageview", "leave"]


@pytest.mark.browser
def test_closing_the_page_delivers_a_leave_beacon(page: Page, servers: Servers) -> None:
    visitor = open_post(page, servers)

    page.close(run_before_unload=True)
    events = servers.hub.wait_for(visitor, lambda events: len(events) == 2)
    assert kinds(events) == [("pageview", "/first"), ("leave", "/first")]
    time.sleep(1)  # visibilitychange and pagehide both fire on close; only one leave goes out
    assert len(servers.hub.events(visitor)) == 2
    [beacon] = [r for r in servers.hub.requests() if r["body"] and r["body"] == events[1]]
    assert beacon["content_type"].startswith("text/plain")


@pytest.mark.browser
def test_pagehide_alone_also_sends_the_leave(page: Page, servers: Servers) -> None:
    """Some browsers (older Safari) fire no visibilitychange when a tab closes, only pagehide."""
    visitor = open_post(page, servers)
    page.evaluate("addEventListener('visibilitychange', event => event.stopImmediatePropagation(), true)")

    page.close(run_before_unload=True)
    events = servers.hub.wait_for(visitor, lambda events: len(events) == 2)
    assert kinds(events) == [("pageview", "/first"), ("leave", "/first")]


@pytest.mark.browser
def test_single_page_navigation_sends_leave_for_the_old_path_then_a_pageview(page: Page, servers: Servers) -> None:
    visitor = open_post(page, servers)

    page.get_by_role("button", name="Next post").click()
    events = servers.hub.wait_for(visitor, lambda events: len(events) == 3)
    assert kinds(events) == [("pageview", "/first"), ("leave", "/first"), ("pageview", "/second")]
    assert events[2]["referrer"] == page.evaluate("document.referrer")

    page.go_back()  # popstate
    events = servers.hub.wait_for(visitor, lambda events: len(events) == 5)
    assert kinds(events[3:]) == [("leave", "/second"), ("pageview", "/first")]

    # Same path, new fragment or state: not another page.
    page.evaluate("location.hash = 'comments'; history.pushState({}, '', location.pathname + '?x=1')")
    events = like_and_wait(page, servers.hub, visitor)
    assert kinds(events[5:]) == [("like", "/first")]


@pytest.mark.browser
def test_the_like_button_sends_a_like_for_the_current_path(page: Page, servers: Servers) -> None:
    visitor = open_post(page, servers, "/posts/hello")

    page.get_by_role("button", name="Like").click()
    events = servers.hub.wait_for(visitor, lambda events: len(events) == 2)
    assert events[1] == {"type": "like", "site": "blog", "path": "/posts/hello", "visitor": visitor}


@pytest.mark.browser
def test_stats_resolves_to_the_hubs_counts(page: Page, servers: Servers) -> None:
    open_post(page, servers, "/posts/hello")

    assert page.evaluate("accumulator.stats()") == STATS
    assert page.evaluate("accumulator.stats('/about')") == STATS
    queries = [r["query"] for r in servers.hub.requests() if r["path"] == "/api/stats"][-2:]
    assert queries == [{"site": "blog", "path": "/posts/hello"}, {"site": "blog", "path": "/about"}]


def leaves(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == "leave"]


@pytest.mark.browser
def test_a_leave_reports_reading_time_only_while_the_tab_was_visible(page: Page, servers: Servers) -> None:
    visitor = open_post(page, servers)
    page.clock.run_for(20_000)
    set_visibility(page, "hidden")
    [first] = leaves(servers.hub.wait_for(visitor, lambda events: len(leaves(events)) == 1))
    assert 20 <= first["e"] <= 23 and first["p"] == 0

    page.clock.run_for(5 * 60_000)  # five minutes in a hidden tab add nothing
    set_visibility(page, "visible")
    page.clock.run_for(10_000)
    page.close(run_before_unload=True)
    second = leaves(servers.hub.wait_for(visitor, lambda events: len(leaves(events)) == 2))[1]
    # The view's time so far, and what the last report said (the hub counts the view once, at 30 s).
    assert first["e"] + 10 <= second["e"] <= first["e"] + 13 and second["p"] == first["e"]


@pytest.mark.browser
def test_a_leave_reports_the_deepest_scroll(page: Page, servers: Servers) -> None:
    visitor = open_post(page, servers)
    set_visibility(page, "hidden")
    [first] = leaves(servers.hub.wait_for(visitor, lambda events: len(leaves(events)) == 1))
    assert 0 < first["s"] < 50 and first["ps"] == 0  # the first screen of a long post
    set_visibility(page, "visible")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.evaluate("window.scrollTo(0, 0)")  # back up: the deepest point stays
    page.close(run_before_unload=True)
    second = leaves(servers.hub.wait_for(visitor, lambda events: len(leaves(events)) == 2))[1]
    assert second["s"] == 100 and second["ps"] == first["s"]


@pytest.mark.browser
def test_a_pageview_carries_the_query_string_for_its_campaign(page: Page, servers: Servers) -> None:
    query = "?utm_source=newsletter&utm_campaign=winter&other=1"
    visitor = open_post(page, servers, f"/first{query}")
    [pageview] = servers.hub.events(visitor)
    assert pageview["q"] == query and pageview["path"] == "/first"


@pytest.mark.browser
def test_custom_events_outbound_links_and_downloads_are_sent_as_goals(page: Page, servers: Servers) -> None:
    visitor = open_post(page, servers)
    page.evaluate("accumulator.track('Signup', {plan: 'pro'})")
    # Stay on the page: the clicks are recorded, the browser does not go anywhere.
    page.evaluate("document.querySelectorAll('a').forEach(a => a.addEventListener('click', e => e.preventDefault()))")
    page.wait_for_function("window.accumulator !== undefined")
    servers.hub.wait_for(visitor, lambda events: any(e["type"] == "event" for e in events))
    page.locator("#away").click()
    page.locator("#file").click()
    events = servers.hub.wait_for(visitor, lambda events: sum(e["type"] == "event" for e in events) == 3)
    goals = [(e["name"], e["props"]) for e in events if e["type"] == "event"]
    assert goals == [
        ("Signup", {"plan": "pro"}),
        ("Outbound Link: Click", {"url": "https://elsewhere.example/read?x=1"}),
        ("File Download", {"url": "/files/report.pdf"}),
    ]


@pytest.mark.browser
def test_live_keeps_an_element_saying_how_many_are_reading(page: Page, servers: Servers) -> None:
    open_post(page, servers, "/posts/hello")
    page.evaluate("accumulator.live(document.getElementById('reading'))")
    page.wait_for_function("document.getElementById('reading').textContent === '3 reading now'")
    [query] = [r["query"] for r in servers.hub.requests() if r["path"] == "/api/stats/live"][-1:]
    assert query == {"site": "blog", "path": "/posts/hello"}


# --- The hub the browser tests talk to (granian imports this module to run it) -------------------------------

_RECEIVED: list[dict[str, Any]] = []


def _cors(request: Request) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": request.headers.get("origin", "*"), "Vary": "Origin"}


async def _record(request: Request) -> dict[str, Any]:
    raw = await request.body()
    entry = {
        "method": request.method,
        "path": request.url.path,
        "query": dict(request.query_params),
        "content_type": request.headers.get("content-type", ""),
        "body": json.loads(raw) if raw else None,
    }
    _RECEIVED.append(entry)
    return entry


async def _event(request: Request) -> Response:
    await _record(request)
    # A preflight (OPTIONS) is recorded and refused, so a script that caused one would fail the tests.
    return Response(status_code=202 if request.method == "POST" else 405, headers=_cors(request))


async def _stats(request: Request) -> Response:
    await _record(request)
    return JSONResponse(STATS, headers=_cors(request))


async def _received(request: Request) -> Response:
    return JSONResponse(_RECEIVED)


async def _live(request: Request) -> Response:
    """What the hub's /api/stats/live sends: a `reading` event with {"viewing": N}."""
    await _record(request)
    body = 'event: reading\ndata: {"viewing": 3}\n\n'
    return Response(body, media_type="text/event-stream", headers=_cors(request))


hub_app = Starlette(
    routes=[
        Route("/js/tracker.js", serve_tracker),
        Route("/js/more.js", serve_more),
        Route("/api/stats/live", _live),
        Route("/api/event", _event, methods=["POST", "OPTIONS"]),
        Route("/api/stats", _stats),
        Route("/_test/requests", _received),
    ]
)
