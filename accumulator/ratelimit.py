"""Counting attempts per key (usually a client IP) in a sliding time window.

In-process for now; with several processes the same interface is backed by Redis.
"""

from __future__ import annotations

import threading
from collections import deque


class SlidingWindowLimiter:
    """Allows `limit` hits per `window` seconds per key. Callers pass `now` (monotonic seconds)."""

    def __init__(self, *, limit: int, window: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self.max_keys:
                self._forget_idle(now)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _forget_idle(self, now: float) -> None:
        # Bounded memory under a flood of distinct keys: drop keys with nothing in the window.
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]

    def retry_after(self, key: str, now: float) -> float:
        """0 if one more hit is allowed now, else the seconds until it is."""
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) < self.limit:
                return 0.0
            return hits[0] + self.window - now

    def hit(self, key: str, now: float) -> None:
        with self._lock:
            self._recent(key, now).append(now)

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)
