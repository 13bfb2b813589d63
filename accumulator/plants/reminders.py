"""The daily reminder: one digest per channel (e-mail, browser push, the owner's Apprise channels)
listing every plant due or overdue, from REMINDER_TIME on, repeated each day until the plant is
watered or snoozed. The notification layer (`accumulator.notify`) sends it.

The job runs every few minutes, not once at the set time: whichever process leads the jobs, and
however often it restarts, the first run at or after REMINDER_TIME sends what is owed today. What
was sent is recorded per plant, day and channel (claimed before sending), so nothing goes out twice.
A channel that fails for now is retried by the layer with a backoff (this job's own runs also send
the retries that are due); one that fails for good shows its error on the notifications page.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from accumulator import push
from accumulator.db import session_scope
from accumulator.notify import actions as notify
from accumulator.notify import config as notify_config
from accumulator.notify import service as notify_service
from accumulator.notify.alerts import Alert
from accumulator.plants import mail, quick, service
from accumulator.plants.due import DuePlant
from accumulator.settings import Settings

log = logging.getLogger(__name__)

EMAIL, PUSH = "email", "push"
KIND = "plants"


@dataclass
class ReminderReport:
    sent: dict[str, int] = field(default_factory=dict)  # channel → plants reminded
    failed: dict[str, str] = field(default_factory=dict)  # channel → why
    skipped: dict[str, str] = field(default_factory=dict)  # channel → why it was not tried


def push_payload(plants: list[DuePlant]) -> dict[str, str]:
    names = ", ".join(plant.name for plant in plants[:5]) + ("…" if len(plants) > 5 else "")
    return {"title": mail.digest_subject(plants), "body": names, "url": "/plants", "tag": "plant-reminder"}


def channels_status(session: Session, settings: Settings) -> dict[str, str]:
    """What each built-in channel will do, for the page: 'on', or why it is skipped."""
    subscribers = push.subscription_count(session)
    return {
        EMAIL: "on" if settings.mail_configured else "off: set SMTP_HOST and MAIL_TO to get e-mails",
        PUSH: "on" if subscribers else "off: no browser has enabled notifications",
    }


def _key(today: date, channel: str, plants: list[DuePlant]) -> str:
    """The alert's key: the day, the channel, how many plants and which (a digest of their ids). The
    count leads so a retried alert still says how many plants it reminded of."""
    ids = ",".join(str(plant.id) for plant in sorted(plants, key=lambda plant: plant.id))
    return f"plants:{today.isoformat()}:{channel}:{len(plants)}:{hashlib.sha256(ids.encode()).hexdigest()[:16]}"


def _count(key: str) -> int:
    parts = key.split(":")
    return int(parts[3]) if len(parts) == 5 and parts[3].isdigit() else 0


def digest_alert(plants: list[DuePlant], *, settings: Settings, today: date, channel: str, now: datetime) -> Alert:
    subject, text, html = mail.digest_parts(plants, base_url=settings.base_url, today=today)
    return Alert(
        kind=KIND,
        key=_key(today, channel, plants),
        title=subject,
        body=text,
        summary=push_payload(plants)["body"],
        html=html,
        link="/plants",
        tag="plant-reminder",
        actions=quick.for_digest(plants, settings=settings, now=now),
    )


async def send_reminders(*, engine: Engine, settings: Settings, now: datetime) -> ReminderReport:
    report = ReminderReport()
    if not service.reminder_due(now, settings.zone, settings.reminder_time):
        return report
    today = service.local_today(now, settings.zone)

    def load(session: Session) -> tuple[list[DuePlant], list[str], list[str]]:
        usable = notify_config.usable(session=session, mail_configured=settings.mail_configured)
        return (
            service.due_plants(session=session, today=today),
            usable,
            notify_service.routed(session=session, kind=KIND, channels=usable),
        )

    due, usable, routed = await notify.in_engine_transaction(engine, load)
    if due:
        if not settings.mail_configured:
            report.skipped[EMAIL] = "not configured"
        if PUSH not in usable:
            report.skipped[PUSH] = "no subscribed browser"
        for channel in usable:
            if channel not in routed:
                report.skipped[channel] = "routed off on the notifications page"
                continue
            await _deliver(engine, settings, channel, due, today, now, report)
    # Earlier digests whose retry (or the end of quiet hours) is due: this job sends them too.
    for claim, outcome in await notify.send_due(engine, settings, now=now, kinds=[KIND]):
        _tally(report, claim.channel, outcome, _count(claim.alert_key))
    return report


def _tally(report: ReminderReport, channel: str, outcome: notify.Outcome, plants: int) -> None:
    if outcome.status == "sent":
        report.sent[channel] = report.sent.get(channel, 0) + plants
        log.info("plant reminder by %s: %d plants", channel, plants)
    elif outcome.status == "held":
        report.skipped[channel] = f"quiet hours: sent at {outcome.until:%H:%M} UTC"
    else:
        report.failed[channel] = outcome.error
        log.warning("plant reminder by %s: %s (%s)", channel, outcome.status, outcome.error)


async def _deliver(
    engine: Engine,
    settings: Settings,
    channel: str,
    due: list[DuePlant],
    today: date,
    now: datetime,
    report: ReminderReport,
) -> None:
    def claim() -> set[int]:
        with session_scope(engine) as session:
            return set(
                service.claim_reminders(session=session, plant_ids=[p.id for p in due], day=today, channel=channel)
            )

    claimed = await run_in_threadpool(claim)
    plants = [plant for plant in due if plant.id in claimed]
    if not plants:
        return
    alert = digest_alert(plants, settings=settings, today=today, channel=channel, now=now)
    outcomes = await notify.deliver(engine, settings, alert, now=now, channels=[channel])
    if channel in outcomes:
        _tally(report, channel, outcomes[channel], len(plants))
