"""Counting attempts per key (usually a client IP) in a sliding time window.

In-process for now; with several processes the same interface is backed by Redis.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque


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

    def retry_after(self, key: str, now: float) -> float:
        """0 if one more hit is allowed now, else the seconds until it is."""
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) < self.limit:
                return 0.0
            return hits[0] + self.window - now

    def hit(self, key: str, now: float) -> None:
        with self._lock:
            hits = self._recent(key, now)
            hits.append(now)
            self._hits[key] = hits
            self._hits.move_to_end(key)

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def __len__(self) -> int:
        return len(self._hits)
