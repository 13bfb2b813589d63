"""A slower beat for the parts of a dashboard that need not move with every refresh."""

from __future__ import annotations

import time
from collections.abc import Callable


class Cadence:
    """An epoch that moves on a change at most every `every` seconds. A change within the interval
    leaves it stale; `due` says when the interval is over, so that the last change of a burst is
    shown too."""

    def __init__(self, every: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.clock = clock
        self.epoch = 0
        self._at = float("-inf")
        self._stale = False

    def changed(self) -> None:
        if self.clock() - self._at >= self.every:
            self.renew()
        else:
            self._stale = True

    def renew(self) -> None:
        self.epoch += 1
        self._at = self.clock()
        self._stale = False

    def due(self) -> bool:
        return self._stale and self.clock() - self._at >= self.every
