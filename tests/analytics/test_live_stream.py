"""GET /api/stats/live: "N reading now" of a page as Server-Sent Events, fed by one poller per
process however many streams are open, capped per address, and ended when the reader goes away.

The streams are driven through the ASGI app the way a server drives it (a request in, the
response's messages out, a disconnect when the reader leaves); visitors arrive through the event API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import urlencode

import httpx
import pytest
from starlette.types import ASGIApp, Message

from accumulator.analytics import live_stream
from accumulator.analytics.actions import ingestor
from accumulator.analytics.live_stream import ReadingNow
from accumulator.api import create_api, running
from accumulator.realtime import MemoryPresence, create_presence
from accumulator.runtime import Services
from tests.conftest import REDIS_URL

SITE_ORIGIN = "https://blog.example.com"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
INTERVAL = 0.2  # the poller's interval here (2 s in production), so the tests take tenths of seconds


class CountingPresence(MemoryPresence):
    """The in-process presence, counting how often every page's numbers are read."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    async def counts(self, *, now: float) -> Counter[tuple[str, str]]:
        self.reads += 1
        return await super().counts(now=now)


class Stream:
    """One GET of the live stream, sent to the app as a server sends it, read event by event."""

    def __init__(self, app: ASGIApp, params: dict[str, str], *, address: str = "203.0.113.7", **headers: str) -> None:
        self.scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": "/api/stats/live", "raw_path": b"/api/stats/live",
            "query_string": urlencode(params).encode(), "root_path": "", "client": (address, 50000),
            "server": ("testserver", 80),
            "headers": [(b"host", b"testserver")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        }  # fmt: skip
        self.app = app
        self.sent: asyncio.Queue[Message] = asyncio.Queue()
        self.left = asyncio.Event()
        self.status = 0
        self.headers: dict[str, str] = {}
        self._buffer = ""

    async def _receive(self) -> Message:
        await self.left.wait()
        return {"type": "http.disconnect"}

    async def __aenter__(self) -> Stream:
        self.task = asyncio.create_task(self.app(self.scope, self._receive, self.sent.put))
        start = await asyncio.wait_for(self.sent.get(), 5)
        self.status = start["status"]
        self.headers = {k.decode(): v.decode() for k, v in start["headers"]}
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.left.set()  # the reader goes away
        await asyncio.wait_for(self.task, 5)

    async def chunk(self, timeout: float = 5) -> str:
        message = await asyncio.wait_for(self.sent.get(), timeout)
        return message.get("body", b"").decode()

    async def event(self, timeout: float = 5) -> tuple[str, dict]:
        """The next event (comments and the retry hint skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            while "\n\n" in self._buffer:
                block, self._buffer = self._buffer.split("\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.split("\n") if line and not line.startswith(":"))
                if "event" in fields:
                    return fields["event"], json.loads(fields["data"])
            self._buffer += await self.chunk(max(0.01, deadline - time.monotonic()))


@pytest.fixture
def presence() -> CountingPresence:
    return CountingPresence()


@pytest.fixture
async def app(services: Services, presence: CountingPresence) -> AsyncIterator[ASGIApp]:
    """The HTTP API with its background work running, on this test's event loop."""
    services.settings = replace(services.settings, allowed_origins=(SITE_ORIGIN,))
    services.presence = presence  # before the ingestor and the poller are built, so both use it
    ingestor(services).flush_interval = 0.001
    services.component("analytics.reading_now", lambda: ReadingNow(services.presence, interval=INTERVAL))
    api = create_api(services)
    async with running(services):
        yield api


async def arrive(app: ASGIApp, path: str, visitor: str, *, site: str = "blog", kind: str = "heartbeat") -> None:
    """A visitor's heartbeat (or page view), through the event API."""
    event = {"type": kind, "site": site, "path": path, "visitor": visitor}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        answer = await client.post("/api/event", json=event, headers={"Origin": SITE_ORIGIN, "User-Agent": CHROME})
    assert answer.status_code == 202, answer.text


