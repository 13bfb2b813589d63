"""GET /api/stats/badge.svg: a page's views or readers as a small SVG for the owner's blog, cached
so a popular page costs one read per window, revalidated with its ETag, and never a 500."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from accumulator.analytics import badge
from accumulator.analytics.actions import ingestor
from accumulator.realtime import create_presence
from accumulator.runtime import Services
from tests.analytics.test_dashboard_feed import QueryCounter
from tests.conftest import REDIS_URL, api_client

SITE_ORIGIN = "https://blog.example.com"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def services(services: Services, request: pytest.FixtureRequest) -> Services:
    services.settings = replace(services.settings, allowed_origins=(SITE_ORIGIN,))
    if request.node.get_closest_marker("redis"):  # presence in Redis, set before the ingestor is built
        services.presence = create_presence(REDIS_URL, services.redis_outage)
    ingestor(services).flush_interval = 0.001
    return services


def view(client: TestClient, path: str, visitor: str, *, site: str = "blog", kind: str = "pageview") -> None:
    """A page view (or heartbeat) sent as the tracker sends it; the 202 comes once it is committed."""
    event = {"type": kind, "site": site, "path": path, "visitor": visitor, "referrer": ""}
    answer = client.post(
        "/api/event",
        content=json.dumps(event),
        headers={"Content-Type": "text/plain", "Origin": SITE_ORIGIN, "User-Agent": CHROME},
    )
    assert answer.status_code == 202, answer.text


def parse(body: str) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314  (our own answer, the thing under test)


def texts(body: str) -> list[str]:
    """The texts the badge shows (it must be well-formed XML to be parsed at all)."""
    return [element.text or "" for element in parse(body).iter(f"{SVG_NS}text")]


def test_it_shows_the_views_of_the_page(client: TestClient) -> None:
    for n in range(3):
        view(client, "/hello", f"visitor-{n:04d}")
    view(client, "/other", "visitor-0009")
    answer = client.get("/api/stats/badge.svg", params={"site": "blog", "path": "/hello"})
    assert answer.status_code == 200
    assert texts(answer.text) == ["views", "3"]
    assert answer.headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert answer.headers["content-security-policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] in ("public, max-age=30", "public, max-age=29")
    assert answer.headers["etag"].startswith('"')


def test_without_a_path_it_shows_the_whole_site(client: TestClient) -> None:
    view(client, "/a", "visitor-0001")
    view(client, "/b", "visitor-0002")
    view(client, "/b", "visitor-0003", site="shop")
    assert texts(client.get("/api/stats/badge.svg?site=blog").text) == ["views", "2"]
    assert texts(client.get("/api/stats/badge.svg?site=blog&path=").text) == ["views", "2"]


def test_a_page_never_seen_shows_zero(client: TestClient) -> None:
    assert texts(client.get("/api/stats/badge.svg?site=blog&path=/new").text) == ["views", "0"]


def test_it_shows_who_is_reading_now(client: TestClient) -> None:
    view(client, "/hello", "visitor-0001")
    view(client, "/hello", "visitor-0002", kind="heartbeat")
    view(client, "/elsewhere", "visitor-0003")
    answer = client.get("/api/stats/badge.svg", params={"site": "blog", "path": "/hello", "show": "reading"})
    assert texts(answer.text) == ["reading now", "2"]
    assert answer.headers["cache-control"] in ("public, max-age=5", "public, max-age=4")
    whole_site = client.get("/api/stats/badge.svg", params={"site": "blog", "show": "reading", "theme": "dark"})
    assert texts(whole_site.text) == ["reading now", "3"]


@pytest.mark.redis
async def test_readers_come_from_the_shared_presence_with_redis(services: Services) -> None:
    site = f"blog-{uuid.uuid4().hex[:8]}"  # Redis is shared between runs: a site of this test's own
    other_instance = create_presence(REDIS_URL)
    await other_instance.seen(site=site, path="/hello", visitor="visitor-0002", now=time.time())
    with api_client(services) as client:
        view(client, "/hello", "visitor-0001", site=site)
        answer = client.get("/api/stats/badge.svg", params={"site": site, "path": "/hello", "show": "reading"})
    assert texts(answer.text) == ["reading now", "2"]  # this instance's visitor and the other's
    assert not services.redis_outage.down


def test_a_cached_copy_is_revalidated_with_304(client: TestClient) -> None:
    url = "/api/stats/badge.svg?site=blog&path=/hello"
    first = client.get(url)
    etag = first.headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"].startswith("public, max-age=")
    assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    dark = client.get(url + "&theme=dark")
    assert dark.headers["etag"] != etag


def test_within_its_window_a_badge_costs_no_query(client: TestClient, services: Services) -> None:
    view(client, "/hello", "visitor-0001")
    counter = QueryCounter(services.engine)
    try:
        assert texts(client.get("/api/stats/badge.svg?site=blog&path=/hello").text) == ["views", "1"]
        first = counter.selects
        view(client, "/hello", "visitor-0002")  # counted, but the badge keeps its 30 s
        reads_before = counter.selects
        for _ in range(20):
            assert texts(client.get("/api/stats/badge.svg?site=blog&path=/hello").text) == ["views", "1"]
        after = counter.selects
    finally:
        counter.close()
    assert first >= 1
    assert after == reads_before  # twenty readers, no SELECT
    # Another page, show or theme is a badge of its own.
    assert texts(client.get("/api/stats/badge.svg?site=blog&path=/hello&theme=dark").text) == ["views", "2"]


async def test_an_expired_badge_is_read_again_and_a_burst_shares_one_read() -> None:
    now = [100.0]
    cache = badge.BadgeCache(clock=lambda: now[0])
    made: list[int] = []

    async def make() -> str:
        made.append(1)
        await asyncio.sleep(0.01)  # a read in flight while the others arrive
        return f"<svg>{len(made)}</svg>"

    key = ("blog", "/a", "views", "light")
    burst = await asyncio.gather(*(cache.get(key, 30.0, make) for _ in range(50)))
    assert len(made) == 1 and {item.body for item in burst} == {b"<svg>1</svg>"}
    assert burst[0].max_age(now[0]) == 30
    now[0] += 29.5
    assert (await cache.get(key, 30.0, make)).body == b"<svg>1</svg>"
    now[0] += 1
    assert (await cache.get(key, 30.0, make)).body == b"<svg>2</svg>"


async def test_the_cache_keeps_a_bounded_number_of_badges() -> None:
    cache = badge.BadgeCache(size=3)

    async def make() -> str:
        return "<svg/>"

    for n in range(10):
        await cache.get(("blog", f"/{n}", "views", "light"), 30.0, make)
    assert len(cache._kept) == 3  # any path may be asked for: old ones go, memory does not grow


BAD_QUERIES = [
    ({"path": "/a"}, "'site'"),
    ({"site": "", "path": "/a"}, "'site'"),
    ({"site": '"><script>alert(1)</script>', "path": "/a"}, "'site'"),
    ({"site": "blog site", "path": "/a"}, "'site'"),
    ({"site": "blog\x00", "path": "/a"}, "NUL"),
    ({"site": "b" * 65, "path": "/a"}, "longer than 64"),
    ({"site": "blog", "path": "no-slash"}, "start with /"),
    ({"site": "blog", "path": "/a\x00b"}, "NUL"),
    ({"site": "blog", "path": "/a\nb"}, "control characters"),
    ({"site": "blog", "path": "/invoice\u202egpj.exe"}, "invisible"),
    ({"site": "blog", "path": "/" + "a" * 512}, "longer than 512"),
    ({"site": "blog", "path": "/a", "show": "likes"}, "'show'"),
    ({"site": "blog", "path": "/a", "theme": "neon"}, "'theme'"),
]


@pytest.mark.parametrize(("params", "reason"), BAD_QUERIES)
def test_a_bad_query_is_a_400_that_says_why(client: TestClient, params: dict, reason: str) -> None:
    answer = client.get("/api/stats/badge.svg", params=params)
    assert answer.status_code == 400
    assert reason in answer.json()["error"]


@pytest.mark.parametrize(
    "query", ["site=%ff%fe&path=/a", "site=blog&path=/%ed%a0%80", "site=blog&site=x&path=/a", "site=blog&path=/%25%00"]
)
def test_odd_encodings_never_end_in_a_500(client: TestClient, query: str) -> None:
    assert client.get(f"/api/stats/badge.svg?{query}").status_code in (200, 400)


def test_an_allowed_page_may_read_it_and_head_works(client: TestClient) -> None:
    answer = client.get("/api/stats/badge.svg?site=blog", headers={"Origin": SITE_ORIGIN})
    assert answer.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert "access-control-allow-credentials" not in answer.headers
    other = client.get("/api/stats/badge.svg?site=blog", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers
    assert client.head("/api/stats/badge.svg?site=blog").status_code == 200


@pytest.mark.parametrize(
    ("n", "shown"),
    [(0, "0"), (999, "999"), (1234, "1,234"), (99_999, "99,999"), (100_000, "100k"), (999_999, "999k"),
     (1_250_000, "1.2M"), (12_999_999, "12M"), (3_400_000_000, "3.4B")],
)  # fmt: skip
def test_big_numbers_are_shortened_and_never_rounded_up(n: int, shown: str) -> None:
    assert badge.short_number(n) == shown


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("show", badge.SHOWS)
def test_every_badge_is_well_formed_and_its_boxes_fit_the_text(show: str, theme: str) -> None:
    root = parse(badge.render(show, 1_234_567, theme))
    width = float(root.get("width"))
    (background,) = root.iter(f"{SVG_NS}rect")
    assert float(background.get("width")) == width
    label_width = float(next(root.iter(f"{SVG_NS}path")).get("d").split("H")[1].split("V")[0])
    label, value = root.iter(f"{SVG_NS}text")
    assert float(label.get("textLength")) < label_width  # each text inside its half, centred
    assert float(value.get("textLength")) < width - label_width
    assert float(label.get("x")) == label_width / 2 and float(value.get("x")) == (label_width + width) / 2
    assert root.get("aria-label") == f"{badge.LABELS[show]}: 1.2M"
