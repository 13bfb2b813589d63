"""analytics: the joint rollup behind the dashboard's filters (page views per day of each
combination of page, referrer, country, browser, OS, device and campaign). A new table only:
the rollups kept so far hold each kind apart, so nothing older can be split jointly, and a
filtered view counts from this revision on.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VALUES = ("referrer", "country", "browser", "os", "device", "utm_source", "utm_medium", "utm_campaign")


def upgrade() -> None:
    op.create_table(
        "analytics_daily_segment",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        *(sa.Column(name, sa.String(length=128), nullable=False) for name in VALUES),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "site", "segment"),
    )
    op.create_index("ix_analytics_daily_segment_path_day", "analytics_daily_segment", ["path", "day"])


def downgrade() -> None:
    op.drop_index("ix_analytics_daily_segment_path_day", table_name="analytics_daily_segment")
    op.drop_table("analytics_daily_segment")