PAGE = {"site": "blog", "path": "/hello"}


async def test_the_first_event_comes_at_once(app: ASGIApp) -> None:
    await arrive(app, "/hello", "visitor-0001")
    started = time.monotonic()
    async with Stream(app, PAGE) as stream:
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        assert await stream.chunk() == "retry: 5000\n\n"
        assert await stream.chunk() == 'event: reading\ndata: {"viewing":1}\n\n'
    assert time.monotonic() - started < 1


async def test_a_visitor_arriving_and_leaving_is_sent_as_it_happens(app: ASGIApp) -> None:
    async with Stream(app, PAGE) as stream:
        assert await stream.event() == ("reading", {"viewing": 0})
        await arrive(app, "/hello", "visitor-0001")
        await arrive(app, "/elsewhere", "visitor-0002")  # another page: no event here
        assert await stream.event(timeout=2) == ("reading", {"viewing": 1})
        await arrive(app, "/hello", "visitor-0003", kind="pageview")
        assert await stream.event(timeout=2) == ("reading", {"viewing": 2})
        await arrive(app, "/hello", "visitor-0001", kind="leave")
        assert await stream.event(timeout=2) == ("reading", {"viewing": 1})


async def test_without_a_path_it_follows_the_whole_site(app: ASGIApp) -> None:
    await arrive(app, "/a", "visitor-0001")
    await arrive(app, "/b", "visitor-0002")
    await arrive(app, "/b", "visitor-0003", site="shop")
    async with Stream(app, {"site": "blog"}) as stream:
        assert await stream.event() == ("reading", {"viewing": 2})


async def test_an_unchanged_number_sends_nothing_but_heartbeats(app: ASGIApp, monkeypatch) -> None:
    monkeypatch.setattr(live_stream, "KEEPALIVE_SECONDS", 0.5)
    async with Stream(app, PAGE) as stream:
        await stream.event()
        await arrive(app, "/elsewhere", "visitor-0002")  # polled several times meanwhile: still 0 here
        assert await stream.chunk(timeout=2) == ": keep-alive\n\n"


async def test_many_streams_share_one_presence_read_per_interval(app: ASGIApp, presence: CountingPresence) -> None:
    async with contextlib.AsyncExitStack() as stack:
        one = await stack.enter_async_context(Stream(app, PAGE, address="203.0.113.1"))
        two = await stack.enter_async_context(Stream(app, PAGE, address="203.0.113.2"))
        other = await stack.enter_async_context(Stream(app, {"site": "blog", "path": "/b"}, address="203.0.113.3"))
        for stream in (one, two, other):
            assert await stream.event() == ("reading", {"viewing": 0})
        before, started = presence.reads, time.monotonic()
        await arrive(app, "/hello", "visitor-0001")
        assert await one.event(timeout=2) == await two.event(timeout=2) == ("reading", {"viewing": 1})
        await asyncio.sleep(1.0)
        elapsed = time.monotonic() - started
    # Three streams on two pages: one read per interval between them, not one per stream or page.
    assert presence.reads - before <= elapsed / INTERVAL + 1


async def test_a_thousand_watchers_cost_one_read_per_interval(presence: CountingPresence) -> None:
    hub = ReadingNow(presence, interval=INTERVAL)
    async with contextlib.AsyncExitStack() as stack:
        watchers = [await stack.enter_async_context(hub.watch(("blog", f"/{n % 10}"))) for n in range(1000)]
        started = time.monotonic()
        await asyncio.sleep(1.0)
        elapsed = time.monotonic() - started
        assert all(watcher.value == 0 for watcher in watchers)
    assert presence.reads <= elapsed / INTERVAL + 1
    assert hub.pages == 0


