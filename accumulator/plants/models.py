"""Houseplants, what was done to them, and what the reminders have already said.

Care dates are the owner's calendar dates (in TIMEZONE), stored as dates: "watered on the 3rd" means
the owner's 3rd wherever the server is, and daylight-saving changes cannot move it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Column, Field, SQLModel, Text

from accumulator.db import UTCDateTime, utcnow

NAME_MAX = 100
LOCATION_MAX = 60
NOTES_MAX = 20_000
INTERVAL_MAX = 365


class Plant(SQLModel, table=True):
    __tablename__ = "plant"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    species: str = Field(default="", max_length=NAME_MAX)
    location: str = Field(default="", max_length=LOCATION_MAX)
    notes: str = Field(default="", sa_column=Column(Text(), nullable=False))  # markdown
    interval_days: int = 7
    # False: water every N days. True: check the soil every N days, water when it is dry.
    check_soil: bool = False
    last_watered_on: date | None = None
    last_checked_on: date | None = None  # a soil check that found it still moist
    snoozed_until: date | None = None
    photo_id: str | None = Field(default=None, max_length=24)  # a file in the upload store
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class CareEvent(SQLModel, table=True):
    """One thing done for a plant: watered, snoozed, or soil checked."""

    __tablename__ = "care_event"
    __table_args__ = (Index("ix_care_event_plant_day", "plant_id", "on_date"),)

    id: int | None = Field(default=None, primary_key=True)
    plant_id: int = Field(foreign_key="plant.id", ondelete="CASCADE")
    kind: str = Field(max_length=10)  # "watered" | "snoozed" | "checked"
    on_date: date  # the owner's date it happened (or, for "watered", the date given)
    until: date | None = None  # for "snoozed": the new due date
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ReminderDelivery(SQLModel, table=True):
    """A plant reminded on one channel on one of the owner's days. The unique key is what makes a
    reminder go out at most once a day per channel, whatever the number of processes or restarts."""

    __tablename__ = "reminder_delivery"
    __table_args__ = (UniqueConstraint("plant_id", "day", "channel", name="uq_reminder_delivery"),)

    id: int | None = Field(default=None, primary_key=True)
    plant_id: int = Field(foreign_key="plant.id", ondelete="CASCADE")
    day: date
    channel: str = Field(max_length=40)  # "email" | "push" | "apprise-<id>" (widened in 0017)
    sent_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


# Browser push's tables moved to the ground floor with it; re-exported for older imports.
from accumulator.push import AppSecret, PushSubscription  # noqa: E402, F401
