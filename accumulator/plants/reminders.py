"""The daily reminder: one digest per channel (e-mail, browser push) listing every plant due or
overdue, from REMINDER_TIME on, repeated each day until the plant is watered or snoozed.

The job runs every few minutes, not once at the set time: whichever process leads the jobs, and
however often it restarts, the first run at or after REMINDER_TIME sends what is owed today. What
was sent is recorded per plant, day and channel (claimed before sending), so nothing goes out twice;
a channel that fails gives its claims back and is tried again on the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from accumulator import push
from accumulator.db import session_scope
from accumulator.plants import mail, service
from accumulator.plants.due import DuePlant
from accumulator.settings import Settings

log = logging.getLogger(__name__)

EMAIL, PUSH = "email", "push"


@dataclass
class ReminderReport:
    sent: dict[str, int] = field(default_factory=dict)  # channel → plants reminded
    failed: dict[str, str] = field(default_factory=dict)  # channel → why
    skipped: dict[str, str] = field(default_factory=dict)  # channel → why it was not tried


def push_payload(plants: list[DuePlant]) -> dict[str, str]:
    names = ", ".join(plant.name for plant in plants[:5]) + ("…" if len(plants) > 5 else "")
    return {"title": mail.digest_subject(plants), "body": names, "url": "/plants", "tag": "plant-reminder"}


def channels_status(session: Session, settings: Settings) -> dict[str, str]:
    """What each channel will do, for the page: 'on', or why it is skipped."""
    subscribers = push.subscription_count(session)
    return {
        EMAIL: "on" if settings.mail_configured else "off: set SMTP_HOST and MAIL_TO to get e-mails",
        PUSH: "on" if subscribers else "off: no browser has enabled notifications",
    }


async def send_reminders(*, engine: Engine, settings: Settings, now: datetime) -> ReminderReport:
    report = ReminderReport()
    if not service.reminder_due(now, settings.zone, settings.reminder_time):
        return report
    today = service.local_today(now, settings.zone)

    def load() -> tuple[list[DuePlant], int]:
        with session_scope(engine) as session:
            return service.due_plants(session=session, today=today), push.subscription_count(session)

    due, subscribers = await run_in_threadpool(load)
    if not due:
        return report

    async def by_email(plants: list[DuePlant]) -> None:
        message = mail.compose_digest(plants, settings=settings, today=today)
        await run_in_threadpool(mail.send_email, message, settings)

    async def by_push(plants: list[DuePlant]) -> None:
        result = await push.send_to_all(engine, settings, push_payload(plants))
        if result.failed and not result.delivered:
            raise push.PushError("; ".join(result.errors) or "no push service accepted it")

    channels: list[tuple[str, Callable[[list[DuePlant]], Awaitable[None]]]] = []
    if settings.mail_configured:
        channels.append((EMAIL, by_email))
    else:
        report.skipped[EMAIL] = "not configured"
    if subscribers:
        channels.append((PUSH, by_push))
    else:
        report.skipped[PUSH] = "no subscribed browser"
    for channel, send in channels:
        await _deliver(engine, channel, send, due, today, report)
    return report


async def _deliver(
    engine: Engine,
    channel: str,
    send: Callable[[list[DuePlant]], Awaitable[None]],
    due: list[DuePlant],
    today: date,
    report: ReminderReport,
) -> None:
    def claim() -> set[int]:
        with session_scope(engine) as session:
            return set(
                service.claim_reminders(session=session, plant_ids=[p.id for p in due], day=today, channel=channel)
            )

    def release() -> None:
        with session_scope(engine) as session:
            service.release_reminders(session=session, plant_ids=sorted(claimed), day=today, channel=channel)

    claimed = await run_in_threadpool(claim)
    plants = [plant for plant in due if plant.id in claimed]
    if not plants:
        return
    try:
        await send(plants)
    except Exception as exc:  # any failure of one channel: give back its claims, keep the others going
        await run_in_threadpool(release)
        report.failed[channel] = str(exc) or type(exc).__name__
        log.warning("plant reminder by %s failed, will retry on the next run: %s", channel, report.failed[channel])
        return
    report.sent[channel] = len(plants)
    log.info("plant reminder by %s: %d plants", channel, len(plants))
