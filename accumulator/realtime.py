"""Live plumbing shared by every feature: a publish/subscribe bus and page presence.

Each has an in-process backend (one process, nothing to install) and a Redis backend (several
processes or machines see the same messages and the same visitors). `REDIS_URL` chooses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator
from typing import Protocol

log = logging.getLogger(__name__)

PRESENCE_WINDOW = 30.0  # seconds a visitor stays "viewing" after its last page view or heartbeat


class Bus(Protocol):
    async def publish(self, topic: str, message: str = "") -> None: ...

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[str]]: ...


class MemoryBus:
    """Delivers to the subscribers of this process. A slow subscriber loses its oldest messages,
    never blocks the publisher."""

    def __init__(self, queue_size: int = 100) -> None:
        self._queues: dict[str, set[asyncio.Queue[str]]] = {}
        self._queue_size = queue_size

    async def publish(self, topic: str, message: str = "") -> None:
        for queue in list(self._queues.get(topic, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[str]]:
        queue: asyncio.Queue[str] = asyncio.Queue(self._queue_size)
        self._queues.setdefault(topic, set()).add(queue)

        async def messages() -> AsyncIterator[str]:
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            self._queues[topic].discard(queue)


class RedisBus:
    """Redis pub/sub: a message published by any process reaches the subscribers of every process."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        # A refused or unreachable Redis fails fast; the subscription reads block on purpose.
        self._redis = aioredis.from_url(url, decode_responses=True, socket_connect_timeout=1, health_check_interval=10)

    async def publish(self, topic: str, message: str = "") -> None:
        await self._redis.publish(topic, message)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[str]]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(topic)

        async def messages() -> AsyncIterator[str]:
            while True:
                item = await pubsub.get_message(timeout=30.0)
                if item is not None and item["type"] == "message":
                    yield item["data"]

        try:
            yield messages()
        finally:
            await pubsub.unsubscribe(topic)
            await pubsub.aclose()


class Presence(Protocol):
    async def seen(self, *, site: str, path: str, visitor: str, now: float) -> bool: ...

    async def left(self, *, site: str, path: str, visitor: str) -> bool: ...

    async def counts(self, *, now: float) -> Counter[tuple[str, str]]: ...


class MemoryPresence:
    """Who is on which page, for one process. A visitor token is on one page of a site at a time.

    Visitors are kept in the order their presence ends (a page view or heartbeat moves a visitor to
    the back), and the counts per page are kept up to date as they come and go: ending expired
    visitors takes them off the front, so no call ever walks every visitor."""

    def __init__(self, window: float = PRESENCE_WINDOW) -> None:
        self.window = window
        self._where: OrderedDict[tuple[str, str], tuple[str, float]] = OrderedDict()  # (site, visitor) -> (path, until)
        self._counts: Counter[tuple[str, str]] = Counter()

    def _expire(self, now: float) -> None:
        while self._where:
            key, (path, until) = next(iter(self._where.items()))
            if until >= now:
                return
            del self._where[key]
            self._decrement((key[0], path))

    def _decrement(self, page: tuple[str, str]) -> None:
        self._counts[page] -= 1
        if self._counts[page] <= 0:
            del self._counts[page]

    async def seen(self, *, site: str, path: str, visitor: str, now: float) -> bool:
        """Record a page view or heartbeat; True if this changed what a count would show."""
        self._expire(now)
        key = (site, visitor)
        previous = self._where.pop(key, None)
        self._where[key] = (path, now + self.window)
        if previous is not None and previous[0] == path:
            return False
        if previous is not None:
            self._decrement((site, previous[0]))
        self._counts[(site, path)] += 1
        return True

    async def left(self, *, site: str, path: str, visitor: str) -> bool:
        """The visitor left `path`. A late `leave` for a page it already moved away from is ignored."""
        current = self._where.get((site, visitor))
        if current is None or current[0] != path:
            return False
        del self._where[(site, visitor)]
        self._decrement((site, path))
        return True

    async def counts(self, *, now: float) -> Counter[tuple[str, str]]:
        self._expire(now)
        return Counter(self._counts)


