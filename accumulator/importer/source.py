"""Reading the original app's PostgreSQL database, in read-only transactions only."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

# The columns read from each table the import uses. A column an older schema lacks reads as None.
COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("id", "email", "hashed_password", "inserted_at"),
    "stats": ("id", "slug", "views", "likes"),
    "daily_stats": ("id", "slug", "date", "views", "likes"),
    "daily_user_agent_stats": ("id", "date", "browser", "os", "device", "count"),
    "workspaces": ("id", "title", "is_public", "inserted_at"),
    "notes": ("id", "text", "workspace_id", "inserted_at", "updated_at"),
    "pastes": ("id", "title", "content", "expire_at", "inserted_at", "files", "storage_directory"),
    "plants": (
        "id",
        "name",
        "image",
        "info",
        "care",
        "watering_frequency",
        "watered_on",
        "potting_notes",
        "inserted_at",
    ),
    "spotify": ("id", "type", "data", "expire_at", "inserted_at", "updated_at"),
    "comments": ("id", "content", "author", "blog_slug", "parent_id", "inserted_at"),
    "contact_messages": ("id", "message", "email", "inserted_at"),
}
# Tables of the original whose features this app does not have: counted in the report, not read.
NOT_IMPORTED = ("users_tokens", "year_logs", "blog_polls", "extension_bookmarks")


class SourceError(Exception):
    """The original database cannot be read; the message says why."""


def source_url(raw: str) -> str:
    """postgres://, postgresql:// and Ecto's ecto:// URLs, for psycopg 3."""
    raw = raw.strip()
    for scheme in ("postgresql+psycopg://", "postgresql://", "postgres://", "ecto://"):
        if raw.startswith(scheme):
            return "postgresql+psycopg://" + raw.removeprefix(scheme)
    raise SourceError("--source must be a PostgreSQL URL such as postgresql://user:password@host/database")


class Source:
    """The original database. Every transaction is read-only: the import cannot change it."""

    def __init__(self, url: str) -> None:
        try:
            self.engine: Engine = sa.create_engine(
                source_url(url),
                poolclass=NullPool,
                connect_args={"options": "-c default_transaction_read_only=on", "connect_timeout": 10},
            )
        except sa.exc.ArgumentError:
            raise SourceError("--source is not a valid database URL") from None
        try:
            with self.engine.connect() as connection:
                self._tables = set(sa.inspect(connection).get_table_names())
                self._columns = {
                    table: {column["name"] for column in sa.inspect(connection).get_columns(table)}
                    for table in (*COLUMNS, *NOT_IMPORTED)
                    if table in self._tables
                }
        except sa.exc.OperationalError as exc:
            self.engine.dispose()
            raise SourceError(f"cannot connect to the original database: {str(exc.orig).strip()}") from None
        if "users" not in self._tables and "stats" not in self._tables:
            self.engine.dispose()
            raise SourceError("this database has neither a users nor a stats table: is it the Phoenix app's?")

    def has(self, table: str) -> bool:
        return table in self._tables

    def rows(self, table: str) -> list[dict[str, Any]]:
        """Every row of `table`, by id, as plain dicts (jsonb decoded); [] if there is no such table."""
        if table not in self._tables:
            return []
        present = [column for column in COLUMNS[table] if column in self._columns[table]]
        query = sa.text(f'SELECT {", ".join(present)} FROM "{table}" ORDER BY id')  # noqa: S608 (names are ours)
        with self.engine.connect() as connection:
            found = [dict(row) for row in connection.execute(query).mappings()]
        for row in found:
            for column in COLUMNS[table]:
                row.setdefault(column, None)
            if isinstance(row.get("files"), str):  # json rather than jsonb in some old dumps
                row["files"] = json.loads(row["files"])
        return found

    def count(self, table: str) -> int:
        with self.engine.connect() as connection:
            return connection.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one()  # noqa: S608

    def close(self) -> None:
        self.engine.dispose()
