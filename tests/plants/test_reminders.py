"""The daily reminder end to end: a real SMTP server and a fake push service on loopback, a controlled
clock in the owner's zone, once a day per plant and channel, a failing channel retried next run."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from accumulator.db import session_scope
from accumulator.plants import service
from accumulator.plants.reminders import channels_status, send_reminders
from accumulator.settings import Settings
from tests.plants.push_service import running_push_service
from tests.plants.test_mail import Inbox, free_port, make_settings
from tests.plants.test_push import Browser, subscribe

# 08:59 and 09:00 in Paris on 27 November 2026 (winter time, UTC+1).
BEFORE = datetime(2026, 11, 27, 7, 59, tzinfo=UTC)
AT = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)


def paris(tmp_path: Path, port: int) -> Settings:
    return make_settings(tmp_path, port, TIMEZONE="Europe/Paris", REMINDER_TIME="09:00")


def plant_due(session: Session, name: str, overdue: int, interval: int = 3) -> int:
    plant = service.create_plant(
        session=session, data=service.parse_input({"name": name, "interval_days": interval}), now=AT
    )
    service.mark_watered(session=session, plant_id=plant.id, on=TODAY - timedelta(days=interval + overdue), today=TODAY)
    session.commit()
    return plant.id


def mails(inbox: Inbox) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(e.content, policy=email.policy.default) for e in inbox.envelopes]


async def test_one_digest_from_the_reminder_time_then_none_until_tomorrow(
    engine: Engine, session: Session, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = paris(tmp_path, port)
    plant_due(session, "Fern", overdue=2)
    plant_due(session, "Ivy", overdue=0)
    watered = plant_due(session, "Cactus", overdue=-3)  # not due yet

    assert (await send_reminders(engine=engine, settings=settings, now=BEFORE)).sent == {}
    report = await send_reminders(engine=engine, settings=settings, now=AT)
    assert report.sent == {"email": 2} and report.skipped == {"push": "no subscribed browser"}
    (digest,) = mails(inbox)
    assert digest["Subject"] == "2 plants need water today"
    text = digest.get_body(("plain",)).get_content()
    assert text.index("Fern") < text.index("Ivy") and "2 days overdue" in text and "Cactus" not in text

    for later in (AT + timedelta(minutes=5), AT + timedelta(hours=10)):  # later runs, or a restart, that day
        await send_reminders(engine=engine, settings=settings, now=later)
    assert len(inbox.envelopes) == 1

    # The next day it reminds again about what is still due; a watered plant drops out.
    with session_scope(engine) as other:
        service.mark_watered(session=other, plant_id=plant_due(other, "Basil", overdue=5), on=TODAY, today=TODAY)
    tomorrow = AT + timedelta(days=1)
    await send_reminders(engine=engine, settings=settings, now=tomorrow)
    second = mails(inbox)[1].get_body(("plain",)).get_content()
    assert "Fern" in second and "3 days overdue" in second and "Basil" not in second
    assert watered


async def test_two_jobs_racing_send_one_digest(
    engine: Engine, session: Session, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = paris(tmp_path, port)
    for n in range(5):
        plant_due(session, f"Plant {n}", overdue=1)
    await asyncio.gather(*(send_reminders(engine=engine, settings=settings, now=AT) for _ in range(2)))
    listed = [m.get_body(("plain",)).get_content().count("/plants/") for m in mails(inbox)]
    assert sum(listed) == 5  # every plant in exactly one digest


async def test_push_is_delivered_and_decrypts_to_the_digest(
    engine: Engine, session: Session, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    _, port = smtp
    settings = paris(tmp_path, port)
    plant_due(session, "Monstera", overdue=1)
    browser = Browser.new()
    with running_push_service() as pushes:
        subscribe(engine, browser, pushes.endpoint("phone"))
        assert channels_status(session, settings)["push"] == "on"
        report = await send_reminders(engine=engine, settings=settings, now=AT)
        assert report.sent == {"email": 1, "push": 1}
        (received,) = pushes.pushes_to("phone")
        message = browser.decrypt(received.body)
    actions = message.pop("actions")  # the buttons (issue 19): tested in tests/notify/test_action_tokens.py
    assert message == {
        "title": "1 plant needs water today",
        "body": "Monstera",
        "url": "/plants",
        "tag": "plant-reminder",
    }
    assert [(action["action"], action["title"]) for action in actions] == [
        ("water", "Watered"),
        ("snooze", "Snooze a day"),
    ]


async def test_a_failing_channel_does_not_stop_the_other_and_is_retried_next_run(
    engine: Engine, session: Session, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    plant_due(session, "Fern", overdue=1)
    browser = Browser.new()
    down = paris(tmp_path, free_port())  # nothing listens there: e-mail fails
    with running_push_service() as pushes:
        subscribe(engine, browser, pushes.endpoint("laptop"))
        first = await send_reminders(engine=engine, settings=down, now=AT)
        assert first.sent == {"push": 1} and "could not connect" in first.failed["email"]
        retry = await send_reminders(engine=engine, settings=paris(tmp_path, port), now=AT + timedelta(minutes=5))
        assert retry.sent == {"email": 1}  # push already went out today: not again
        assert len(pushes.pushes_to("laptop")) == 1
    assert len(inbox.envelopes) == 1


async def test_a_gone_browser_is_forgotten(engine: Engine, session: Session, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, free_port(), SMTP_HOST="", TIMEZONE="Europe/Paris")
    plant_due(session, "Fern", overdue=1)
    with running_push_service() as pushes:
        subscribe(engine, Browser.new(), pushes.endpoint("old-phone"))
        pushes.answer("old-phone", 410)
        report = await send_reminders(engine=engine, settings=settings, now=AT)
    assert report.skipped["email"] == "not configured"
    assert channels_status(session, settings) == {
        "email": "off: set SMTP_HOST and MAIL_TO to get e-mails",
        "push": "off: no browser has enabled notifications",
    }
