"""Revision 0018 keeps the owner's notification preferences (the new rules start off), adds the
paste read receipts, and can be undone, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from accumulator.settings import PROJECT_ROOT
from tests.conftest import fresh_database


def test_0018_keeps_preferences_and_undoes_cleanly(database: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    kind = "postgresql" if database.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path_factory) as url:
        cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
        cfg.attributes["database_url"] = url
        command.downgrade(cfg, "0017")
        engine = sa.create_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO notify_preferences (id, quiet_start, quiet_end, spike_views) "
                        "VALUES (1, '22:00', '07:00', 500)"
                    )
                )
            command.upgrade(cfg, "0018")
            with engine.begin() as connection:
                row = connection.execute(
                    sa.text(
                        "SELECT quiet_start, spike_views, spike_factor, spike_floor, spike_days, weekly_on, "
                        "weekly_weekday, weekly_time FROM notify_preferences"
                    )
                ).one()
                assert tuple(row) == ("22:00", 500, 0, 20, 7, False, 0, "08:00")
                assert "paste_open" in sa.inspect(connection).get_table_names()
            command.downgrade(cfg, "0017")
            with engine.begin() as connection:
                assert connection.execute(sa.text("SELECT spike_views FROM notify_preferences")).scalar() == 500
                assert "paste_open" not in sa.inspect(connection).get_table_names()
            command.upgrade(cfg, "head")
        finally:
            engine.dispose()
