"""With REDIS_URL: accepted page views and likes go through a Redis stream, so that a 202 means the
event is in a durable queue, and every instance writes what any instance queued.

- `EventQueue` is the producer end: the ingestor's writer XADDs a whole batch in one MULTI/EXEC
  and only then answers the batch's requests. Each event carries a key of its own (not Redis's entry
  id), which it keeps if it is queued again or written straight to the database instead.
- `StreamWriter` is the consumer end, one per process, in the consumer group `writers`: it reads a
  batch, counts it with `record_events` in one transaction that also records the batch's keys in
  `analytics_stream_entry` (entries whose key is there already are dropped inside that transaction),
  then XACKs and XDELs the entries. A crash after the commit and before the XACK leaves entries that
  are claimed again and found counted. Entries another consumer read and left unacknowledged for
  `claim_idle` seconds (it died) are claimed with XAUTOCLAIM. An entry that cannot be decoded, or
  that the database refuses on its own, is set aside and acknowledged: it never holds the rest back.
"""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import time
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, get_args, get_type_hints

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete

from accumulator.analytics import refused, service
from accumulator.analytics.models import StreamEntryApplied
from accumulator.realtime import RedisOutage, redis_errors

log = logging.getLogger(__name__)

STREAM = "accumulator:analytics:events"
GROUP = "writers"
FORMAT = "1"  # the version of an entry's encoding, in its field "v"
KEEP_APPLIED = timedelta(days=1)  # how long the keys of counted events are remembered


def connect(url: str, *, read_timeout: float):
    """A Redis client that fails fast when Redis is away (no retries: the callers decide)."""
    import redis.asyncio as aioredis

    return aioredis.from_url(url, socket_connect_timeout=1, socket_timeout=read_timeout)


# The encoding: {"v": FORMAT, "k": key, "e": JSON of the event's dataclass fields}


class BadEntry(ValueError):
    """A stream entry that is not an event this version can count; the message says why."""


_FIELD_TYPES = get_type_hints(service.CountedEvent)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value  # date and datetime


def encode(key: str, event: service.CountedEvent) -> dict[str, str]:
    """The stream fields of one event. Every dataclass field travels, so a field added to
    CountedEvent needs nothing here; JSON's escapes keep any text, even what UTF-8 cannot."""
    values = {item.name: _plain(getattr(event, item.name)) for item in fields(event)}
    return {"v": FORMAT, "k": key, "e": json.dumps(values, separators=(",", ":"))}


def _typed(name: str, raw: Any) -> Any:
    """`raw` as the field's type: dates and datetimes from ISO text, the rest as JSON gave them."""
    declared = _FIELD_TYPES[name]
    kinds = [arg for arg in get_args(declared) if arg is not type(None)] or [declared]
    if raw is None and len(kinds) < len(get_args(declared)):
        return None  # an optional field
    if datetime in kinds and isinstance(raw, str):
        return datetime.fromisoformat(raw)
    if date in kinds and isinstance(raw, str):
        return date.fromisoformat(raw)
    if any(isinstance(kind, type) and isinstance(raw, kind) for kind in kinds):
        return raw
    raise BadEntry(f"field {name!r} has the wrong type")


def decode(entry: dict[bytes, bytes]) -> tuple[str, service.CountedEvent]:
    """(key, event) from an entry's fields; BadEntry when it is not one. Fields this version does
    not know (a newer instance's, during a rolling update) are left out."""
    try:
        version, key, body = (entry.get(name, b"").decode() for name in (b"v", b"k", b"e"))
        if version != FORMAT:
            raise BadEntry(f"unknown format {version!r}")
        data = json.loads(body)
        if not isinstance(data, dict) or not key:
            raise BadEntry("no key or no event")
        return key, service.CountedEvent(**{name: _typed(name, data[name]) for name in data if name in _FIELD_TYPES})
    except (UnicodeDecodeError, ValueError, TypeError) as exc:  # BadEntry is a ValueError
        raise BadEntry(str(exc)[:200]) from None


# The producer end


@dataclass(eq=False)
class Entry:
    key: str
    event: service.CountedEvent
    entry_id: bytes = b""  # Redis's id, once read from the stream


