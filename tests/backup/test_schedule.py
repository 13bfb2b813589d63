"""The daily backup: once a day from BACKUP_TIME on the job leader, BACKUP_KEEP archives kept, each
result recorded and shown in /healthz, the owner e-mailed when one fails."""

from __future__ import annotations

import asyncio
import email
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from sqlmodel import Session

from accumulator.api import scheduled_jobs
from accumulator.backup import actions, runs
from accumulator.backup.archive import archives_in
from accumulator.runtime import build_services
from tests.backup.conftest import fill, installation
from tests.conftest import api_client
from tests.plants.test_mail import free_port

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Inbox:
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


def scheduled(tmp_path, tmp_path_factory, **env: str):
    return installation(
        "sqlite",
        tmp_path_factory,
        BACKUP_DIR=str(tmp_path / "backups"),
        BACKUP_KEEP="3",
        BACKUP_TIME="03:00",
        TIMEZONE="Europe/Paris",
        **env,
    )


def test_one_backup_a_day_from_backup_time_and_only_the_last_keep_stay(tmp_path, tmp_path_factory) -> None:
    with scheduled(tmp_path, tmp_path_factory) as svc:
        fill(svc)
        assert [job.name for job in scheduled_jobs(svc) if job.name == "backup"] == ["backup"]
        assert asyncio.run(actions.scheduled_backup(svc, at(1, 2, 59))) == "not due"
        outcomes = [asyncio.run(actions.scheduled_backup(svc, at(day, 3, 5))) for day in range(1, 6)]
        assert outcomes == ["ok"] * 5
        assert asyncio.run(actions.scheduled_backup(svc, at(5, 23, 55))) == "taken"  # once a day, whoever leads
        with Session(svc.engine) as session:
            made = [run.archive for run in reversed(runs.recent(session=session))]
        assert len(made) == 5
        assert [path.name for path in archives_in(tmp_path / "backups")] == made[-3:]

        with api_client(build_services(svc.settings, svc.engine)) as client:
            health = client.get("/healthz").json()["backup"]
        assert health == {"scheduled": True, "last": at(5, 3, 5).astimezone(UTC).isoformat(), "status": "ok"}


def test_no_backup_dir_no_job(tmp_path_factory) -> None:
    with installation("sqlite", tmp_path_factory) as svc:
        assert "backup" not in [job.name for job in scheduled_jobs(svc)]
        assert asyncio.run(actions.scheduled_backup(svc, at(1, 4))) == "off"


@pytest.fixture
def smtp():
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=5.0)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_a_failed_backup_is_recorded_shown_and_mailed_to_the_owner(tmp_path, tmp_path_factory, smtp) -> None:
    inbox, port = smtp
    mail = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_STARTTLS": "false", "MAIL_TO": "me@example.com"}
    with scheduled(tmp_path, tmp_path_factory, **mail) as svc:
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("a file where the backups should go")
        svc.settings = replace(svc.settings, backup_dir=blocked / "backups")
        assert asyncio.run(actions.scheduled_backup(svc, at(2, 3, 1))) == "failed"
        with Session(svc.engine) as session:
            (run,) = runs.recent(session=session)
        assert run.ok is False and "Not a directory" in run.error

        with api_client(build_services(svc.settings, svc.engine)) as client:
            answer = client.get("/healthz")
        assert answer.status_code == 200  # a failed backup does not take the app out of the balancer
        assert answer.json()["backup"]["status"] == "error"
        assert str(tmp_path) not in answer.text  # no path or error text for anonymous callers

        (envelope,) = inbox.envelopes
        message = email.message_from_bytes(envelope.content)
        assert message["Subject"] == "Accumulator: the backup failed"
        assert envelope.rcpt_tos == ["me@example.com"]
        assert "Not a directory" in message.get_payload(decode=True).decode()
        assert asyncio.run(actions.scheduled_backup(svc, at(2, 9))) == "taken"  # tried again tomorrow, not every 5 min
