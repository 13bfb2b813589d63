"""Workspaces and the notes in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Column, Field, SQLModel

from accumulator.db import UTCDateTime, utcnow

TITLE_MAX = 100
NOTE_MAX = 100_000


class Workspace(SQLModel, table=True):
    __tablename__ = "workspace"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=TITLE_MAX)
    is_public: bool = False
    # Unguessable (128 bits), so a public workspace is found only by those given its link.
    public_id: str = Field(max_length=32, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Note(SQLModel, table=True):
    __tablename__ = "note"
    # A workspace's notes are always read by time.
    __table_args__ = (Index("ix_note_workspace_created", "workspace_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    text: str = Field(max_length=NOTE_MAX)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
