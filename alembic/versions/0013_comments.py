"""comments: comments and their authors, per-site moderation, the word filter, contact messages
and the owner's notices

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from accumulator.db import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The original app's fallback list, now matched as whole words; the owner edits it on /comments.
FIRST_WORDS = (
    "fuck", "shit", "bitch", "asshole", "bastard", "madarchod", "behenchod", "chutiya", "gandu", "randi",
    "mc", "bc", "stfu",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "comment_site",
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("moderation", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("site"),
    )
    op.create_table(
        "comment_author",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("blocked_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(length=80), nullable=False),
        sa.Column("author_id", sa.String(length=24), nullable=True),
        sa.Column("is_owner", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["comment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["comment_author.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comment_page", "comment", ["site", "path", "status"])
    op.create_index("ix_comment_status_created", "comment", ["status", "created_at"])
    op.create_index("ix_comment_parent", "comment", ["parent_id"])
    words = op.create_table(
        "comment_word",
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("word"),
    )
    op.bulk_insert(words, [{"word": word} for word in FIRST_WORDS])
    op.create_table(
        "contact_message",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contact_message_created", "contact_message", ["created_at"])
    op.create_table(
        "owner_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_owner_notice_sent", "owner_notice", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_owner_notice_sent", table_name="owner_notice")
    op.drop_table("owner_notice")
    op.drop_index("ix_contact_message_created", table_name="contact_message")
    op.drop_table("contact_message")
    op.drop_table("comment_word")
    op.drop_index("ix_comment_parent", table_name="comment")
    op.drop_index("ix_comment_status_created", table_name="comment")
    op.drop_index("ix_comment_page", table_name="comment")
    op.drop_table("comment")
    op.drop_table("comment_author")
    op.drop_table("comment_site")