class EventQueue:
    """Appends events to the stream. An event keeps its key (by object identity) until `forget`, so
    an event queued twice, or queued and also written directly, is still counted once. Callers
    forget each event once it is settled (the ingestor does, as it answers its request)."""

    RETRY_SECONDS = 5.0  # after a failure, how long batches go straight to the database (no stall per batch)

    def __init__(self, redis: Any, *, outage: RedisOutage, stream: str = STREAM) -> None:
        self.redis, self.outage, self.stream = redis, outage, stream
        self._prefix = secrets.token_hex(6)  # this process's; keys are prefix-counter
        self._counter = itertools.count()
        self._keys: dict[int, tuple[service.CountedEvent, str]] = {}
        self._retry_at = 0.0

    def key(self, event: service.CountedEvent) -> str:
        """The event's key, made on first use. The map holds the event itself, so its id() cannot
        be another event's while it is mapped."""
        held = self._keys.get(id(event))
        if held is None or held[0] is not event:
            held = self._keys[id(event)] = (event, f"{self._prefix}-{next(self._counter):x}")
        return held[1]

    def entries(self, events: list[service.CountedEvent]) -> list[Entry]:
        return [Entry(self.key(event), event) for event in events]

    def forget(self, event: service.CountedEvent) -> None:
        """The event is settled (queued, written or set aside): its key is no longer needed."""
        self._keys.pop(id(event), None)

    async def append(self, events: list[service.CountedEvent]) -> bool:
        """Queue `events` (all or none): True once Redis has them. False when Redis failed, now or
        within the last RETRY_SECONDS (the caller then writes them to the database itself)."""
        now = time.monotonic()
        if now < self._retry_at:
            return False
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                for entry in self.entries(events):
                    pipe.xadd(self.stream, encode(entry.key, entry.event))  # no MAXLEN: nothing is trimmed unread
                await pipe.execute()
        except redis_errors() as exc:
            self.outage.failed(exc)
            self._retry_at = now + self.RETRY_SECONDS
            return False
        self.outage.succeeded()
        return True


# The database end: count what was not counted yet, in one transaction with the keys


def _insert(dialect: str):
    table = StreamEntryApplied.__table__
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return statement.on_conflict_do_nothing(index_elements=["entry_key"]).returning(table.c.entry_key)


def apply(*, session: Session, entries: list[Entry], now: datetime) -> int:
    """Count the events of `entries` whose keys are not recorded yet, and record their keys, in the
    session's transaction; returns how many were counted. Two writers applying the same key at once:
    the second waits for the first's commit and finds it taken, so each key is counted once."""
    first = {entry.key: entry for entry in reversed(entries)}  # the earliest entry of each key
    rows = [{"entry_key": key, "applied_at": now} for key in sorted(first)]  # one lock order for all
    if not rows:
        return 0
    connection = session.connection()
    new = set(connection.execute(_insert(connection.dialect.name), rows).scalars())
    fresh = [entry.event for entry in entries if entry.key in new and first[entry.key] is entry]
    return service.record_events(session=session, events=fresh)


def apply_apart(*, engine: Engine, entries: list[Entry], now: datetime) -> refused.Apart[Entry]:
    """`apply` in parts (`refused.write_apart`), when a batch of entries is refused."""
    return refused.write_apart(
        engine=engine, items=entries, write=lambda session, part: apply(session=session, entries=part, now=now)
    )


def record_apart(*, engine: Engine, entries: list[Entry], now: datetime) -> refused.Apart[service.CountedEvent]:
    """`apply_apart` in the embedded writer's terms (events instead of entries), for the ingestor's
    own writes while Redis is away: the same events may be in the stream too, so their keys count."""
    result = apply_apart(engine=engine, entries=entries, now=now)
    return refused.Apart(
        written=result.written,
        refused=[(entry.event, why) for entry, why in result.refused],
        unwritten=[entry.event for entry in result.unwritten],
        outage=result.outage,
    )


def purge_applied(*, session: Session, now: datetime, keep: timedelta = KEEP_APPLIED) -> int:
    """Forget the keys of events counted more than `keep` ago (entries are claimed within seconds,
    so none comes back that late); returns how many were removed."""
    statement = delete(StreamEntryApplied).where(col(StreamEntryApplied.applied_at) < now - keep)
    return session.exec(statement).rowcount  # type: ignore[union-attr]


def keep_undecodable(path: Path | None, items: list[dict]) -> None:
    """Log stream entries that are not events and append them to `path` (beside the events the
    database refused), one JSON line each."""
    now = datetime.now(UTC).isoformat()
    lines = [json.dumps({"set_aside_at": now, **item}) for item in items]
    for line in lines:
        log.error("analytics stream entry set aside, it is not an event: %s", line)
    refused.append_lines(path, lines, what="stream entries")
