"""The ingestion pipeline: validate an event, drop bots, update presence, buffer what is counted,
and write the buffer in batches. Every step is a plain function or method; the HTTP route only
parses the request and maps the outcome to a status code."""

from __future__ import annotations

import asyncio
import logging
import math
import weakref
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from accumulator.analytics import countries, depth, refused, service, stream
from accumulator.analytics.incoming import IncomingEvent, referrer_host
from accumulator.analytics.journal import JournalFull
from accumulator.analytics.journal_process import JournalQueue
from accumulator.analytics.models import VALUE_MAX
from accumulator.analytics.page_table import REREAD_ALL_AFTER, page_key
from accumulator.analytics.topics import ANALYTICS_TOPIC, AnalyticsChanged
from accumulator.analytics.useragent import classify
from accumulator.db import session_scope, utcnow
from accumulator.realtime import Bus, Presence

log = logging.getLogger(__name__)

WRITE_ATTEMPTS = 3  # a batch the database refuses this often in a row is written in parts
GATHER_AT_MOST = 0.002  # seconds a batch may wait for page views still arriving (see `_gather`)
STORE_TIMEOUT = 10.0  # seconds a request waits for its event's commit before answering 503


class _CommitWaits:
    """The requests waiting for their event's commit, timed out together by the quarter second: one
    timer per quarter second, not one per request (asyncio keeps every timer in a heap, so a timer
    per page view made each one dearer the busier the loop was)."""

    TICK = 0.25  # seconds; a wait times out up to this much after its timeout

    def __init__(self) -> None:
        self._due: dict[int, list[weakref.ref[asyncio.Future]]] = {}

    async def wait(self, committed: asyncio.Future, timeout: float) -> None:
        """What `await asyncio.wait_for(asyncio.shield(committed), timeout)` does: TimeoutError
        after `timeout` seconds, and `committed` itself is never cancelled, whatever becomes of the
        waiting request."""
        if not committed.done():
            loop = committed.get_loop()
            waiter = loop.create_future()

            def wake(_: asyncio.Future) -> None:
                if not waiter.done():
                    waiter.set_result(None)

            committed.add_done_callback(wake)
            tick = math.ceil((loop.time() + timeout) / self.TICK)
            due = self._due.get(tick)
            if due is None:
                due = self._due[tick] = []
                loop.call_at(tick * self.TICK, self._expire, tick)
            due.append(weakref.ref(waiter))
            try:
                await waiter
            finally:
                committed.remove_done_callback(wake)
        committed.result()

    def _expire(self, tick: int) -> None:
        for ref in self._due.pop(tick, ()):
            waiter = ref()
            if waiter is not None and not waiter.done():
                waiter.set_exception(TimeoutError())


