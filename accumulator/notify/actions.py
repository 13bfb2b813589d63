"""The only way notifications change: raising an alert and sending what is due of it, the retry
job, and the owner's changes of channels, routes and preferences. Transactions run off the event
loop; sending happens between them, never inside one."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete
from starlette.concurrency import run_in_threadpool

from accumulator.db import session_scope, utcnow
from accumulator.notify import config, service
from accumulator.notify.alerts import Alert
from accumulator.notify.channels.apprise_url import AppriseTransport
from accumulator.notify.channels.base import ChannelFailure, Transport
from accumulator.notify.channels.email import EmailTransport
from accumulator.notify.channels.webpush import PushTransport
from accumulator.notify.models import NotifyActionUse, NotifyAttempt
from accumulator.runtime import Services, in_transaction
from accumulator.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
PARALLEL = 4  # deliveries sent at once by one run (a slow Apprise service waits up to its timeout)
KEEP_ATTEMPTS = timedelta(days=30)


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent" | "retrying" | "failed" | "held" (quiet hours)
    error: str = ""
    until: datetime | None = None  # "held": when it goes out


async def in_engine_transaction(engine: Engine, work: Callable[..., T], /, **arguments: Any) -> T:
    def run() -> T:
        with session_scope(engine) as session:
            return work(session=session, **arguments)

    return await run_in_threadpool(run)


def _transport(channel: str, *, engine: Engine, settings: Settings, urls: dict[str, str]) -> Transport | None:
    if channel == config.EMAIL:
        return EmailTransport(settings)
    if channel == config.PUSH:
        return PushTransport(engine, settings)
    url = urls.get(channel)
    return AppriseTransport(url) if url else None


async def _attempt(
    engine: Engine, settings: Settings, claim: service.Claim, urls: dict[str, str], now: datetime
) -> Outcome:
    transport = _transport(claim.channel, engine=engine, settings=settings, urls=urls)
    started = time.monotonic()
    if transport is None:
        outcome, error = "permanent", "the channel no longer exists"
    else:
        try:
            await transport.send(claim.message)
            outcome, error = "ok", ""
        except ChannelFailure as exc:
            outcome, error = ("permanent" if exc.permanent else "transient"), str(exc)
        except Exception as exc:  # a transport's own bug must not lose the delivery: try again later
            log.exception("notification by %s failed unexpectedly", claim.channel)
            outcome, error = "transient", f"{type(exc).__name__}: {exc}"[:300]
    took = int((time.monotonic() - started) * 1000)
    status = await in_engine_transaction(
        engine, service.record, claim=claim, outcome=outcome, error=error, now=now, duration_ms=took
    )
    if outcome != "ok":
        log.warning("notification %r by %s: %s (%s)", claim.message.title, claim.channel, status, error)
    return Outcome(status, error)


async def send_due(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime,
    alert_id: int | None = None,
    kinds: Sequence[str] | None = None,
) -> list[tuple[service.Claim, Outcome]]:
    """Claim and send every delivery due at `now` (of one alert, some kinds, or all)."""

    def claim(session: Session) -> tuple[list[service.Claim], dict[str, str]]:
        claims = service.claim_due(session=session, now=now, base_url=settings.base_url, alert_id=alert_id, kinds=kinds)
        urls = {}
        for item in claims:
            number = config.apprise_id(item.channel)
            if number is not None and (url := config.stored_url(session=session, channel_id=number)):
                urls[item.channel] = url
        return claims, urls

    claims, urls = await in_engine_transaction(engine, claim)
    gate = asyncio.Semaphore(PARALLEL)

    async def one(item: service.Claim) -> tuple[service.Claim, Outcome]:
        async with gate:
            return item, await _attempt(engine, settings, item, urls, now)

    return list(await asyncio.gather(*(one(item) for item in claims)))


def raise_in_session(
    *, session: Session, settings: Settings, alert: Alert, now: datetime, channels: Sequence[str] | None = None
) -> service.Raised:
    """Store `alert` and its deliveries in the caller's transaction, without sending: the dispatch
    job sends it within a minute. For callers that change something in the same transaction (the
    alert exists exactly when the change does) or must not wait for a slow channel."""
    prefs = config.preferences(session=session)
    usable = config.usable(session=session, mail_configured=settings.mail_configured)
    targets = [channel for channel in usable if channels is None or channel in channels]
    quiet = service.quiet_until(now=now, zone=settings.zone, start=prefs.quiet_start, end=prefs.quiet_end)
    return service.raise_alert(session=session, alert=alert, channels=targets, now=now, quiet_end=quiet)


async def deliver(
    engine: Engine,
    settings: Settings,
    alert: Alert,
    *,
    now: datetime | None = None,
    channels: Sequence[str] | None = None,
) -> dict[str, Outcome]:
    """Raise `alert` on the channels its kind is routed to (or only `channels`) and send it now, or
    hold it until quiet hours end. Per channel, what happened; a channel missing from the answer was
    not usable, routed off, or already had this alert."""
    now = now or utcnow()
    raised = await in_engine_transaction(
        engine, raise_in_session, settings=settings, alert=alert, now=now, channels=channels
    )
    outcomes = {
        claim.channel: outcome for claim, outcome in await send_due(engine, settings, now=now, alert_id=raised.alert_id)
    }
    if raised.held_until is not None:
        for channel in raised.channels:
            outcomes.setdefault(channel, Outcome("held", until=raised.held_until))
    return outcomes


async def notify(svc: Services, alert: Alert, *, now: datetime | None = None) -> dict[str, Outcome]:
    """What features call: tell the owner, on every channel the alert's kind goes to."""
    return await deliver(svc.engine, svc.settings, alert, now=now)


