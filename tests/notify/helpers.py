"""Shared pieces of the notification tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from accumulator.db import session_scope
from accumulator.notify import config
from accumulator.notify.alerts import Alert
from accumulator.notify.models import NotifyAttempt, NotifyDelivery
from accumulator.runtime import Services, build_services
from tests.plants.test_mail import free_port, make_settings

# 10:00 in Paris on 2 December 2026 (winter time, UTC+1).
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def services(tmp_path: Path, engine: Engine, smtp_port: int | None = None, **env: str) -> Services:
    """Services with e-mail to `smtp_port` (None: no e-mail configured), in Paris."""
    extra = {"TIMEZONE": "Europe/Paris", **env}
    if smtp_port is None:
        extra["SMTP_HOST"] = ""
    return build_services(make_settings(tmp_path, smtp_port or free_port(), **extra), engine)


def add_apprise(engine: Engine, name: str, url: str) -> str:
    with session_scope(engine) as session:
        return config.apprise_key(config.add_apprise(session=session, name=name, url=url, now=NOW))


def alert(key: str = "a1", kind: str = "comments", **fields: object) -> Alert:
    values = {"title": "2 new comments", "body": "Ann: hello\nBob: hi", "link": "/comments", **fields}
    return Alert(kind=kind, key=key, **values)  # type: ignore[arg-type]


def deliveries(engine: Engine) -> list[NotifyDelivery]:
    with session_scope(engine) as session:
        rows = list(session.exec(select(NotifyDelivery).order_by(NotifyDelivery.id)).all())
        for row in rows:
            session.expunge(row)
        return rows


def attempts(engine: Engine, channel: str | None = None) -> list[NotifyAttempt]:
    with session_scope(engine) as session:
        query = select(NotifyAttempt).order_by(NotifyAttempt.id)
        if channel:
            query = query.where(NotifyAttempt.channel == channel)
        rows = list(session.exec(query).all())
        for row in rows:
            session.expunge(row)
        return rows