class RedisPresence:
    """Presence shared by every process: per site, a sorted set of visitor tokens scored by the time
    their presence ends, and a hash of the page each is on. A crashed process's visitors age out."""

    SITES = "presence:sites"

    def __init__(self, url: str, window: float = PRESENCE_WINDOW) -> None:
        import redis.asyncio as aioredis

        self.window = window
        self._redis = aioredis.from_url(url, decode_responses=True, socket_connect_timeout=1, socket_timeout=2)

    async def seen(self, *, site: str, path: str, visitor: str, now: float) -> bool:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(self.SITES, site)
            pipe.hget(f"presence:{site}:path", visitor)
            pipe.zscore(f"presence:{site}", visitor)
            pipe.zadd(f"presence:{site}", {visitor: now + self.window})
            pipe.hset(f"presence:{site}:path", visitor, path)
            _, previous_path, previous_until, *_ = await pipe.execute()
        return previous_path != path or previous_until is None or float(previous_until) < now

    async def left(self, *, site: str, path: str, visitor: str) -> bool:
        # Only if the visitor is still on that page: compare and delete in one atomic step.
        script = """
        if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
            redis.call('ZREM', KEYS[1], ARGV[1]); redis.call('HDEL', KEYS[2], ARGV[1]); return 1
        end
        return 0"""
        removed = await self._redis.eval(script, 2, f"presence:{site}", f"presence:{site}:path", visitor, path)
        return bool(removed)

    async def counts(self, *, now: float) -> Counter[tuple[str, str]]:
        totals: Counter[tuple[str, str]] = Counter()
        for site in await self._redis.smembers(self.SITES):
            key = f"presence:{site}"
            expired = await self._redis.zrangebyscore(key, "-inf", now)
            if expired:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.zremrangebyscore(key, "-inf", now)
                    pipe.hdel(f"{key}:path", *expired)
                    await pipe.execute()
            visitors = await self._redis.zrange(key, 0, -1)
            if visitors:
                for path in await self._redis.hmget(f"{key}:path", visitors):
                    if path is not None:
                        totals[(site, path)] += 1
        return totals


class RedisOutage:
    """Remembers whether Redis is reachable, logging once when it goes and once when it returns.

    Shared by the pieces that fall back to this process while Redis is away, so /healthz can say
    "degraded" and every piece tries Redis again on its next call (recovery needs no restart)."""

    def __init__(self) -> None:
        self.since: float | None = None

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: Exception) -> None:
        if self.since is None:
            self.since = time.monotonic()
            log.warning("Redis is unreachable (%s); carrying on within this process", type(exc).__name__)

    def succeeded(self) -> None:
        if self.since is not None:
            log.warning("Redis is reachable again after %.0f s", time.monotonic() - self.since)
            self.since = None


REDIS_ERRORS: tuple[type[Exception], ...] = (OSError, asyncio.TimeoutError)


def redis_errors() -> tuple[type[Exception], ...]:
    """What a call to an unreachable or failing Redis raises."""
    import redis.exceptions

    return (redis.exceptions.RedisError, *REDIS_ERRORS)


class FallbackBus:
    """Redis pub/sub while Redis answers; this process's own subscribers while it does not.

    Each subscription listens to both: messages published here during an outage still reach this
    process's pages, and the Redis side reconnects by itself when Redis returns."""

    RETRY_SECONDS = 1.0

    def __init__(self, redis_bus: RedisBus, outage: RedisOutage) -> None:
        self.redis = redis_bus
        self.local = MemoryBus()
        self.outage = outage

    async def publish(self, topic: str, message: str = "") -> None:
        try:
            await self.redis.publish(topic, message)
        except redis_errors() as exc:
            self.outage.failed(exc)
            await self.local.publish(topic, message)
        else:
            self.outage.succeeded()

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[str]]:
        queue: asyncio.Queue[str] = asyncio.Queue(100)

        def put(message: str) -> None:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

        async def from_redis() -> None:
            while True:
                try:
                    async with self.redis.subscribe(topic) as messages:
                        async for message in messages:
                            put(message)
                except redis_errors() as exc:
                    self.outage.failed(exc)
                    await asyncio.sleep(self.RETRY_SECONDS)

        async def from_local() -> None:
            async with self.local.subscribe(topic) as messages:
                async for message in messages:
                    put(message)

        tasks = [asyncio.create_task(from_redis()), asyncio.create_task(from_local())]

        async def messages() -> AsyncIterator[str]:
            while True:
                yield await queue.get()

        try:
            await asyncio.sleep(0)  # let both listeners subscribe before the caller goes on
            yield messages()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


class FallbackPresence:
    """Shared presence in Redis; this process's own visitors while Redis is unreachable."""

    def __init__(self, redis_presence: RedisPresence, outage: RedisOutage) -> None:
        self.redis = redis_presence
        self.local = MemoryPresence(redis_presence.window)
        self.outage = outage

    async def _either(self, method: str, **arguments):
        try:
            result = await getattr(self.redis, method)(**arguments)
        except redis_errors() as exc:
            self.outage.failed(exc)
            return await getattr(self.local, method)(**arguments)
        self.outage.succeeded()
        return result

    async def seen(self, *, site: str, path: str, visitor: str, now: float) -> bool:
        await self.local.seen(site=site, path=path, visitor=visitor, now=now)  # ready for an outage
        return await self._either("seen", site=site, path=path, visitor=visitor, now=now)

    async def left(self, *, site: str, path: str, visitor: str) -> bool:
        await self.local.left(site=site, path=path, visitor=visitor)
        return await self._either("left", site=site, path=path, visitor=visitor)

    async def counts(self, *, now: float) -> Counter[tuple[str, str]]:
        return await self._either("counts", now=now)


def create_bus(redis_url: str | None, outage: RedisOutage | None = None) -> Bus:
    return FallbackBus(RedisBus(redis_url), outage or RedisOutage()) if redis_url else MemoryBus()


def create_presence(redis_url: str | None, outage: RedisOutage | None = None) -> Presence:
    return FallbackPresence(RedisPresence(redis_url), outage or RedisOutage()) if redis_url else MemoryPresence()