async def dispatch(svc: Services, *, now: datetime | None = None) -> int:
    """The job: send what is due (retries after their backoff, alerts held by quiet hours); the
    number of deliveries tried."""
    done = await send_due(svc.engine, svc.settings, now=now or utcnow())
    return len(done)


async def prune(svc: Services, *, now: datetime | None = None) -> None:
    """Forget attempts older than 30 days and used action tokens past their life."""
    now = now or utcnow()

    def forget(session: Session) -> None:
        session.exec(delete(NotifyAttempt).where(col(NotifyAttempt.at) < now - KEEP_ATTEMPTS))
        session.exec(delete(NotifyActionUse).where(col(NotifyActionUse.used_at) < now - timedelta(days=2)))

    await in_transaction(svc, forget)


# The owner's changes


async def add_channel(svc: Services, *, name: str, url: str) -> int:
    return await in_transaction(svc, config.add_apprise, name=name, url=url, now=utcnow())


async def remove_channel(svc: Services, *, channel_id: int) -> bool:
    return await in_transaction(svc, config.remove_apprise, channel_id=channel_id)


async def send_test(svc: Services, *, channel: str) -> Outcome:
    """A test message on one channel, now (tests are urgent: quiet hours do not hold them)."""
    alert = Alert(
        kind="test",
        key=f"test:{channel}:{uuid.uuid4().hex}",
        title="Accumulator: a test notification",
        body="This is a test from your Accumulator's notification settings. It works!",
        link="/notifications",
        tag="test",
    )
    outcomes = await deliver(svc.engine, svc.settings, alert, channels=[channel])
    return outcomes.get(channel, Outcome("failed", "this channel cannot send (see why beside it)"))


async def set_route(svc: Services, *, kind: str, channel: str, enabled: bool) -> None:
    await in_transaction(svc, config.set_route, kind=kind, channel=channel, enabled=enabled)


async def set_quiet_hours(svc: Services, *, start: str, end: str) -> None:
    await in_transaction(svc, config.set_quiet_hours, start=start, end=end)


async def set_spike(svc: Services, *, views: int) -> None:
    await in_transaction(svc, config.set_spike, views=views)


async def set_spike_usual(svc: Services, *, factor: float, floor: int, days: int) -> None:
    await in_transaction(svc, config.set_spike_usual, factor=factor, floor=floor, days=days)


async def set_weekly(svc: Services, *, on: bool, weekday: int, at: str) -> None:
    await in_transaction(svc, config.set_weekly, on=on, weekday=weekday, at=at)
