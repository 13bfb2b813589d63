"""Messages sent through the contact form of the owner's site."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Column, Field, SQLModel, Text

from accumulator.db import UTCDateTime, utcnow

EMAIL_MAX = 254
MESSAGE_MAX = 5000


class ContactMessage(SQLModel, table=True):
    __tablename__ = "contact_message"
    __table_args__ = (Index("ix_contact_message_created", "created_at"),)

    id: str = Field(primary_key=True, max_length=36)  # a UUID, as the original's
    email: str = Field(max_length=EMAIL_MAX)
    message: str = Field(sa_column=Column(Text(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