async def test_a_stream_ends_when_its_reader_goes_away(app: ASGIApp, services: Services) -> None:
    async with Stream(app, PAGE) as stream:
        await stream.event()
        assert services.streams._count == 1
    assert services.streams._count == 0  # the slot is given back
    hub = live_stream.reading_now(services)
    assert hub.pages == 0
    await asyncio.sleep(0)
    assert hub._task is None  # and with nobody left, the poller stops


async def test_past_eight_streams_from_one_address_the_next_is_a_429(app: ASGIApp) -> None:
    async with contextlib.AsyncExitStack() as stack:
        opened = [await stack.enter_async_context(Stream(app, PAGE)) for _ in range(8)]
        assert [stream.status for stream in opened] == [200] * 8
        async with Stream(app, PAGE) as refused:
            assert refused.status == 429
            assert refused.headers["retry-after"] == "30"
            assert "Too many" in json.loads(await refused.chunk())["error"]
        async with Stream(app, PAGE, address="198.51.100.1") as elsewhere:
            assert elsewhere.status == 200  # another reader is not held back
        await opened[0].__aexit__()
        async with Stream(app, PAGE) as again:
            assert again.status == 200  # closing one made room


async def test_allowed_pages_may_read_it_without_credentials(app: ASGIApp) -> None:
    async with Stream(app, PAGE, Origin=SITE_ORIGIN) as stream:
        assert stream.headers["access-control-allow-origin"] == SITE_ORIGIN
        assert "access-control-allow-credentials" not in stream.headers
    async with Stream(app, PAGE, Origin="https://elsewhere.example") as stream:
        assert "access-control-allow-origin" not in stream.headers


@pytest.mark.parametrize(
    "params", [{"path": "/a"}, {"site": "a b", "path": "/a"}, {"site": "blog", "path": "x"},
               {"site": "blog", "path": "/a\x00"}, {"site": "blog", "path": "/" + "a" * 600}],
)  # fmt: skip
async def test_a_bad_page_is_a_400_and_holds_no_slot(app: ASGIApp, services: Services, params: dict) -> None:
    async with Stream(app, params) as stream:
        assert stream.status == 400
        assert json.loads(await stream.chunk())["error"]
    assert services.streams._count == 0


async def test_a_failing_presence_read_does_not_end_the_streams(app: ASGIApp, presence: CountingPresence) -> None:
    async with Stream(app, PAGE) as stream:
        assert await stream.event() == ("reading", {"viewing": 0})
        broken = presence.counts
        presence.counts = None  # type: ignore[assignment]  (calling it raises TypeError)
        await asyncio.sleep(INTERVAL * 2)
        presence.counts = broken  # type: ignore[method-assign]
        await arrive(app, "/hello", "visitor-0001")
        assert await stream.event(timeout=2) == ("reading", {"viewing": 1})


@pytest.mark.redis
async def test_with_redis_a_visitor_on_any_instance_is_streamed(services: Services) -> None:
    """Presence in Redis: a visitor recorded by another process's presence reaches this stream."""
    site = f"blog-{uuid.uuid4().hex[:8]}"
    services.settings = replace(services.settings, allowed_origins=(SITE_ORIGIN,))
    services.presence = create_presence(REDIS_URL, services.redis_outage)
    services.component("analytics.reading_now", lambda: ReadingNow(services.presence, interval=INTERVAL))
    api = create_api(services)
    other_instance = create_presence(REDIS_URL)
    async with running(services), Stream(api, {"site": site, "path": "/hello"}) as stream:
        assert await stream.event() == ("reading", {"viewing": 0})
        await arrive(api, "/hello", "visitor-0001", site=site)
        assert await stream.event(timeout=2) == ("reading", {"viewing": 1})
        await other_instance.seen(site=site, path="/hello", visitor="visitor-0002", now=time.time())
        assert await stream.event(timeout=2) == ("reading", {"viewing": 2})
    assert not services.redis_outage.down