class Ingestor:
    """Accepts events, keeps presence, and writes counted events in batches.

    The writer wakes when an event arrives and writes everything buffered in one transaction, then
    publishes `update:analytics`. Under load, events that arrive while a batch is being written form
    the next batch, so batches grow with traffic and an idle page view still reaches the database
    within milliseconds. `store` returns only once its event's batch has committed (group commit):
    a 202 means stored. A batch that fails to
    write is kept and retried; `close()` writes whatever is left, so a graceful stop loses nothing.

    While the database cannot be reached, batches wait and are retried until it is back. A batch
    the database refuses `write_attempts` times in a row is written in parts: the good events are
    counted, and each one refused on its own is logged and set aside (appended to `set_aside`, a
    JSON Lines file, when given), so no event can keep the others from being counted.

    With a `journal` (the embedded setup's default), an event is not buffered but appended to the
    local journal at once, and its request is answered once the kernel has it; the writer process
    counts it and announces the change (journal_process.py). Should the journal refuse a write, the
    event is buffered and written here.

    With a `queue` (REDIS_URL set), a batch is not written here but appended to the Redis stream in
    one MULTI/EXEC, and its requests are answered once Redis has it: a 202 means queued durably, and
    whichever instance's `StreamWriter` reads it counts it. While Redis fails, batches fall back to
    the embedded path above (written here, the request waiting for the commit), with each event's
    stream key recorded in the same transaction, so an event that did reach Redis all the same is
    still counted once. So Redis going away never turns page views into 503s; the database being
    away does, on both paths (after `STORE_TIMEOUT`).
    """

    def __init__(
        self,
        *,
        engine: Engine,
        zone: ZoneInfo,
        presence: Presence,
        bus: Bus,
        flush_interval: float = 0.0,
        clock: Callable[[], datetime] = utcnow,
        retry_delay: float = 1.0,
        write_attempts: int = WRITE_ATTEMPTS,
        set_aside: Path | None = None,
        queue: stream.EventQueue | None = None,
        journal: JournalQueue | None = None,
    ) -> None:
        self.engine = engine
        self.queue = queue  # the Redis stream, or None: written here
        self.journal = journal  # without a queue: the local journal a writer process counts, or None
        self.zone = zone
        self.presence = presence
        self.bus = bus
        self.flush_interval = flush_interval
        self.clock = clock
        self.retry_delay = retry_delay
        self.write_attempts = write_attempts
        self.set_aside = set_aside  # a JSON Lines file for events the database refuses; None: log only
        self._refusals = 0  # failed writes in a row that were not outages
        self._pending: list[service.CountedEvent] = []
        # Each buffered event's commit, by the event object's identity: resolved once it is written
        # (or set aside), so that the request that brought it can answer 202.
        self._waiting: dict[int, tuple[service.CountedEvent, asyncio.Future]] = {}
        self._presence_changed = False
        self._salt: tuple[date, str] | None = None
        self._wake = asyncio.Event()
        self._flush_lock = asyncio.Lock()
        self._commit_waits = _CommitWaits()
        self.recorded = 0  # events written by this process since start
        self.queued = 0  # events appended to the stream (or the journal) by this process since start

    async def _salt_for(self, day: date) -> str:
        if self._salt is None or self._salt[0] != day:

            def load() -> str:
                with session_scope(self.engine) as session:
                    return service.salt_for_day(session=session, day=day)

            self._salt = (day, await run_in_threadpool(load))
        return self._salt[1]

    async def accept(self, event: IncomingEvent, *, ip: str, user_agent: str, page_origin: str | None) -> bool:
        """Take one valid event into the buffer. False when it is not counted because it comes from a bot."""
        return await self._admit(event, ip=ip, user_agent=user_agent, page_origin=page_origin) is not False

    async def store(
        self, event: IncomingEvent, *, ip: str, user_agent: str, page_origin: str | None, timeout: float = STORE_TIMEOUT
    ) -> bool:
        """Take one valid event and return once it is committed (group commit: it rides in the
        next batch the writer writes), or with a queue, once it is in the Redis stream (or, while
        Redis fails, committed here). False for a bot's; TimeoutError if neither Redis nor the
        database takes it in time (it stays buffered and is written when one of them is back)."""
        admitted = await self._admit(event, ip=ip, user_agent=user_agent, page_origin=page_origin)
        if admitted is False:
            return False
        if admitted is not None:
            await self._commit_waits.wait(admitted, timeout)
        return True

    async def _admit(
        self, event: IncomingEvent, *, ip: str, user_agent: str, page_origin: str | None
    ) -> asyncio.Future | Literal[False] | None:
        """False for a bot; else the future of the counted event's commit, or None for presence only."""
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
        committed: asyncio.Future | None = None
        counts = event.counted
        if counts:
            day = service.local_day(now, self.zone)
            salt = self._salt[1] if self._salt is not None and self._salt[0] == day else await self._salt_for(day)
            counted = service.CountedEvent(
                kind="engage" if event.type == "leave" else event.type,
                site=event.site,
                path=event.path,
                day=day,
                visitor_hash=service.visitor_hash(salt=salt, site=event.site, ip=ip, user_agent=user_agent),
                browser=agent.browser[:VALUE_MAX],
                os=agent.os[:VALUE_MAX],
                device=agent.device,
                referrer=referrer_host(event.referrer, page_origin),
                hour=service.utc_hour(now),
                **depth.counted_fields(event, salt=salt, country=countries.country(ip), now=now),
            )
            if self._journaled(counted):
                return None  # in the journal: nothing to wait for, and the writer announces it with the count
            committed = asyncio.get_running_loop().create_future()
            self._waiting[id(counted)] = (counted, committed)
            self._pending.append(counted)
        if changed or counts:
            self._presence_changed = self._presence_changed or changed
            self._wake.set()
        return committed

    def _journaled(self, event: service.CountedEvent) -> bool:
        """Put `event` straight into the journal, when there is one (and no Redis stream) and it
        takes the write; False otherwise (the event is buffered and written here)."""
        if self.journal is None or self.queue is not None:
            return False
        try:
            self.journal.append_now(event)
        except JournalFull:
            log.exception("the analytics journal refused an event; writing it here")
            return False
        self.queued += 1
        return True

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _write(self, batch: list[service.CountedEvent]) -> int:
        with session_scope(self.engine) as session:
            if self.queue is not None:  # these events may be in the stream too: count each key once
                return stream.apply(session=session, entries=self.queue.entries(batch), now=self.clock())
            return service.record_events(session=session, events=batch)

    def _write_apart(self, batch: list[service.CountedEvent]) -> refused.Apart[service.CountedEvent]:
        if self.queue is not None:
            return stream.record_apart(engine=self.engine, entries=self.queue.entries(batch), now=self.clock())
        return refused.record_apart(engine=self.engine, events=batch)

    async def _deliver(self, batch: list[service.CountedEvent]) -> tuple[int, Exception | None]:
        """Queue `batch` in the stream or the journal, or write it here when there is neither or it failed:
        (events written here, the error to report or None)."""
        if self.queue is not None and await self.queue.append(batch):
            self.queued += len(batch)
            return 0, None
        if self.journal is not None:
            try:
                await self.journal.append(batch)
            except JournalFull:
                log.exception("the analytics journal refused %d events; writing them here", len(batch))
            else:
                self.queued += len(batch)
                return 0, None
        return await self._write_batch(batch)

    async def _write_batch(self, batch: list[service.CountedEvent]) -> tuple[int, Exception | None]:
        """Write `batch`: (events written, the error to report or None). What is not written goes
        back to the front of the queue, in order, except events the database refused on their own
        after `write_attempts` refusals of their batch: those are set aside."""
        try:
            return await run_in_threadpool(self._write, batch), None
        except Exception as exc:
            outage = refused.database_unreachable(exc)
            self._refusals += 0 if outage else 1
            if outage or self._refusals < self.write_attempts:
                self._pending[:0] = batch
                return 0, exc
        result = await run_in_threadpool(self._write_apart, batch)
        self._pending[:0] = result.unwritten
        if result.refused:
            await run_in_threadpool(partial(refused.keep_aside, path=self.set_aside, refused=result.refused))
        return result.written, result.outage

    async def flush(self) -> int:
        """Write everything buffered now; publish the change. Returns the number of events written;
        raises when some could not be written yet (they are kept, in order, for the next attempt)."""
        async with self._flush_lock:
            batch, self._pending = self._pending, []
            changed, self._presence_changed = self._presence_changed, False
            queued = self.queued
            written, failure = await self._deliver(batch) if batch else (0, None)
            # Queued in the stream: the stream writer announces them once counted (the presence
            # change with them); announcing now would refresh dashboards before the counts move.
            changed = changed and self.queued == queued
            self._settle(batch)
            if failure is None:
                self._refusals = 0
            self.recorded += written
            if written or changed:
                # Which pages changed, so open dashboards re-read only those (all, if too many).
                pages = {page_key(event.site, event.path) for event in batch} if written else set()
                message = AnalyticsChanged(pages=tuple(pages) if len(pages) <= REREAD_ALL_AFTER else None)
                await self.bus.publish(ANALYTICS_TOPIC.name, ANALYTICS_TOPIC.encode(message))
            if failure is not None:
                raise failure
            return written

    def _settle(self, batch: list[service.CountedEvent]) -> None:
        """Resolve the commits of the events of `batch` that are not queued again."""
        queued = {id(event) for event in self._pending}
        for event in batch:
            waiting = None if id(event) in queued else self._waiting.pop(id(event), None)
            if waiting is not None and not waiting[1].done():
                waiting[1].set_result(True)
            if self.queue is not None and id(event) not in queued:
                self.queue.forget(event)

    async def run(self) -> None:
        """Flush while events arrive, until cancelled; then flush what is left."""
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                # Group commit: what arrives while a batch is written forms the next one, so batches
                # grow with the load without making an idle page view wait.
                await asyncio.sleep(self.flush_interval)
                await self._gather()
                try:
                    # Shielded: a stop during a write lets the write finish (close() then waits
                    # for it on the lock) instead of leaving it unknown whether it was committed.
                    await asyncio.shield(self.flush())
                except Exception:
                    log.exception(
                        "writing %d analytics events failed; retrying in %g s", self.pending, self.retry_delay
                    )
                    await asyncio.sleep(self.retry_delay)
                    self._wake.set()
        finally:
            await self.close()

    async def _gather(self) -> None:
        """Let the requests already on their way join the batch: yield to the loop while the buffer
        still grows, for at most GATHER_AT_MOST. A lone page view is written at once (nothing
        follows it); under load a batch costs its fixed half millisecond over more events."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GATHER_AT_MOST
        seen = -1
        while len(self._pending) != seen and loop.time() < deadline:
            seen = len(self._pending)
            await asyncio.sleep(0)

    async def close(self) -> None:
        for attempt in range(self.write_attempts):
            try:
                await self.flush()
                return
            except Exception:
                log.exception("final analytics flush failed (attempt %d)", attempt + 1)
                await asyncio.sleep(0.5)
        log.error("%d analytics events could not be written at shutdown", self.pending)
