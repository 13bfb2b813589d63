"""Counting attempts per key (usually a client IP) in a sliding time window.

`LocalLimiter` counts in this process; `RedisLimiter` counts across every process through Redis
(and in this process while Redis is unreachable). Both have the same async interface.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict, deque
from typing import Protocol

from accumulator.realtime import RedisOutage, redis_errors


class SlidingWindowLimiter:
    """Allows `limit` hits per `window` seconds per key. Callers pass `now` (monotonic seconds).

    Keys are kept in order of their last hit, so the ones with nothing left in the window are
    dropped from the front a few at a time: memory stays bounded by the traffic of one window, and
    no call ever has to scan every key (a flood of new addresses costs each request the same)."""

    def __init__(self, *, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _forget_idle(self, now: float) -> None:
        horizon = now - self.window
        for _ in range(4):  # a bounded step per call keeps every call cheap
            if not self._hits:
                return
            key, hits = next(iter(self._hits.items()))
            if hits and hits[-1] > horizon:
                return
            del self._hits[key]

    def _recent(self, key: str, now: float) -> deque[float]:
        self._forget_idle(now)
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _wait(self, hits: deque[float], now: float) -> float:
        return 0.0 if len(hits) < self.limit else hits[0] + self.window - now

    def retry_after(self, key: str, now: float) -> float:
        """0 if one more hit is allowed now, else the seconds until it is."""
        with self._lock:
            return self._wait(self._recent(key, now), now)

    def hit(self, key: str, now: float) -> None:
        with self._lock:
            self._hit(key, self._recent(key, now), now)

    def take(self, key: str, now: float) -> float:
        """`retry_after`, and the hit when it is 0, in one look at the key's hits."""
        with self._lock:
            hits = self._recent(key, now)
            wait = self._wait(hits, now)
            if not wait:
                self._hit(key, hits, now)
            return wait

    def _hit(self, key: str, hits: deque[float], now: float) -> None:
        hits.append(now)
        self._hits[key] = hits
        self._hits.move_to_end(key)

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def __len__(self) -> int:
        return len(self._hits)


class Limiter(Protocol):
    async def retry_after(self, key: str) -> float:
        """0 if one more hit is allowed now, else the seconds until it is."""

    async def hit(self, key: str) -> None: ...

    async def take(self, key: str) -> float:
        """Record a hit if one is allowed (returning 0), else return the seconds to wait."""

    async def reset(self, key: str) -> None: ...


class LocalLimiter:
    """This process's count, on the monotonic clock."""

    def __init__(self, *, limit: int, window: float) -> None:
        self.counts = SlidingWindowLimiter(limit=limit, window=window)

    async def retry_after(self, key: str) -> float:
        return self.counts.retry_after(key, time.monotonic())

    async def hit(self, key: str) -> None:
        self.counts.hit(key, time.monotonic())

    async def take(self, key: str) -> float:
        return self.counts.take(key, time.monotonic())

    async def reset(self, key: str) -> None:
        self.counts.reset(key)


# One sorted set per key, scored by Redis's own clock so every machine counts the same window.
_TAKE = """
local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local window, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + window - now)
end
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[4]); redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
end
return '0'
"""
_HIT = """
local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
redis.call('ZADD', KEYS[1], now, ARGV[2]); redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1]) * 1000))
return 1
"""


class RedisLimiter:
    """The same window shared by every process; this process's own count while Redis is away."""

    def __init__(self, url: str, *, name: str, limit: int, window: float, outage: RedisOutage) -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(url, decode_responses=True, socket_connect_timeout=1, socket_timeout=2)
        self.name, self.limit, self.window, self.outage = name, limit, window, outage
        self.local = LocalLimiter(limit=limit, window=window)

    def _key(self, key: str) -> str:
        return f"ratelimit:{self.name}:{key}"

    async def _script(self, script: str, key: str, *args: object) -> str | None:
        try:
            result = await self._redis.eval(script, 1, self._key(key), *args)
        except redis_errors() as exc:
            self.outage.failed(exc)
            return None
        self.outage.succeeded()
        return result

    async def retry_after(self, key: str) -> float:
        result = await self._script(_TAKE, key, self.window, self.limit, "0", "")
        return await self.local.retry_after(key) if result is None else max(0.0, float(result))

    async def hit(self, key: str) -> None:
        await self.local.hit(key)
        await self._script(_HIT, key, self.window, uuid.uuid4().hex)

    async def take(self, key: str) -> float:
        result = await self._script(_TAKE, key, self.window, self.limit, "1", uuid.uuid4().hex)
        return await self.local.take(key) if result is None else max(0.0, float(result))

    async def reset(self, key: str) -> None:
        await self.local.reset(key)
        try:
            await self._redis.delete(self._key(key))
        except redis_errors() as exc:
            self.outage.failed(exc)


def create_limiter(
    redis_url: str | None, *, name: str, limit: int, window: float, outage: RedisOutage | None = None
) -> Limiter:
    if redis_url:
        return RedisLimiter(redis_url, name=name, limit=limit, window=window, outage=outage or RedisOutage())
    return LocalLimiter(limit=limit, window=window)
