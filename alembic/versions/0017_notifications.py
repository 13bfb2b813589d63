"""notify: alerts, their deliveries per channel (the at-most-once claim), attempts, Apprise
channels (the URL apart: it is a secret), routes, preferences and used action tokens

Besides a wider reminder_delivery.channel, new tables only: the push subscriptions, VAPID keys,
plant reminder claims and comment notices stay as they are (the plant digest and the comment
digest keep their own claims and now send through these tables).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from accumulator.db import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notify_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "notify_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["notify_alert.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "channel", name="uq_notify_delivery"),
    )
    op.create_index("ix_notify_delivery_due", "notify_delivery", ["status", "next_at"])
    op.create_table(
        "notify_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["notify_delivery.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notify_attempt_channel_at", "notify_attempt", ["channel", "at"])
    op.create_table(
        "notify_apprise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("masked", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "notify_apprise_url",
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["notify_apprise.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("channel_id"),
    )
    op.create_table(
        "notify_route",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "channel"),
    )
    op.create_table(
        "notify_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiet_start", sa.String(length=5), nullable=False),
        sa.Column("quiet_end", sa.String(length=5), nullable=False),
        sa.Column("spike_views", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "notify_action_use",
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce"),
    )
    # Plant reminders now go to the owner's Apprise channels too ("apprise-<id>"): wider channel names.
    with op.batch_alter_table("reminder_delivery") as batch:
        batch.alter_column("channel", existing_type=sa.String(length=10), type_=sa.String(length=40))


def downgrade() -> None:
    # Claims of Apprise channels have no place in the narrower column (nor any meaning without them).
    op.execute("DELETE FROM reminder_delivery WHERE channel NOT IN ('email', 'push')")
    with op.batch_alter_table("reminder_delivery") as batch:
        batch.alter_column("channel", existing_type=sa.String(length=40), type_=sa.String(length=10))
    op.drop_table("notify_action_use")
    op.drop_table("notify_preferences")
    op.drop_table("notify_route")
    op.drop_table("notify_apprise_url")
    op.drop_table("notify_apprise")
    op.drop_index("ix_notify_attempt_channel_at", table_name="notify_attempt")
    op.drop_table("notify_attempt")
    op.drop_index("ix_notify_delivery_due", table_name="notify_delivery")
    op.drop_table("notify_delivery")
    op.drop_table("notify_alert")
