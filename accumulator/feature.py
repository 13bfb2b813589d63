"""What a feature hands the app: one manifest (`<feature>/manifest.py`) of its routes, jobs, topics,
pages, navigation entry and background work; its tables are in `<feature>/models.py`.

The app assembly (`accumulator/api.py` for HTTP, `accumulator/accumulator.py` for Reflex) iterates
the manifests of the features named below (`accumulator/features.py` loads them), and
`accumulator/models.py` their tables: adding a feature touches its folder and this one list.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from starlette.routing import BaseRoute

from accumulator.jobs import JobSpec
from accumulator.page_counts import PageCount
from accumulator.runtime import Services, Topic

# Every feature, in the order their routes are matched (the busiest first).
FEATURE_NAMES = (
    "analytics", "auth", "notes", "pastes", "spotify", "plants", "comments", "contact", "importer", "backup",
    "tokens", "apiv1", "notify",
)  # fmt: skip


@dataclass(frozen=True)
class NavEntry:
    label: str
    href: str
    icon: str  # a lucide icon name
    order: int  # position in the navigation, smallest first
    # A number shown beside the entry to the owner (e.g. unread messages); 0 shows nothing.
    count: Callable[[Services], Awaitable[int]] | None = None


@contextlib.asynccontextmanager
async def nothing_running(_svc: Services) -> AsyncIterator[None]:
    yield


@dataclass(frozen=True)
class Feature:
    name: str
    routes: Sequence[BaseRoute] = ()
    # Periodic work (each process schedules it; only the job leader runs it).
    jobs: Callable[[Services], list[JobSpec]] = field(default=lambda _svc: [])
    # What the feature announces; open tabs and public pages follow these.
    topics: tuple[Topic, ...] = ()
    # The module whose `@page` declarations make the feature's pages (imported by the Reflex app only).
    pages: str | None = None
    nav: NavEntry | None = None
    # Work that lives as long as the process (e.g. the analytics writer), started and stopped with it.
    background: Callable[[Services], contextlib.AbstractAsyncContextManager[None]] = nothing_running
    # A few plain values `/healthz` shows under the feature's name (anyone may read them: no paths,
    # no error texts). They never change the health check's status.
    health: Callable[[Services], Awaitable[dict[str, object]]] | None = None
    # Numbers per page this feature adds to the dashboard's pages table (see page_counts.py).
    page_counts: tuple[PageCount, ...] = ()
