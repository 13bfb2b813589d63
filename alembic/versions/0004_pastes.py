"""pastes: pastes and their attached files

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from accumulator.db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paste",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("slug", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=40), nullable=False),
        sa.Column("shown_as", sa.String(length=40), nullable=False),
        sa.Column("is_shared", sa.Boolean(), nullable=False),
        sa.Column("burn_after_reading", sa.Boolean(), nullable=False),
        sa.Column("expiry", sa.String(length=8), nullable=False),
        sa.Column("burned_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_index("ix_paste_expires_at", "paste", ["expires_at"])
    op.create_table(
        "paste_file",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("paste_id", sa.String(length=24), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["paste_id"], ["paste.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_paste_file_paste", "paste_file", ["paste_id"])


def downgrade() -> None:
    op.drop_table("paste_file")
    op.drop_table("paste")
