"""import ledger: what was brought in from the original Phoenix app, and what it became

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from accumulator.db import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=512), nullable=False),
        sa.Column("target_id", sa.String(length=600), nullable=False),
        sa.Column("link_target", sa.String(length=64), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "source_id", name="uq_import_ledger_source"),
    )
    op.create_index("ix_import_ledger_target", "import_ledger", ["kind", "target_id"])


def downgrade() -> None:
    op.drop_index("ix_import_ledger_target", table_name="import_ledger")
    op.drop_table("import_ledger")
