"""analytics rollups: what the dashboard reads, kept at write time

Per site and day (views, likes, distinct visitors), per site and day by dimension, per site by
dimension for all time, and a page's distinct visitors per day. Existing counts (the history
imported from the original included) are carried into them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_site_stat",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "site"),
    )
    op.create_table(
        "daily_site_dimension",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "site", "kind", "value"),
    )
    op.create_table(
        "site_dimension_total",
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("site", "kind", "value"),
    )
    op.create_table(
        "daily_site_visitor",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("visitor_hash", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("day", "site", "visitor_hash"),
    )
    with op.batch_alter_table("daily_page_stat") as batch:
        batch.add_column(sa.Column("visitors", sa.Integer(), nullable=False, server_default="0"))

    # Carry the counts there are into the rollups.
    op.execute(
        "INSERT INTO daily_site_visitor (day, site, visitor_hash) "
        "SELECT DISTINCT day, site, visitor_hash FROM daily_visitor"
    )
    op.execute(
        "UPDATE daily_page_stat SET visitors = (SELECT COUNT(*) FROM daily_visitor v "
        "WHERE v.day = daily_page_stat.day AND v.site = daily_page_stat.site AND v.path = daily_page_stat.path)"
    )
    op.execute(
        "INSERT INTO daily_site_stat (day, site, views, likes, visitors) "
        "SELECT day, site, SUM(views), SUM(likes), 0 FROM daily_page_stat GROUP BY day, site"
    )
    op.execute(
        "UPDATE daily_site_stat SET visitors = (SELECT COUNT(*) FROM daily_site_visitor v "
        "WHERE v.day = daily_site_stat.day AND v.site = daily_site_stat.site)"
    )
    op.execute(
        "INSERT INTO daily_site_dimension (day, site, kind, value, views) "
        "SELECT day, site, kind, value, SUM(views) FROM daily_dimension GROUP BY day, site, kind, value"
    )
    op.execute(
        "INSERT INTO site_dimension_total (site, kind, value, views) "
        "SELECT site, kind, value, SUM(views) FROM daily_dimension GROUP BY site, kind, value"
    )


def downgrade() -> None:
    with op.batch_alter_table("daily_page_stat") as batch:
        batch.drop_column("visitors")
    op.drop_table("daily_site_visitor")
    op.drop_table("site_dimension_total")
    op.drop_table("daily_site_dimension")
    op.drop_table("daily_site_stat")
