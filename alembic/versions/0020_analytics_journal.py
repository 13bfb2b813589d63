"""analytics: the mark of each embedded journal (how far its lines have been counted), moved in the
same transaction as the counts. A new table only: nothing older was journaled.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_journal_mark",
        sa.Column("journal", sa.String(length=32), nullable=False),
        sa.Column("segment", sa.Integer(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("journal"),
    )


def downgrade() -> None:
    op.drop_table("analytics_journal_mark")
