"""The ground floor every feature stands on: settings, the database engine, the bus and presence,
the limiters, the file stores, the one transaction helper and the declared live-update topics.

Features import this module; it imports no feature. Each process builds one `Services` (tests build
their own and hand it to the HTTP app); feature-specific long-lived pieces (the analytics writer,
the Spotify client) hang off it as named components that the feature builds on first use.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from accumulator.db import get_engine, session_scope
from accumulator.ratelimit import Limiter, LocalLimiter, create_limiter
from accumulator.realtime import (
    Bus,
    MemoryBus,
    MemoryPresence,
    Presence,
    RedisOutage,
    create_bus,
    create_presence,
)
from accumulator.settings import Settings, get_settings
from accumulator.storage import FileStore

if TYPE_CHECKING:
    from accumulator.page_counts import PageCount

log = logging.getLogger(__name__)

T = TypeVar("T")
M = TypeVar("M")

LOGIN_FAILURES = 5  # the 6th failed login from one address within a minute is refused
EVENTS_PER_SECOND = 30  # more analytics events than this from one address in a second is no reader


class StreamSlots:
    """Caps the long-lived streams (Server-Sent Events) open in this process: a few per address,
    and a total, so one client cannot hold every connection the server has."""

    def __init__(self, *, per_address: int = 8, total: int = 2000) -> None:
        self.per_address, self.total = per_address, total
        self._open: dict[str, int] = {}
        self._count = 0

    def acquire(self, address: str) -> bool:
        if self._open.get(address, 0) >= self.per_address or self._count >= self.total:
            return False
        self._open[address] = self._open.get(address, 0) + 1
        self._count += 1
        return True

    def release(self, address: str) -> None:
        if address not in self._open:
            return
        self._count -= 1
        left = self._open[address] - 1
        if left > 0:
            self._open[address] = left
        else:
            self._open.pop(address, None)


@dataclass
class Services:
    """What every entry point shares in one process, built once (tests build their own)."""

    settings: Settings
    engine: Engine
    login_failures: Limiter = field(default_factory=lambda: LocalLimiter(limit=LOGIN_FAILURES, window=60.0))
    bus: Bus = field(default_factory=MemoryBus)
    presence: Presence = field(default_factory=MemoryPresence)
    event_rate: Limiter = field(default_factory=lambda: LocalLimiter(limit=EVENTS_PER_SECOND, window=1.0))
    redis_outage: RedisOutage = field(default_factory=RedisOutage)
    # Messages that stay in this process (e.g. "the dashboard numbers were recomputed here").
    local_bus: Bus = field(default_factory=MemoryBus)
    streams: StreamSlots = field(default_factory=StreamSlots)
    # The numbers per page other features add to the dashboard's pages table (set by the app assembly).
    page_counts: tuple[PageCount, ...] = ()
    file_store: FileStore = field(init=False)  # paste attachments
    photo_store: FileStore = field(init=False)  # plant photos
    _components: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # One folder each: cleaning one kind's orphans must never see the other's files.
        self.file_store = FileStore(self.settings.uploads / "pastes")
        self.photo_store = FileStore(self.settings.uploads / "photos")

    def component(self, name: str, build: Callable[[], T]) -> T:
        """A feature's long-lived piece of this process (built on first use, then the same one)."""
        if name not in self._components:
            self._components[name] = build()
        return self._components[name]

    def built_component(self, name: str) -> Any | None:
        """The piece if it was built, else None (for shutting down only what started)."""
        return self._components.get(name)


def build_services(settings: Settings, engine: Engine) -> Services:
    """The shared pieces, Redis-backed when REDIS_URL is set (one outage tracker for all of them)."""
    outage = RedisOutage()
    return Services(
        settings=settings,
        engine=engine,
        bus=create_bus(settings.redis_url, outage),
        presence=create_presence(settings.redis_url, outage),
        redis_outage=outage,
        login_failures=create_limiter(
            settings.redis_url, name="login", limit=LOGIN_FAILURES, window=60.0, outage=outage
        ),
        event_rate=create_limiter(
            settings.redis_url, name="events", limit=EVENTS_PER_SECOND, window=1.0, outage=outage
        ),
    )


@lru_cache(maxsize=1)
def get_services() -> Services:
    """This process's services (HTTP routes get the same object from the request)."""
    return build_services(get_settings(), get_engine())


# The one transaction helper


async def in_transaction(svc: Services, work: Callable[..., T], /, **arguments: Any) -> T:
    """`work(session=…, **arguments)` in one transaction (committed when it returns, rolled back when
    it raises), on a worker thread: database drivers block, and the event loop serves every tab."""

    def run() -> T:
        with session_scope(svc.engine) as session:
            return work(session=session, **arguments)

    return await run_in_threadpool(run)


def off_loop(work: Callable[..., T], /, **arguments: Any):
    """Run CPU work that grows with its input (rendering, parsing, image work) on a worker thread."""
    return run_in_threadpool(work, **arguments)


# Declared topics with typed messages


@dataclass(frozen=True)
class Topic(Generic[M]):
    """A named stream of one kind of message (a frozen dataclass of plain values). `shared` topics go
    through the bus to every process; the others stay in this one."""

    name: str
    message: type[M]
    shared: bool = True
    # Seconds over which one message's pushes to the open tabs following it are spread (0: one after
    # another at once): tabs costly to draw, often on the server's own machine, then do not all draw
    # at the same moment.
    spread: float = 0.0

    def encode(self, message: M) -> str:
        if not isinstance(message, self.message):
            raise TypeError(f"{self.name} carries {self.message.__name__}, not {type(message).__name__}")
        return json.dumps(asdict(message), separators=(",", ":"))

    def decode(self, raw: str) -> M | None:
        """The message, or None (logged) for anything that is not one: the bus is not trusted."""
        try:
            data = json.loads(raw) if raw else {}
            names = {item.name for item in fields(self.message)}
            if not isinstance(data, dict) or set(data) - names:
                raise ValueError("unexpected fields")
            return self.message(**data)
        except (TypeError, ValueError) as exc:
            log.warning("dropped a malformed message on %s: %s", self.name, exc)
            return None

    def bus(self, svc: Services) -> Bus:
        return svc.bus if self.shared else svc.local_bus


async def publish(svc: Services, topic: Topic[M], message: M) -> None:
    """Announce a change to every open view that follows `topic` (other tabs, devices, public pages)."""
    await topic.bus(svc).publish(topic.name, topic.encode(message))


@contextlib.asynccontextmanager
async def subscribe(svc: Services, topic: Topic[M]) -> AsyncIterator[AsyncIterator[M]]:
    """The decoded messages of `topic`, from the moment of subscribing."""
    async with topic.bus(svc).subscribe(topic.name) as raw_messages:

        async def messages() -> AsyncIterator[M]:
            async for raw in raw_messages:
                message = topic.decode(raw)
                if message is not None:
                    yield message

        yield messages()


__all__ = [
    "EVENTS_PER_SECOND",
    "LOGIN_FAILURES",
    "Services",
    "Topic",
    "build_services",
    "get_services",
    "in_transaction",
    "off_loop",
    "publish",
    "subscribe",
]
