"""Notifications: each alert raised, its delivery on each channel (the claim that makes it go out at
most once per channel), every attempt, the owner's Apprise channels, routing and preferences.

Channels are named by a short key: "email" and "push" are built in (configured by SMTP_* settings
and by browsers subscribing); "apprise-<id>" are the owner's Apprise URLs. Nothing here stores a
built-in channel as a row, so a fresh database (or a test that empties every table) still has them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Column, Field, SQLModel, Text

from accumulator.db import UTCDateTime, utcnow

KEY_MAX = 200
KIND_MAX = 40
CHANNEL_MAX = 40
TITLE_MAX = 200
LINK_MAX = 500
ERROR_MAX = 500
NAME_MAX = 60


class NotifyAlert(SQLModel, table=True):
    """Something the owner should hear of. `key` names it for good ("backup-failed:2026-12-01"): raising
    the same key again is the same alert, so two processes raising it make one."""

    __tablename__ = "notify_alert"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=KEY_MAX, unique=True)
    kind: str = Field(max_length=KIND_MAX)
    title: str = Field(max_length=TITLE_MAX)
    body: str = Field(default="", sa_column=Column(Text(), nullable=False))  # plain text (e-mail, Apprise)
    summary: str = Field(default="", max_length=300)  # one line for a phone's lock screen (push)
    html: str = Field(default="", sa_column=Column(Text(), nullable=False))  # e-mail's HTML part, if any
    tag: str = Field(default="", max_length=40)  # push: a newer notification of the same tag replaces it
    link: str = Field(default="", max_length=LINK_MAX)  # a path in the app ("/plants") or a full URL
    actions: str = Field(default="[]", sa_column=Column(Text(), nullable=False))  # JSON list of {action, label, token}
    urgent: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class NotifyDelivery(SQLModel, table=True):
    """One alert on one channel. The unique pair is the claim: whatever the number of processes, a
    channel gets an alert once. `status`: "pending" (waiting for `next_at`: a retry, or the end of
    quiet hours), "sending" (claimed until `lease_until`), "sent", "failed" (permanently, or given up)."""

    __tablename__ = "notify_delivery"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel", name="uq_notify_delivery"),
        Index("ix_notify_delivery_due", "status", "next_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="notify_alert.id", ondelete="CASCADE")
    channel: str = Field(max_length=CHANNEL_MAX)
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_error: str = Field(default="", max_length=ERROR_MAX)
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class NotifyAttempt(SQLModel, table=True):
    """One try of one delivery: when, how long, and how it ended ("ok", "transient", "permanent")."""

    __tablename__ = "notify_attempt"
    __table_args__ = (Index("ix_notify_attempt_channel_at", "channel", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int | None = Field(default=None, foreign_key="notify_delivery.id", ondelete="CASCADE")
    channel: str = Field(max_length=CHANNEL_MAX)
    kind: str = Field(max_length=KIND_MAX)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    duration_ms: int = 0
    outcome: str = Field(max_length=10)
    error: str = Field(default="", max_length=ERROR_MAX)


class NotifyApprise(SQLModel, table=True):
    """An Apprise channel the owner added (ntfy, Gotify, Discord, a JSON webhook…). Its URL holds the
    channel's secrets, so it lives apart (NotifyAppriseUrl), out of backups without --include-secrets."""

    __tablename__ = "notify_apprise"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    masked: str = Field(default="", max_length=120)  # what the page shows of the URL
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class NotifyAppriseUrl(SQLModel, table=True):
    __tablename__ = "notify_apprise_url"

    channel_id: int = Field(foreign_key="notify_apprise.id", ondelete="CASCADE", primary_key=True)
    url: str = Field(sa_column=Column(Text(), nullable=False))


class NotifyRoute(SQLModel, table=True):
    """Whether alerts of `kind` go to `channel`; a pair without a row goes (every channel gets every
    kind until the owner says otherwise)."""

    __tablename__ = "notify_route"

    kind: str = Field(primary_key=True, max_length=KIND_MAX)
    channel: str = Field(primary_key=True, max_length=CHANNEL_MAX)
    enabled: bool = True


class NotifyPreferences(SQLModel, table=True):
    """The owner's choices (one row, id 1; no row: the defaults). Times are HH:MM in TIMEZONE."""

    __tablename__ = "notify_preferences"

    id: int = Field(default=1, primary_key=True)
    quiet_start: str = Field(default="", max_length=5)  # "" : no quiet hours
    quiet_end: str = Field(default="", max_length=5)
    spike_views: int = 0  # page views in the last hour that make a traffic alert; 0: off
    # Or (as well) a multiple of the usual for that hour of the day: the same hour's average over
    # the last `spike_days` days. 0: off. The floor keeps a quiet site (2 views an hour) from
    # alerting at 6.
    spike_factor: float = 0.0
    spike_floor: int = 20
    spike_days: int = 7
    # The weekly digest: off by default; weekday 0 is Monday, the time HH:MM in TIMEZONE.
    weekly_on: bool = False
    weekly_weekday: int = 0
    weekly_time: str = Field(default="08:00", max_length=5)


class NotifyActionUse(SQLModel, table=True):
    """An action token that was used (its random id): a token acts once, whoever replays it."""

    __tablename__ = "notify_action_use"

    nonce: str = Field(primary_key=True, max_length=32)
    used_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
