"""analytics stream: the events from the Redis stream that are counted

With REDIS_URL set, accepted page views and likes are queued in a Redis stream and written by a
consumer group; each written event's key is kept here, in the transaction that counts it, so an
event delivered twice is counted once. Nothing to backfill.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from accumulator.db import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_stream_entry",
        sa.Column("entry_key", sa.String(length=40), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("entry_key"),
    )
    op.create_index("ix_analytics_stream_entry_applied_at", "analytics_stream_entry", ["applied_at"])


def downgrade() -> None:
    op.drop_index("ix_analytics_stream_entry_applied_at", table_name="analytics_stream_entry")
    op.drop_table("analytics_stream_entry")
