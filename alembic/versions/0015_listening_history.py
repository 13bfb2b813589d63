"""spotify: the listening history (tracks, plays) and the lock row recorders take turns on

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from accumulator.db import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spotify_track",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("artists", sa.String(length=1000), nullable=False),
        sa.Column("artist", sa.String(length=500), nullable=False),
        sa.Column("album", sa.String(length=500), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("first_played_at", UTCDateTime(), nullable=True),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("listened_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_spotify_track_artist", "spotify_track", ["artist"])
    op.create_index("ix_spotify_track_plays", "spotify_track", ["plays"])
    op.create_table(
        "spotify_listening_hour",
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("listened_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("local_day", "local_hour"),
    )
    op.create_table(
        "spotify_listening_month_hour",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("listened_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "local_hour"),
    )
    op.create_table(
        "spotify_listening_day",
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("listened_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("local_day"),
    )
    op.create_table(
        "spotify_play",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("played_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("listened_ms", sa.Integer(), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("local_weekday", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["track_id"], ["spotify_track.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("played_at"),
    )
    # The stats read a range of played_at and only these columns: one covering index answers
    # every stats query of a range without touching the table (SQLite; PostgreSQL once vacuumed).
    op.create_index(
        "ix_spotify_play_stats",
        "spotify_play",
        ["played_at", "track_id", "listened_ms", "local_day", "local_hour", "local_weekday"],
    )
    op.create_table(
        "spotify_history_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("touched_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO spotify_history_lock (id) VALUES (1)")


def downgrade() -> None:
    op.drop_table("spotify_history_lock")
    op.drop_index("ix_spotify_play_stats", table_name="spotify_play")
    op.drop_table("spotify_play")
    op.drop_table("spotify_listening_day")
    op.drop_table("spotify_listening_month_hour")
    op.drop_table("spotify_listening_hour")
    op.drop_index("ix_spotify_track_plays", table_name="spotify_track")
    op.drop_index("ix_spotify_track_artist", table_name="spotify_track")
    op.drop_table("spotify_track")
