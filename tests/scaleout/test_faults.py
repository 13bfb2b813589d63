"""Redis and PostgreSQL going away and coming back, played with a TCP proxy in front of the real
servers: the app keeps serving and counting without Redis (and says "degraded"), fails cleanly
while the database is down, and recovers by itself from both."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from accumulator.db import create_db_engine
from accumulator.ratelimit import RedisLimiter
from accumulator.realtime import FallbackBus, RedisBus, RedisOutage
from accumulator.runtime import build_services
from accumulator.settings import Settings
from tests.conftest import REDIS_URL, api_client
from tests.tcp_proxy import proxy_to

EVENT = {"type": "pageview", "site": "blog", "path": "/hello", "visitor": "visitor-1"}


def redis_through(proxy_port: int) -> str:
    parts = urlsplit(REDIS_URL)
    return f"redis://127.0.0.1:{proxy_port}{parts.path or '/0'}"


@pytest.mark.redis
def test_without_redis_pages_and_counting_go_on_and_health_says_degraded(settings: Settings, engine: Engine) -> None:
    redis = urlsplit(REDIS_URL)
    with proxy_to(redis.hostname, redis.port or 6379) as proxy:
        svc = build_services(dataclasses.replace(settings, redis_url=redis_through(proxy.port)), engine)
        with api_client(svc) as client:
            assert client.get("/healthz").json()["status"] == "ok"
            proxy.stop()  # Redis goes away
            health = client.get("/healthz")
            assert health.status_code == 200 and health.json()["status"] == "degraded"
            for n in range(3):
                assert client.post("/api/event", json={**EVENT, "visitor": f"visitor-{n}"}).status_code == 202
            deadline = time.monotonic() + 5
            while client.get("/api/stats?site=blog&path=/hello").json()["views"] < 3:
                assert time.monotonic() < deadline, "page views were not counted without Redis"
                time.sleep(0.1)
            assert client.get("/api/stats?site=blog&path=/hello").json()["viewing"] == 3  # this process's visitors
            assert svc.redis_outage.down
            proxy.start()  # and comes back
            assert client.get("/healthz").json()["status"] == "ok"
            client.post("/api/event", json={**EVENT, "visitor": "visitor-after"})
            deadline = time.monotonic() + 5
            while svc.redis_outage.down:
                assert time.monotonic() < deadline, "did not notice Redis was back"
                time.sleep(0.1)


@pytest.mark.redis
async def test_the_bus_falls_back_to_this_process_and_reconnects_across_processes() -> None:
    redis = urlsplit(REDIS_URL)
    topic = f"test:{uuid.uuid4().hex}"
    with proxy_to(redis.hostname, redis.port or 6379) as proxy:
        here = FallbackBus(RedisBus(redis_through(proxy.port)), RedisOutage())
        there = FallbackBus(RedisBus(REDIS_URL), RedisOutage())  # another process, still reaching Redis
        async with here.subscribe(topic) as mine, there.subscribe(topic) as theirs:
            await asyncio.sleep(0.3)
            await here.publish(topic, "one")
            assert await asyncio.wait_for(anext(theirs), 3) == "one"
            assert await asyncio.wait_for(anext(mine), 3) == "one"
            proxy.stop()
            await here.publish(topic, "two")  # Redis unreachable from here: this process still hears it
            assert await asyncio.wait_for(anext(mine), 3) == "two"
            assert here.outage.down
            proxy.start()
            await asyncio.sleep(FallbackBus.RETRY_SECONDS + 1.0)  # the subscription reconnects by itself
            await there.publish(topic, "three")
            assert await asyncio.wait_for(anext(mine), 5) == "three"


@pytest.mark.redis
async def test_rate_limits_are_shared_by_every_process_through_redis() -> None:
    name = f"test-{uuid.uuid4().hex[:8]}"
    first, second = (RedisLimiter(REDIS_URL, name=name, limit=5, window=10.0, outage=RedisOutage()) for _ in range(2))
    for limiter in (first, second, first, second, first):
        assert await limiter.take("203.0.113.9") == 0
    assert await second.take("203.0.113.9") > 0  # the 6th, counted across both
    assert await first.retry_after("203.0.113.9") > 0
    assert await first.take("198.51.100.1") == 0  # another address has its own count
    await first.reset("203.0.113.9")
    assert await second.take("203.0.113.9") == 0


async def test_without_redis_a_limiter_counts_in_this_process() -> None:
    limiter = RedisLimiter("redis://127.0.0.1:1/0", name="x", limit=2, window=10.0, outage=RedisOutage())
    assert [await limiter.take("ip") for _ in range(3)][:2] == [0, 0]
    assert await limiter.take("ip") > 0
    assert limiter.outage.down


@pytest.mark.postgresql
def test_a_database_restart_fails_requests_cleanly_then_they_succeed(settings: Settings, database: str) -> None:
    url = make_url(database)
    with proxy_to(url.host or "127.0.0.1", url.port or 5432) as proxy:
        engine = create_db_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        svc = build_services(settings, engine)
        try:
            with api_client(svc) as client:
                assert client.get("/api/stats?site=blog&path=/").status_code == 200
                proxy.stop()  # PostgreSQL restarts
                down = client.get("/api/stats?site=blog&path=/other")
                assert down.status_code == 503 and "database is unavailable" in down.json()["error"]
                assert client.get("/healthz").status_code == 503
                proxy.start()  # back: no restart of the app
                assert client.get("/api/stats?site=blog&path=/again").status_code == 200
                assert client.get("/healthz").json()["database"] == "ok"
                with engine.connect() as connection:
                    assert connection.execute(sa.text("select 1")).scalar() == 1
        finally:
            engine.dispose()
