"""Personal access tokens: how scripts, phone shortcuts and home dashboards reach `/api/v1`."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Column, Field, SQLModel

from accumulator.db import UTCDateTime, utcnow

NAME_MAX = 100
READ, WRITE = "read", "write"
SCOPES = (READ, WRITE)


class ApiToken(SQLModel, table=True):
    """One token. As for login sessions, only a keyed hash of the token is stored: a copy of the
    database (a backup, a leaked dump) holds nothing that opens the API."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    scope: str = Field(max_length=8)  # "read" | "write"
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Written at most once a minute per token (see service.TOUCH_INTERVAL), not on every request.
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_used_ip: str = Field(default="", max_length=64)
