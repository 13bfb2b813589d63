"""What became of each backup: when it ran, how big the archive was, or why it failed.

A scheduled run claims its day by inserting its row first (`day` is unique), so of two processes
that both believe they lead, only one takes that day's backup. Manual runs have no day.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger
from sqlmodel import Column, Field, SQLModel, Text

from accumulator.db import UTCDateTime, utcnow

ERROR_MAX = 2000


class BackupRun(SQLModel, table=True):
    __tablename__ = "backup_run"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # "scheduled" | "manual" | "before-replace"
    day: date | None = Field(default=None, unique=True)  # the owner's day a scheduled run belongs to
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    ok: bool | None = None  # None while it runs
    size: int | None = Field(default=None, sa_column=Column(BigInteger(), nullable=True))
    archive: str = Field(default="", max_length=255)  # the archive's file name (no directory)
    error: str = Field(default="", sa_column=Column(Text(), nullable=False))
