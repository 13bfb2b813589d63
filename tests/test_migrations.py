"""The Alembic revisions build exactly the schema the models describe, and can be undone, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from accumulator.models import include_in_comparison
from accumulator.settings import PROJECT_ROOT


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_comparison}
        )
        assert compare_metadata(context, SQLModel.metadata) == []


def test_downgrade_to_base_and_upgrade_again(database: str, engine: Engine) -> None:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = database
    engine.dispose()
    command.downgrade(cfg, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(cfg, "head")
    assert {"owner", "owner_session", "page_stat", "workspace", "note"} <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:  # a new install has one workspace to write in
        assert connection.execute(sa.text("SELECT title, is_public FROM workspace")).all() == [("default", False)]
