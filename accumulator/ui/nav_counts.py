"""The numbers beside navigation entries (unread messages, comments waiting), shown to the owner
only. Each feature's `NavEntry.count` reads its number; this state asks them on every page load."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from accumulator.runtime import Services, get_services
from accumulator.ui.access import public
from accumulator.ui.owner import OwnerState

COUNTERS: dict[str, Callable[[Services], Awaitable[int]]] = {}  # href → its counter


class NavCountsState(OwnerState):
    counts: dict[str, str] = {}  # href → the badge text ("" for none)

    @public
    async def load_counts(self):
        """on_load of every page: the owner's counts, or none (checked like any owner read)."""
        if not COUNTERS or not await self._owner_check():
            self.counts = {}
            return
        svc = get_services()
        found = {}
        for href, counter in COUNTERS.items():
            number = await counter(svc)
            found[href] = str(number) if number > 0 else ""
        self.counts = found
