"""The bus and presence, in-process and on the real Redis (same behaviour from both)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from accumulator.realtime import MemoryBus, MemoryPresence, RedisBus, RedisPresence
from tests.conftest import REDIS_URL

BACKENDS = [pytest.param("memory"), pytest.param("redis", marks=pytest.mark.redis)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def presence(backend: str):
    if backend == "memory":
        return MemoryPresence(window=30)
    return RedisPresence(REDIS_URL, window=30)


def site() -> str:
    return f"site-{uuid.uuid4().hex[:8]}"  # Redis is shared: each test keeps to its own site


async def test_a_visitor_is_viewing_until_30_s_after_its_last_heartbeat(presence) -> None:
    blog = site()
    await presence.seen(site=blog, path="/a", visitor="v1", now=1000)
    await presence.seen(site=blog, path="/a", visitor="v2", now=1000)
    await presence.seen(site=blog, path="/a", visitor="v1", now=1020)  # heartbeat
    counts = await presence.counts(now=1025)
    assert counts[(blog, "/a")] == 2
    counts = await presence.counts(now=1035)  # v2 silent for 35 s
    assert counts[(blog, "/a")] == 1
    assert (blog, "/a") not in await presence.counts(now=1051)


async def test_leave_ends_viewing_at_once_but_only_for_the_page_left(presence) -> None:
    blog = site()
    await presence.seen(site=blog, path="/a", visitor="v1", now=1000)
    await presence.seen(site=blog, path="/b", visitor="v1", now=1001)  # moved on
    assert await presence.left(site=blog, path="/a", visitor="v1") is False  # late leave of the old page
    assert (await presence.counts(now=1002))[(blog, "/b")] == 1
    assert await presence.left(site=blog, path="/b", visitor="v1") is True
    assert (blog, "/b") not in await presence.counts(now=1002)


async def test_a_token_counts_once_on_the_page_it_is_on(presence) -> None:
    blog = site()
    for _ in range(3):
        await presence.seen(site=blog, path="/a", visitor="v1", now=1000)
    await presence.seen(site=blog, path="/b", visitor="v1", now=1001)
    counts = await presence.counts(now=1002)
    assert counts[(blog, "/b")] == 1 and (blog, "/a") not in counts


@pytest.mark.redis
async def test_two_processes_see_each_others_visitors() -> None:
    blog = site()
    one, two = RedisPresence(REDIS_URL), RedisPresence(REDIS_URL)
    await one.seen(site=blog, path="/a", visitor="v1", now=1000)
    await two.seen(site=blog, path="/a", visitor="v2", now=1000)
    assert (await one.counts(now=1001))[(blog, "/a")] == 2
    assert (await two.counts(now=1001))[(blog, "/a")] == 2


async def test_a_published_message_reaches_every_subscriber(backend: str) -> None:
    make = (lambda: MemoryBus()) if backend == "memory" else (lambda: RedisBus(REDIS_URL))
    bus = make()
    other_process = bus if backend == "memory" else make()
    topic = f"test:{uuid.uuid4().hex}"
    async with bus.subscribe(topic) as first, other_process.subscribe(topic) as second:
        await asyncio.sleep(0.05)  # Redis subscriptions take effect asynchronously
        await bus.publish(topic, "hello")
        assert await asyncio.wait_for(anext(first), 2) == "hello"
        assert await asyncio.wait_for(anext(second), 2) == "hello"


async def test_memory_presence_forgets_visitors_who_went_quiet() -> None:
    presence = MemoryPresence(window=30)
    for number in range(5_000):  # a burst of readers, then silence
        await presence.seen(site="blog", path=f"/p{number % 10}", visitor=f"v{number}", now=1000 + number / 1000)
    assert sum((await presence.counts(now=1006)).values()) == 5_000
    assert await presence.counts(now=1040) == {}
    assert len(presence._where) == 0  # nothing kept for them
