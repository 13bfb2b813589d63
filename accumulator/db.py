"""The database engine and the one way to open a session, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session

from accumulator.settings import get_settings


def utcnow() -> datetime:
    """Timezone-aware UTC now; every stored timestamp is UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_db_engine(url: str) -> Engine:
    """An engine with the settings each backend needs to behave under concurrent use."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets readers go on while one writer writes; foreign keys are off by default.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return create_db_engine(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back on any error."""
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def database_status(engine: Engine | None = None) -> str:
    """'ok', or a short reason the database cannot be used."""
    try:
        with (engine or get_engine()).connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any driver error means "not usable"
        return f"error: {type(exc).__name__}"
    return "ok"


_DIALECTS = {"postgresql": postgresql.psycopg.dialect, "sqlite": sqlite.dialect}


def _insert_for(dialect: str, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@lru_cache(maxsize=64)
def _bulk_sql(
    dialect_name: str,
    table: sa.Table,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    counters: tuple[str, ...],
    replace: tuple[str, ...] = (),
) -> tuple[str, tuple[str, ...]]:
    """The SQL of a bulk insert (adding `counters`, or setting `replace`, on a key conflict, or
    doing nothing), compiled once; returns it with the order of its parameters."""
    statement = _insert_for(dialect_name, table).values({name: sa.bindparam(name) for name in columns})
    if replace:
        statement = statement.on_conflict_do_update(
            index_elements=list(keys), set_={name: statement.excluded[name] for name in replace}
        )
    elif counters:
        statement = statement.on_conflict_do_update(
            index_elements=list(keys), set_={name: table.c[name] + statement.excluded[name] for name in counters}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    compiled = statement.compile(dialect=_DIALECTS[dialect_name]())
    order = tuple(compiled.positiontup) if compiled.positional else ()
    return str(compiled), order


def _bulk(
    session: Session, table: sa.Table, rows: list[dict], keys: list[str], counters: list[str], replace: tuple = ()
) -> None:
    # Straight to the driver's executemany: for batches of thousands of rows, SQLAlchemy's per-row
    # parameter processing costs more than the database's work. Values here are plain str, int and
    # date (SQLite stores dates as ISO text, as SQLAlchemy does).
    if not rows:
        return
    rows = sorted(rows, key=lambda row: tuple(row[key] for key in keys))
    connection = session.connection()
    dialect = connection.dialect.name
    sql, order = _bulk_sql(dialect, table, tuple(rows[0]), tuple(keys), tuple(counters), tuple(replace))
    # SQLite's driver takes positional tuples; psycopg takes the dicts as they are.
    params = [tuple(_plain(row[name]) for name in order) for row in rows] if order else rows
    connection.exec_driver_sql(sql, params)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def upsert_add(session: Session, table: sa.Table, rows: list[dict], *, keys: list[str], counters: list[str]) -> None:
    """Insert rows; where a row with the same keys exists, add the new counters to it. Atomic per row
    on both databases, so concurrent writers never lose a count. Rows are sorted by key so that two
    writers lock rows in the same order (no deadlock on PostgreSQL)."""
    _bulk(session, table, rows, keys, counters)


def upsert_replace(session: Session, table: sa.Table, rows: list[dict], *, keys: list[str]) -> None:
    """Insert rows; where a row with the same keys exists, its other columns take the new values."""
    if rows:
        _bulk(session, table, rows, keys, [], tuple(name for name in rows[0] if name not in keys))


def insert_new(session: Session, table: sa.Table, rows: list[dict], *, keys: list[str]) -> None:
    """Insert rows, silently keeping the existing row where the keys are taken."""
    _bulk(session, table, rows, keys, [])


_RETURNING_CHUNK = 256  # rows per statement: well inside both databases' limits on parameters


def _chunk_sizes(count: int) -> list[int]:
    """`count` rows as statements of power-of-two sizes (300 → 256, 32, 8, 4), so that each table
    has at most nine shapes of statement to compile, whatever the sizes of the batches; compiling
    one for every size a batch happened to have took the writer's time (40% of it under load)."""
    sizes = [_RETURNING_CHUNK] * (count // _RETURNING_CHUNK)
    rest = count % _RETURNING_CHUNK
    sizes += [1 << bit for bit in range(rest.bit_length() - 1, -1, -1) if rest >> bit & 1]
    return sizes


@lru_cache(maxsize=256)
def _returning_sql(
    dialect_name: str,
    table: sa.Table,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    returning: tuple[str, ...],
    rows: int,
) -> tuple[str, tuple[str, ...]]:
    """`INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING RETURNING …` for `rows` rows (a power of
    two), compiled once per size."""
    values = [{name: sa.bindparam(f"{name}_{i}") for name in columns} for i in range(rows)]
    statement = (
        _insert_for(dialect_name, table)
        .values(values)
        .on_conflict_do_nothing(index_elements=list(keys))
        .returning(*(table.c[name] for name in returning))
    )
    compiled = statement.compile(dialect=_DIALECTS[dialect_name]())
    return str(compiled), tuple(compiled.positiontup) if compiled.positional else ()


def insert_new_returning(
    session: Session, table: sa.Table, rows: list[dict], *, keys: list[str], returning: list[str]
) -> list[tuple]:
    """Insert rows, keeping the existing row where the keys are taken; returns `returning` of the
    rows that were new. Atomic per row on both databases: of two writers inserting the same row,
    exactly one is told it was new (what exact distinct counts are kept with)."""
    if not rows:
        return []
    rows = sorted(rows, key=lambda row: tuple(row[key] for key in keys))
    connection = session.connection()
    dialect = connection.dialect.name
    columns = tuple(rows[0])
    inserted: list[tuple] = []
    start = 0
    for size in _chunk_sizes(len(rows)):
        chunk = rows[start : start + size]
        start += size
        sql, order = _returning_sql(dialect, table, columns, tuple(keys), tuple(returning), len(chunk))
        named = {f"{name}_{i}": row[name] for i, row in enumerate(chunk) for name in columns}
        params = tuple(_plain(named[name]) for name in order) if order else named
        inserted += [tuple(row) for row in connection.exec_driver_sql(sql, params)]
    return inserted
