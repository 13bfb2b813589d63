"""Reading a live database in one consistent snapshot, and what of it is secret or a stored file.

The snapshot is one read transaction: REPEATABLE READ READ ONLY on PostgreSQL (every statement sees
the database as of the first one), an explicit BEGIN on SQLite (in WAL mode a read transaction sees
the database as of its first read, while the app goes on writing). Rows are streamed (a server-side
cursor on PostgreSQL) a few thousand at a time, never a whole table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from accumulator.models import SEARCH_INDEX_TABLES

BATCH = 5000

# Kept by the databases themselves or rebuilt from the notes: never in an archive.
NOT_DATA = frozenset({"alembic_version", *SEARCH_INDEX_TABLES})

# Left out unless --include-secrets, each with what leaving it out means after a restore.
SECRET_TABLES = {
    "owner_session": "every session is logged out (only hashes of session tokens are stored, but they are keys)",
    "app_secret": "a new VAPID key pair is made on first use",
    "push_subscription": "browsers enable notifications again (they were bound to the old VAPID key)",
    # Apprise URLs hold the services' tokens and passwords; the channels themselves (names, routes) stay.
    "notify_apprise_url": "each Apprise notification channel is listed without its URL: add it again",
}


@dataclass(frozen=True)
class FileRef:
    """A column naming a file in one of the stores (`Services.file_store` "pastes", `photo_store` "photos")."""

    table: str
    column: str
    store: str


# Every stored file is named by one of these columns; a backup holds exactly the files they name.
FILE_REFS = (FileRef("paste_file", "id", "pastes"), FileRef("plant", "photo_id", "photos"))


def ours(name: str) -> bool:
    return name not in NOT_DATA and not name.startswith("sqlite_")


def data_tables(connection: Connection) -> list[sa.Table]:
    """Our tables as they are in this database (whatever its revision), parents before children,
    without the columns the database computes itself (the notes' tsvector)."""
    metadata = sa.MetaData()
    metadata.reflect(bind=connection, only=lambda name, _meta: ours(name))
    return list(metadata.sorted_tables)


def stored_columns(table: sa.Table) -> list[sa.Column]:
    return [column for column in table.columns if column.computed is None]


@dataclass
class Snapshot:
    connection: Connection
    revision: str
    tables: list[sa.Table]

    def rows(self, table: sa.Table) -> Iterator[sa.Row]:
        columns = stored_columns(table)
        key = list(table.primary_key.columns) or columns
        query = sa.select(*columns).order_by(*key)  # a stable order: archives of the same data compare equal
        result = self.connection.execution_options(stream_results=True, yield_per=BATCH).execute(query)
        yield from result

    def file_ids(self, ref: FileRef) -> Iterator[str]:
        table = next((table for table in self.tables if table.name == ref.table), None)
        if table is None:
            return
        column = table.c[ref.column]
        query = sa.select(column).where(column.is_not(None))
        for (file_id,) in self.connection.execution_options(stream_results=True, yield_per=BATCH).execute(query):
            yield file_id


@contextmanager
def snapshot(engine: Engine) -> Iterator[Snapshot]:
    with engine.connect() as raw:
        if engine.dialect.name == "sqlite":
            # The driver would open its transaction only before a write: take the read one ourselves.
            connection = raw.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("BEGIN")
        else:
            connection = raw.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            connection.begin()
        try:
            revision = current_revision(connection)  # the first read: the snapshot starts here
            yield Snapshot(connection=connection, revision=revision, tables=data_tables(connection))
        finally:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("ROLLBACK")
            else:
                connection.rollback()


def current_revision(connection: Connection) -> str:
    if not sa.inspect(connection).has_table("alembic_version"):
        raise LookupError("the database has no tables of Accumulator yet (run `make migrate`)")
    revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    if not revision:
        raise LookupError("the database has no Alembic revision (run `make migrate`)")
    return str(revision)
