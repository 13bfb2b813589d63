"""Revision 0017 keeps what was there (browser subscriptions, plant reminder claims), widens the
claims' channel for Apprise channels, and can be undone, on SQLite and PostgreSQL. An Apprise URL
stays out of a backup unless secrets are included."""

from __future__ import annotations

import gzip
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from accumulator.backup import actions as backup_actions
from accumulator.backup import service as backup
from accumulator.backup.snapshot import SECRET_TABLES
from accumulator.runtime import Services
from accumulator.settings import PROJECT_ROOT
from tests.conftest import fresh_database
from tests.notify.helpers import add_apprise


def test_0017_keeps_subscriptions_and_claims_and_undoes_cleanly(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    kind = "postgresql" if database.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path_factory) as url:
        cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
        cfg.attributes["database_url"] = url
        command.downgrade(cfg, "0016")
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO push_subscription (endpoint, p256dh, auth, user_agent, created_at) "
                    "VALUES ('https://push.example/abc', 'k', 'a', 'Firefox', CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO plant (id, name, species, location, notes, interval_days, check_soil, created_at)"
                    " VALUES (1, 'Fern', '', '', '', 7, false, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO reminder_delivery (plant_id, day, channel, sent_at) "
                    "VALUES (1, '2026-12-01', 'email', CURRENT_TIMESTAMP)"
                )
            )
        command.upgrade(cfg, "head")
        with engine.begin() as connection:
            assert connection.execute(sa.text("SELECT endpoint FROM push_subscription")).scalars().all() == [
                "https://push.example/abc"
            ]
            connection.execute(
                sa.text(
                    "INSERT INTO reminder_delivery (plant_id, day, channel, sent_at) "
                    "VALUES (1, '2026-12-01', 'apprise-12345', CURRENT_TIMESTAMP)"
                )
            )
        command.downgrade(cfg, "0016")
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT channel FROM reminder_delivery")).scalars().all() == ["email"]
            assert connection.execute(sa.text("SELECT count(*) FROM push_subscription")).scalar() == 1
        engine.dispose()
        command.upgrade(cfg, "head")


def test_apprise_urls_are_a_secret_of_backups(engine: Engine, services: Services, tmp_path: Path) -> None:
    add_apprise(engine, "Phone", "ntfys://ntfy.sh/very-secret-topic")
    assert "notify_apprise_url" in SECRET_TABLES
    stores = backup_actions.stores(services)
    now = datetime.now(UTC)
    plain = backup.take_backup(engine=engine, stores=stores, directory=tmp_path / "a", now=now, include_secrets=False)
    full = backup.take_backup(engine=engine, stores=stores, directory=tmp_path / "b", now=now, include_secrets=True)
    assert b"very-secret-topic" not in _contents(plain.path) and b"Phone" in _contents(plain.path)
    assert b"very-secret-topic" in _contents(full.path)


def _contents(path: Path) -> bytes:
    out = b""
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            if member.isfile():
                data = archive.extractfile(member).read()
                out += gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    return out
