"""analytics counters

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "daily_dimension",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "site", "path", "kind", "value"),
    )
    op.create_table(
        "daily_page_stat",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "site", "path"),
    )
    op.create_table(
        "daily_salt",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "daily_visitor",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("visitor_hash", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("day", "site", "path", "visitor_hash"),
    )
    op.create_table(
        "page_stat",
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("site", "path"),
    )


def downgrade() -> None:

    op.drop_table("page_stat")
    op.drop_table("daily_visitor")
    op.drop_table("daily_salt")
    op.drop_table("daily_page_stat")
    op.drop_table("daily_dimension")
