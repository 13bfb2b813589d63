"""How far the embedded journal of each process has been counted (analytics/journal.py): moved in
the same transaction as the counts of the lines it passes, so a line is counted once, whichever
writer counts it and whatever dies when."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel


class JournalMark(SQLModel, table=True):
    __tablename__ = "analytics_journal_mark"

    journal: str = Field(primary_key=True, max_length=32)  # the appending process's random name
    segment: int = 0  # the segment being counted; the ones before it are counted and removed
    position: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))  # bytes of it counted
