"""analytics: how people read (engaged time, scroll depth, entries and exits), open visits,
goals' distinct visitors, and page views per minute (the live "last 30 minutes"). New tables
only: earlier page views have no reading reports, so the new numbers start at zero (countries,
campaigns and goals are breakdown kinds of the existing site breakdown tables).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTERS = (
    "timed", "seconds", *(f"t{n}" for n in range(10)), "scroll25", "scroll50", "scroll75", "scroll100",
    "entries", "exits",
)  # fmt: skip


def _counters() -> list[sa.Column]:
    # Defaults in the database: a batch writes only the counters it moves.
    return [sa.Column(name, sa.Integer(), nullable=False, server_default="0") for name in COUNTERS]


def _site() -> sa.Column:
    return sa.Column("site", sa.String(length=64), nullable=False)


def _path() -> sa.Column:
    return sa.Column("path", sa.String(length=512), nullable=False)


def upgrade() -> None:
    op.create_table(
        "analytics_daily_page_depth",
        *_counters(), sa.Column("day", sa.Date(), nullable=False), _site(), _path(),
        sa.PrimaryKeyConstraint("day", "site", "path"),
    )  # fmt: skip
    op.create_index(
        "ix_analytics_daily_page_depth_visits",
        "analytics_daily_page_depth",
        ["day", "site", "path", "entries", "exits"],
    )
    op.create_table(
        "analytics_daily_site_depth",
        *_counters(), sa.Column("day", sa.Date(), nullable=False), _site(),
        sa.PrimaryKeyConstraint("day", "site"),
    )  # fmt: skip
    op.create_table("analytics_page_depth", *_counters(), _site(), _path(), sa.PrimaryKeyConstraint("site", "path"))
    op.create_table(
        "analytics_goal_visitor",
        sa.Column("day", sa.Date(), nullable=False),
        _site(),
        sa.Column("goal", sa.String(length=64), nullable=False),
        sa.Column("visitor_hash", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("day", "site", "goal", "visitor_hash"),
    )
    op.create_table(
        "analytics_visit",
        sa.Column("tab_hash", sa.String(length=32), nullable=False),
        _site(),
        _path(),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tab_hash"),
    )
    op.create_index("ix_analytics_visit_day", "analytics_visit", ["day"])
    op.create_table(
        "analytics_minute",
        sa.Column("minute", sa.Integer(), nullable=False),
        _site(),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("minute", "site"),
    )


def downgrade() -> None:
    op.drop_index("ix_analytics_visit_day", table_name="analytics_visit")
    op.drop_index("ix_analytics_daily_page_depth_visits", table_name="analytics_daily_page_depth")
    for table in ("analytics_minute", "analytics_visit", "analytics_goal_visitor", "analytics_page_depth",
                  "analytics_daily_site_depth",
                  "analytics_daily_page_depth"):  # fmt: skip
        op.drop_table(table)
