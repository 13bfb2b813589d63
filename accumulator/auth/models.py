"""The owner account and its login sessions."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Column, Field, SQLModel

from accumulator.db import UTCDateTime, utcnow


class Owner(SQLModel, table=True):
    """The single person who owns this Accumulator."""

    __tablename__ = "owner"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=512)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class OwnerSession(SQLModel, table=True):
    """One logged-in browser. Only a keyed hash of the cookie's token is stored."""

    __tablename__ = "owner_session"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
