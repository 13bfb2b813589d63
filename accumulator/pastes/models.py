"""Pastes and their attached files.

Ids and share slugs are random (96 bits), so neither can be guessed or counted through. A file row
with no paste is an upload that has not been attached yet (or was left behind): cleanup removes it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index
from sqlmodel import Column, Field, SQLModel, Text

from accumulator.db import UTCDateTime, utcnow

TITLE_MAX = 200
NAME_MAX = 255
CONTENT_MAX = 1024 * 1024  # bytes of UTF-8 text


class Paste(SQLModel, table=True):
    __tablename__ = "paste"
    # Cleanup looks for expired pastes by time.
    __table_args__ = (Index("ix_paste_expires_at", "expires_at"),)

    id: str = Field(primary_key=True, max_length=24)
    slug: str = Field(max_length=24, unique=True)
    title: str = Field(default="", max_length=TITLE_MAX)
    content: str = Field(default="", sa_column=Column(Text(), nullable=False))
    size: int = 0  # bytes of content, so the list never loads the text
    language: str = Field(default="auto", max_length=40)  # what the owner chose
    shown_as: str = Field(default="text", max_length=40)  # the lexer used: the choice, or what "auto" found
    is_shared: bool = False
    burn_after_reading: bool = False
    # Set when a burn-after-reading paste with files was read: its text is gone, its files wait
    # a few minutes for the one reader who holds signed links, then expire.
    expiry: str = Field(default="1w", max_length=8)  # the chosen lifetime, offered again on edit
    burned_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class PasteFile(SQLModel, table=True):
    __tablename__ = "paste_file"
    __table_args__ = (Index("ix_paste_file_paste", "paste_id"),)

    # Also the name on disk: nothing the user sent ever becomes part of a path.
    id: str = Field(primary_key=True, max_length=24)
    paste_id: str | None = Field(default=None, foreign_key="paste.id", ondelete="CASCADE", max_length=24)
    name: str = Field(max_length=NAME_MAX)  # the original name, for downloads only
    content_type: str = Field(default="application/octet-stream", max_length=200)
    size: int = Field(sa_column=Column(BigInteger(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class PasteOpen(SQLModel, table=True):
    """Opens of a shared paste by anyone but the owner (the read receipts), counted per paste, UTC
    day, view and reader label. No IP and no user agent: only the label (`receipts.classify`),
    drawn from a fixed list, so a paste gets at most views times labels rows a day whatever a hostile
    reader sends, and the paste cleanup forgets days past KEEP_DAYS."""

    __tablename__ = "paste_open"
    __table_args__ = (Index("ix_paste_open_day", "day"),)

    paste_id: str = Field(foreign_key="paste.id", ondelete="CASCADE", primary_key=True, max_length=24)
    day: date = Field(primary_key=True)
    view: str = Field(primary_key=True, max_length=8)  # "page" | "raw" | "embed"
    reader: str = Field(primary_key=True, max_length=40)  # "browser", "Slack preview", "crawler"…
    bot: bool = False
    opens: int = 0
    last_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
