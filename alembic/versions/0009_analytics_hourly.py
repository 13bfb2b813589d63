"""analytics by the hour: views and likes per site and hour, and per page and hour

`hour` is the start of the hour, a naive UTC datetime (readers convert to the owner's time zone).

Nothing is backfilled: no stored counter has a time finer than the day (daily_page_stat,
daily_visitor and daily_dimension hold days; the history imported from the original app holds only
days), so the hours begin with the events written after this revision. Every existing table and row
is left as it was.

daily_dimension (per page, day and dimension) stays: ingestion no longer writes it (no dashboard read
uses it; the site rollups daily_site_dimension and site_dimension_total carry the breakdowns), but the
import of the original app still keeps its per-page history there.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hourly_site_stat",
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "site"),
    )
    op.create_table(
        "hourly_page_stat",
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "site", "path"),
    )


def downgrade() -> None:
    op.drop_table("hourly_page_stat")
    op.drop_table("hourly_site_stat")
