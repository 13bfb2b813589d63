"""The ingestion pipeline: validate an event, drop bots, update presence, buffer what is counted,
and write the buffer in batches. Every step is a plain function or method; the HTTP route only
parses the request and maps the outcome to a status code."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from accumulator.analytics import service
from accumulator.analytics.models import PATH_MAX, SITE_MAX, VALUE_MAX
from accumulator.analytics.topics import ANALYTICS_TOPIC, AnalyticsChanged
from accumulator.analytics.useragent import classify
from accumulator.db import session_scope, utcnow
from accumulator.realtime import Bus, Presence

log = logging.getLogger(__name__)

EVENT_BODY_MAX = 4 * 1024
EVENT_TYPES = frozenset({"pageview", "heartbeat", "leave", "like"})
COUNTED_TYPES = frozenset({"pageview", "like"})
_SITE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
_VISITOR = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class BadEvent(ValueError):
    """The event cannot be accepted; the message says why and is safe to return."""


@dataclass(frozen=True)
class IncomingEvent:
    type: str
    site: str
    path: str
    visitor: str
    referrer: str = ""


def _text(data: dict, name: str, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise BadEvent(f"'{name}' must be a non-empty string.")
    return value


def parse_event(body: bytes) -> IncomingEvent:
    """Decode and check one event body. Raises BadEvent with a one-line reason."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BadEvent("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadEvent("The body must be a JSON object.")
    kind = _text(data, "type")
    if kind not in EVENT_TYPES:
        raise BadEvent(f"Unknown event type; expected one of {', '.join(sorted(EVENT_TYPES))}.")
    site, path, visitor = _text(data, "site"), _text(data, "path"), _text(data, "visitor")
    referrer = _text(data, "referrer", required=False)
    if len(site) > SITE_MAX or not _SITE.match(site):
        raise BadEvent(f"'site' must be up to {SITE_MAX} letters, digits or . _ : -")
    if len(path) > PATH_MAX:
        raise BadEvent(f"'path' is longer than {PATH_MAX} characters.")
    if not path.startswith("/"):
        raise BadEvent("'path' must start with /.")
    if not _VISITOR.match(visitor):
        raise BadEvent("'visitor' must be 8 to 64 letters, digits, - or _.")
    return IncomingEvent(type=kind, site=site, path=path, visitor=visitor, referrer=referrer[:2048])


def referrer_host(referrer: str, page_origin: str | None) -> str:
    """The host a visitor came from, or '(direct)' for none, an unreadable one, or the site itself."""
    try:
        host = (urlsplit(referrer).hostname or "").lower()
    except ValueError:
        host = ""
    if host.startswith("www."):
        host = host[4:]
    if not host:
        return service.DIRECT
    if page_origin:
        own = (urlsplit(page_origin).hostname or "").lower().removeprefix("www.")
        if host == own:
            return service.DIRECT
    return host[:VALUE_MAX]


class Ingestor:
    """Accepts events, keeps presence, and writes counted events in batches.

    The writer wakes when an event arrives, waits `flush_interval` (20 ms) and writes
    everything buffered in one transaction, then publishes `update:analytics`. Under load, events
    that arrive while a batch is being written form the next batch, so batches grow with traffic
    and an idle page view still reaches the database within milliseconds. A batch that fails to
    write is kept and retried; `close()` writes whatever is left, so a graceful stop loses nothing.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        zone: ZoneInfo,
        presence: Presence,
        bus: Bus,
        flush_interval: float = 0.02,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.zone = zone
        self.presence = presence
        self.bus = bus
        self.flush_interval = flush_interval
        self.clock = clock
        self._pending: list[service.CountedEvent] = []
        self._presence_changed = False
        self._salt: tuple[date, str] | None = None
        self._wake = asyncio.Event()
        self._flush_lock = asyncio.Lock()
        self.recorded = 0  # events written by this process since start

    async def _salt_for(self, day: date) -> str:
        if self._salt is None or self._salt[0] != day:

            def load() -> str:
                with session_scope(self.engine) as session:
                    return service.salt_for_day(session=session, day=day)

            self._salt = (day, await run_in_threadpool(load))
        return self._salt[1]

    async def accept(self, event: IncomingEvent, *, ip: str, user_agent: str, page_origin: str | None) -> bool:
        """Take one valid event. False when it is not counted because it comes from a bot."""
        agent = classify(user_agent)
        if agent.is_bot:
            return False
        now = self.clock()
        stamp = now.timestamp()
        if event.type in ("pageview", "heartbeat"):
            changed = await self.presence.seen(site=event.site, path=event.path, visitor=event.visitor, now=stamp)
        elif event.type == "leave":
            changed = await self.presence.left(site=event.site, path=event.path, visitor=event.visitor)
        else:
            changed = False
        if event.type in COUNTED_TYPES:
            day = service.local_day(now, self.zone)
            salt = await self._salt_for(day)
            self._pending.append(
                service.CountedEvent(
                    kind=event.type,
                    site=event.site,
                    path=event.path,
                    day=day,
                    visitor_hash=service.visitor_hash(salt=salt, site=event.site, ip=ip, user_agent=user_agent),
                    browser=agent.browser[:VALUE_MAX],
                    os=agent.os[:VALUE_MAX],
                    device=agent.device,
                    referrer=referrer_host(event.referrer, page_origin),
                )
            )
        if changed or event.type in COUNTED_TYPES:
            self._presence_changed = self._presence_changed or changed
            self._wake.set()
        return True

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _write(self, batch: list[service.CountedEvent]) -> int:
        with session_scope(self.engine) as session:
            return service.record_events(session=session, events=batch)

    async def flush(self) -> int:
        """Write everything buffered now; publish the change. Returns the number of events written."""
        async with self._flush_lock:
            batch, self._pending = self._pending, []
            changed, self._presence_changed = self._presence_changed, False
            written = 0
            if batch:
                try:
                    written = await run_in_threadpool(self._write, batch)
                except Exception:
                    self._pending[:0] = batch  # keep them, in order, for the next attempt
                    raise
                self.recorded += written
            if written or changed:
                await self.bus.publish(ANALYTICS_TOPIC.name, ANALYTICS_TOPIC.encode(AnalyticsChanged()))
            return written

    async def run(self) -> None:
        """Flush while events arrive, until cancelled; then flush what is left."""
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                await asyncio.sleep(self.flush_interval)  # let a burst gather into one batch
                try:
                    # Shielded: a stop during a write lets the write finish (close() then waits
                    # for it on the lock) instead of leaving it unknown whether it was committed.
                    await asyncio.shield(self.flush())
                except Exception:
                    log.exception("writing %d analytics events failed; retrying in 1 s", self.pending)
                    await asyncio.sleep(1.0)
                    self._wake.set()
        finally:
            await self.close()

    async def close(self) -> None:
        for attempt in range(3):
            try:
                await self.flush()
                return
            except Exception:
                log.exception("final analytics flush failed (attempt %d)", attempt + 1)
                await asyncio.sleep(0.5)
        log.error("%d analytics events could not be written at shutdown", self.pending)
