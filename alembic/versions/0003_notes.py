"""notes: workspaces, notes, their search index, and the default workspace

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Search: on PostgreSQL a generated tsvector column with a GIN index (the database keeps it in step
with the text); on SQLite an FTS5 table over the notes, kept in step by the notes service.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from accumulator.db import UTCDateTime, utcnow

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    workspace = op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
    )
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=100000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_note_workspace_created", "note", ["workspace_id", "created_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE note ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED"
        )
        op.execute("CREATE INDEX ix_note_search_vector ON note USING gin (search_vector)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE note_fts USING fts5("
            "text, content='note', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
    # A new install starts with one workspace to write in.
    op.bulk_insert(
        workspace,
        [{"title": "default", "is_public": False, "public_id": secrets.token_urlsafe(16), "created_at": utcnow()}],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS note_fts")
    op.drop_table("note")
    op.drop_table("workspace")
