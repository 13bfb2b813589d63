"""When the database will not take a batch: tell an outage from a refusal, write the good events
apart from the bad ones, and keep the bad ones aside with the reason."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from accumulator.analytics.service import CountedEvent, record_events
from accumulator.db import session_scope

log = logging.getLogger(__name__)

Item = TypeVar("Item")
_UNREACHABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout, OSError)


def database_unreachable(exc: BaseException) -> bool:
    """Whether a failed write says the database could not be reached or was busy (connection lost
    or refused, locked, pool exhausted), rather than that it refuses these events."""
    return isinstance(exc, _UNREACHABLE) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def reason(exc: BaseException) -> str:
    """The driver's own words, on one line: no SQL and no parameters."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip()
    return f"{type(cause).__name__}: {text.splitlines()[0] if text else ''}"[:300]


@dataclass
class Apart(Generic[Item]):
    written: int = 0
    refused: list[tuple[Item, str]] = field(default_factory=list)  # with the reason of each
    unwritten: list[Item] = field(default_factory=list)  # left when an outage stopped the work
    outage: Exception | None = None


def write_apart(*, engine: Engine, items: list[Item], write: Callable[[Session, list[Item]], int]) -> Apart[Item]:
    """`write` the items in halves, and the halves of halves that fail, down to single items, each
    part in its own transaction: every item the database takes is counted once, and the ones it
    refuses on their own are returned with the reason. An outage stops the work, leaving the rest
    unwritten, in order. k bad items among n cost about 2·k·log2(n) transactions. (The embedded
    writer's events and the stream writer's entries both go through here.)"""
    result: Apart[Item] = Apart()
    parts = [items]
    while parts:
        part = parts.pop()
        try:
            with session_scope(engine) as session:
                result.written += write(session, part)
        except Exception as exc:
            if database_unreachable(exc):
                result.unwritten = [item for piece in (part, *reversed(parts)) for item in piece]
                result.outage = exc
                return result
            if len(part) == 1:
                result.refused.append((part[0], reason(exc)))
            else:
                half = len(part) // 2
                parts += [part[half:], part[:half]]  # the first half is written first
    return result


def record_apart(*, engine: Engine, events: list[CountedEvent]) -> Apart[CountedEvent]:
    """The embedded writer's batch, written apart (see `write_apart`)."""
    return write_apart(
        engine=engine, items=events, write=lambda session, part: record_events(session=session, events=part)
    )


def keep_aside(*, path: Path | None, refused: list[tuple[CountedEvent, str]]) -> None:
    """Log each refused event with the reason and append it to `path`, one JSON line each. JSON's
    escapes keep even text that no encoding can write, as it came."""
    now = datetime.now(UTC).isoformat()
    lines = [
        json.dumps({"set_aside_at": now, "reason": why, **{k: str(v) for k, v in asdict(event).items()}})
        for event, why in refused
    ]
    for line in lines:
        log.error("analytics event set aside, the database refuses it: %s", line)
    append_lines(path, lines, what="analytics events")


def append_lines(path: Path | None, lines: list[str], *, what: str) -> None:
    """Append set-aside JSON lines to `path` (None: they were only logged); a failure is logged."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in lines)
    except OSError:
        log.exception("could not keep %d set-aside %s in %s", len(lines), what, path)
