"""Loading portable rows into a database of either kind, at the revision they were taken at.

The target is migrated to the archive's revision (Alembic), loaded in one transaction, parents
before children, with every explicit id kept (PostgreSQL's sequences are moved past them, SQLite's
notes search index rebuilt), and only then upgraded to this code's head.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine

from accumulator.backup.snapshot import data_tables, ours, stored_columns
from accumulator.models import SEARCH_INDEX_TABLES
from accumulator.settings import PROJECT_ROOT

INSERT_BATCH = 2000

# A database is empty when it holds nothing but what the migrations themselves put there.
SEEDED = {"workspace": "default"}
# Tables the migrations fill with starting rows (the comments' word filter, the row the listening
# history's recorders take turns on): their rows alone do not make a database hold anything worth keeping.
SEEDED_SETTINGS = {"comment_word", "spotify_history_lock"}

RowSource = Callable[[str], tuple[list[str], Iterable[list[Any]]]]


class LoadError(Exception):
    """The rows could not be loaded as they are; nothing of them was kept. One line."""


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def check_known_revision(revision: str) -> None:
    """Refuse an archive taken at a revision this code does not have (a newer Accumulator's)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise LoadError(
            f"the archive is at database revision {revision}, which this Accumulator does not know "
            f"(it knows up to {script.get_current_head()}): upgrade Accumulator first"
        )


def _our_names(connection: Connection) -> list[str]:
    return [name for name in sa.inspect(connection).get_table_names() if ours(name)]


def is_empty(engine: Engine) -> bool:
    """True for a new database, or one with nothing in it but what the migrations seed."""
    with engine.connect() as connection:
        for name in _our_names(connection):
            if name in SEEDED_SETTINGS:
                continue
            table = sa.table(name, sa.column("title"))
            if name in SEEDED:
                query = sa.select(sa.func.count()).select_from(table).where(table.c.title != SEEDED[name])
            else:
                query = sa.select(sa.func.count()).select_from(table)
            if connection.execute(query).scalar():
                return False
            if name == "workspace" and connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() > 1:
                return False
    return True


def drop_everything(engine: Engine) -> None:
    """Drop our tables (only ours: a PostgreSQL database may hold someone else's too)."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TABLE IF EXISTS note_fts")  # also drops its shadow tables
        metadata = sa.MetaData()
        names = set(_our_names(connection)) | {"alembic_version"}
        metadata.reflect(bind=connection, only=lambda name, _meta: name in names and name not in SEARCH_INDEX_TABLES)
        metadata.drop_all(bind=connection)


def migrate(url: str, revision: str) -> None:
    command.upgrade(alembic_config(url), revision)


# Values back from their portable form, by the type of the column they go into


def _converter(column: sa.Column) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, sa.DateTime):
        aware = bool(getattr(kind, "timezone", False))

        def to_datetime(value: Any) -> Any:
            if not isinstance(value, str):
                return value
            parsed = datetime.fromisoformat(value)
            if aware:  # SQLite hands back naive UTC for our UTC columns
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed

        return to_datetime
    if isinstance(kind, sa.Date):
        return lambda value: date.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(kind, sa.LargeBinary):
        return lambda value: base64.b64decode(value) if isinstance(value, str) else value
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return lambda value: Decimal(value) if isinstance(value, str) else value
    return None


def _converted(rows: Iterable[list[Any]], names: list[str], columns: list[sa.Column]) -> Iterator[list[Any]]:
    converters = [(index, convert) for index, column in enumerate(columns) if (convert := _converter(column))]
    width = len(names)
    for row in rows:
        if len(row) != width:
            raise LoadError(f"a row of {columns[0].table.name} has {len(row)} values, not {width}")
        for index, convert in converters:
            row[index] = convert(row[index])
        yield row


def _insert(connection: Connection, table: sa.Table, names: list[str], rows: Iterator[list[Any]]) -> int:
    """Insert the rows a batch at a time; returns how many."""
    if connection.dialect.name == "postgresql":
        return _copy(connection, table, names, rows)
    count = 0
    while batch := list(islice(rows, INSERT_BATCH)):
        connection.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in batch])
        count += len(batch)
    return count


def _copy(connection: Connection, table: sa.Table, names: list[str], rows: Iterator[list[Any]]) -> int:
    """PostgreSQL's COPY, in the load's transaction: several times faster than batched INSERTs.
    psycopg adapts each value by its Python type, which the converters made the column's."""
    columns = ", ".join(f'"{name}"' for name in names)  # names from the database's own catalogue
    cursor = connection.connection.driver_connection.cursor()
    count = 0
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def load_rows(engine: Engine, source: RowSource, expected: dict[str, int]) -> dict[str, int]:
    """Replace every row of our tables by the source's, in one transaction; returns rows per table.
    Raises LoadError (and keeps nothing) when a table's columns or row count differ from `expected`."""
    loaded: dict[str, int] = {}
    with engine.begin() as connection:
        tables = data_tables(connection)
        names = {table.name for table in tables}
        if missing := sorted(set(expected) - names):
            raise LoadError(f"this database has no table {missing[0]} at that revision")
        for table in reversed(tables):
            connection.execute(table.delete())  # what the migrations seeded (the default workspace)
        for table in tables:
            if table.name not in expected:
                continue
            column_names, rows = source(table.name)
            by_name = {column.name: column for column in stored_columns(table)}
            if set(column_names) != set(by_name):
                raise LoadError(
                    f"table {table.name} has columns {sorted(by_name)} here, the archive {sorted(column_names)}"
                )
            columns = [by_name[name] for name in column_names]
            count = _insert(connection, table, column_names, _converted(iter(rows), column_names, columns))
            if count != expected[table.name]:
                raise LoadError(f"table {table.name}: loaded {count} rows, the archive says {expected[table.name]}")
            loaded[table.name] = count
        _after_explicit_ids(connection, tables)
    return loaded


def _after_explicit_ids(connection: Connection, tables: list[sa.Table]) -> None:
    if connection.dialect.name == "postgresql":
        # Rows came with their ids, which a serial column's sequence did not hand out: move each
        # sequence past the largest, or the next insert would collide.
        for table in tables:
            for column in table.primary_key.columns:
                if isinstance(column.type, sa.Integer):
                    # Names come from the database's own catalogue, not from the archive.
                    top = f'MAX("{column.name}")'
                    connection.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence(:table, :column), COALESCE({top}, 1), "  # noqa: S608
                            f'{top} IS NOT NULL) FROM "{table.name}"'
                        ),
                        {"table": table.name, "column": column.name},
                    )
    elif sa.inspect(connection).has_table("note_fts"):
        connection.exec_driver_sql("INSERT INTO note_fts(note_fts) VALUES ('rebuild')")


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0
            for table in data_tables(connection)
        }
