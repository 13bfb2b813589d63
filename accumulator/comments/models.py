"""Comments on the owner's sites, their authors, the moderation settings per site, the owner's word
filter, and the notices the owner is sent about new comments and contact messages.

An author is a random id the reader's browser keeps (signed, in localStorage): no IP address and no
cookie. A comment is `published` (readers see it), `held` (waiting for the owner) or `hidden`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Column, Field, SQLModel, Text

from accumulator.db import UTCDateTime, utcnow

SITE_MAX = 64  # as analytics' sites and paths
PATH_MAX = 512
NAME_MAX = 80
BODY_MAX = 5000
WORD_MAX = 64
DEPTH_MAX = 2  # a comment (0), a reply (1), a reply to the reply (2); deeper replies stay at 2

PUBLISHED, HELD, HIDDEN = "published", "held", "hidden"
PUBLISH, HOLD_NEW = "publish", "hold_new"  # per-site moderation


class CommentSite(SQLModel, table=True):
    __tablename__ = "comment_site"

    site: str = Field(primary_key=True, max_length=SITE_MAX)
    moderation: str = Field(default=HOLD_NEW, max_length=16)


class CommentAuthor(SQLModel, table=True):
    __tablename__ = "comment_author"

    id: str = Field(primary_key=True, max_length=24)
    trusted: bool = False  # the owner approved one of their comments: no longer held
    blocked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Comment(SQLModel, table=True):
    __tablename__ = "comment"
    __table_args__ = (
        Index("ix_comment_page", "site", "path", "status"),  # a page's comments, and the counts
        Index("ix_comment_status_created", "status", "created_at"),  # the owner's queue
        Index("ix_comment_parent", "parent_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    site: str = Field(max_length=SITE_MAX)
    path: str = Field(max_length=PATH_MAX)
    parent_id: int | None = Field(default=None, foreign_key="comment.id", ondelete="CASCADE")
    depth: int = 0
    author_name: str = Field(default="", max_length=NAME_MAX)
    author_id: str | None = Field(default=None, foreign_key="comment_author.id", ondelete="SET NULL", max_length=24)
    is_owner: bool = False
    body: str = Field(sa_column=Column(Text(), nullable=False))  # what was written (markdown-lite)
    body_html: str = Field(sa_column=Column(Text(), nullable=False))  # rendered and sanitised once, at writing
    status: str = Field(default=PUBLISHED, max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class CommentWord(SQLModel, table=True):
    """One word of the owner's filter, in lower case; matched as a whole word only."""

    __tablename__ = "comment_word"

    word: str = Field(primary_key=True, max_length=WORD_MAX)


class OwnerNotice(SQLModel, table=True):
    """Something the owner is told about (a new comment, a held one, a contact message), written in
    the transaction that stored it; a job sends the unsent ones as one digest."""

    __tablename__ = "owner_notice"
    __table_args__ = (Index("ix_owner_notice_sent", "sent_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # comment | held | contact
    summary: str = Field(max_length=300)
    url: str = Field(default="", max_length=300)  # where in the app to look
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
