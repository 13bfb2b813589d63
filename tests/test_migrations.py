"""The Alembic revisions build exactly the schema the models describe, and can be undone, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from accumulator.analytics import queries, service
from accumulator.db import session_scope
from accumulator.models import include_in_comparison
from accumulator.settings import PROJECT_ROOT
from tests.conftest import fresh_database


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


COUNTED_TABLES = (
    "page_stat",
    "daily_page_stat",
    "daily_site_stat",
    "daily_visitor",
    "daily_site_visitor",
    "daily_dimension",
    "daily_site_dimension",
    "site_dimension_total",
)


def _counts(engine: Engine) -> dict[str, set[tuple]]:
    with engine.connect() as connection:  # as text: SQLite gives days back as text in raw SQL
        return {
            table: {
                tuple(str(value) for value in row)
                for row in connection.execute(sa.select(sa.literal_column("*")).select_from(sa.table(table)))
            }
            for table in COUNTED_TABLES
        }


def test_0009_adds_empty_hours_and_keeps_every_count(database: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Over counts stored before it (the original's imported days among them), revision 0009 leaves
    every count as it was and starts the hours empty (nothing stored had an hour); events written
    after it land in their hour; undoing it keeps the counts."""
    kind = "postgresql" if database.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path_factory) as url:
        cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
        cfg.attributes["database_url"] = url
        command.downgrade(cfg, "0008")
        engine = sa.create_engine(url)
        day, imported = date(2026, 12, 1), date(2025, 3, 4)
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO page_stat (site, path, views, likes) VALUES ('blog', '/', 1207, 4)")
            )
            connection.execute(
                sa.text(
                    "INSERT INTO daily_page_stat (day, site, path, views, likes, visitors) "
                    "VALUES (:d, 'blog', '/', :v, :l, :u)"
                ),
                [{"d": day, "v": 1200, "l": 3, "u": 2}, {"d": imported, "v": 7, "l": 1, "u": 0}],
            )
            connection.execute(
                sa.text(
                    "INSERT INTO daily_site_stat (day, site, views, likes, visitors) VALUES (:d, 'blog', :v, :l, :u)"
                ),
                [{"d": day, "v": 1200, "l": 3, "u": 2}, {"d": imported, "v": 7, "l": 1, "u": 0}],
            )
            connection.execute(
                sa.text("INSERT INTO daily_visitor (day, site, path, visitor_hash) VALUES (:d, 'blog', '/', :h)"),
                [{"d": day, "h": "a" * 32}, {"d": day, "h": "b" * 32}],
            )
            connection.execute(
                sa.text(
                    "INSERT INTO daily_dimension (day, site, path, kind, value, views) "
                    "VALUES (:d, 'blog', '/', 'browser', 'Firefox', :v)"
                ),
                [{"d": day, "v": 1200}, {"d": imported, "v": 7}],
            )
            connection.execute(
                sa.text(
                    "INSERT INTO site_dimension_total (site, kind, value, views) "
                    "VALUES ('blog', 'browser', 'Firefox', 1207)"
                )
            )
        before = _counts(engine)

        command.upgrade(cfg, "0009")
        assert _counts(engine) == before
        with engine.connect() as connection:
            for table in ("hourly_site_stat", "hourly_page_stat"):
                assert connection.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one() == 0
        with session_scope(engine) as session:
            service.record_events(
                session=session,
                events=[
                    service.CountedEvent(
                        kind="pageview",
                        site="blog",
                        path="/",
                        day=day,
                        visitor_hash="c" * 32,
                        hour=datetime(2026, 12, 1, 14),
                    )
                ],
            )
        with Session(engine) as session:
            point = queries.daily_series(session=session, today=day, days=1)[0]
            assert (point.views, point.visitors) == (1201, 3)
            assert queries.daily_series(session=session, today=imported, days=1)[0].views == 7
            assert queries.breakdown(session=session, kind="browser") == [("Firefox", 1207), ("Unknown", 1)]
            hours = queries.hourly_series(
                session=session,
                since=datetime(2026, 12, 1, 13, tzinfo=UTC),
                until=datetime(2026, 12, 1, 16, tzinfo=UTC),
            )
            assert [point.views for point in hours] == [0, 1, 0]
        after = _counts(engine)

        command.downgrade(cfg, "0008")
        assert not {"hourly_site_stat", "hourly_page_stat"} & set(inspect(engine).get_table_names())
        assert _counts(engine) == after
        engine.dispose()


def test_0019_adds_an_empty_joint_rollup_that_the_writer_then_fills(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Revision 0019 creates the filters' joint rollup empty (no history has joint values); page views
    written after it land in it; undoing it drops only that table."""
    kind = "postgresql" if database.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path_factory) as url:
        cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
        cfg.attributes["database_url"] = url
        command.downgrade(cfg, "0018")
        engine = sa.create_engine(url)
        assert "analytics_daily_segment" not in inspect(engine).get_table_names()
        command.upgrade(cfg, "0019")
        day = date(2026, 12, 2)
        event = service.CountedEvent(kind="pageview", site="blog", path="/a", day=day, visitor_hash="1" * 32,
                                     referrer="lobste.rs", tab="t", country="DE")  # fmt: skip
        with session_scope(engine) as session:
            service.record_events(session=session, events=[event, event])
        with engine.connect() as connection:
            found = connection.execute(sa.text("SELECT path, referrer, country, views FROM analytics_daily_segment"))
            assert found.all() == [("/a", "lobste.rs", "DE", 2)]
        command.downgrade(cfg, "0018")
        tables = set(inspect(engine).get_table_names())
        assert "analytics_daily_segment" not in tables and "daily_page_stat" in tables
        engine.dispose()
