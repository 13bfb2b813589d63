"""breakdowns: a covering index over the day rollup of the dimensions

The breakdowns of a range sum `views` by (kind, value) over the days since its start; with this
index they are read from the index alone instead of one table lookup per row (90 days: 55 -> 27 ms
p95 on SQLite at a million page views). Nothing to carry over: an index is built from the table.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_daily_site_dimension_day_kind_value_views",
        "daily_site_dimension",
        ["day", "kind", "value", "views"],
    )


def downgrade() -> None:
    op.drop_index("ix_daily_site_dimension_day_kind_value_views", table_name="daily_site_dimension")
