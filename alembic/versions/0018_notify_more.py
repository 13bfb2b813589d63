"""notify more: read receipts of shared pastes (paste_open), the traffic alert's "N times the usual"
rule and the weekly digest's schedule (new columns of notify_preferences, with defaults that keep
both off)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from accumulator.db import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFERENCE_COLUMNS = (
    ("spike_factor", sa.Float(), "0"),
    ("spike_floor", sa.Integer(), "20"),
    ("spike_days", sa.Integer(), "7"),
    ("weekly_on", sa.Boolean(), sa.false()),
    ("weekly_weekday", sa.Integer(), "0"),
    ("weekly_time", sa.String(length=5), "08:00"),
)


def upgrade() -> None:
    op.create_table(
        "paste_open",
        sa.Column("paste_id", sa.String(length=24), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("view", sa.String(length=8), nullable=False),
        sa.Column("reader", sa.String(length=40), nullable=False),
        sa.Column("bot", sa.Boolean(), nullable=False),
        sa.Column("opens", sa.Integer(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["paste_id"], ["paste.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("paste_id", "day", "view", "reader"),
    )
    op.create_index("ix_paste_open_day", "paste_open", ["day"])
    # The owner's existing preferences row (if any) takes the defaults: both new rules off.
    with op.batch_alter_table("notify_preferences") as batch:
        for name, type_, default in PREFERENCE_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=False, server_default=default))


def downgrade() -> None:
    with op.batch_alter_table("notify_preferences") as batch:
        for name, _type, _default in reversed(PREFERENCE_COLUMNS):
            batch.drop_column(name)
    op.drop_index("ix_paste_open_day", table_name="paste_open")
    op.drop_table("paste_open")
