"""The Spotify connection and the last good copy of what Spotify told us.

Visitors only ever read these rows; only the job leader (and the owner's connect step) calls Spotify.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Column, Field, SQLModel, Text

from accumulator.db import UTCDateTime, utcnow


class SpotifyAccount(SQLModel, table=True):
    __tablename__ = "spotify_account"

    id: int = Field(default=1, primary_key=True)  # one owner, one Spotify account
    refresh_token: str = Field(max_length=1024)
    access_token: str = Field(default="", max_length=2048)
    access_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    scope: str = Field(default="", max_length=500)
    # Spotify refused the refresh token (revoked, or the app's access removed): the owner must connect again.
    needs_reconnect: bool = False
    connected_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class SpotifySnapshot(SQLModel, table=True):
    """One piece of Spotify data ('now_playing', 'top:tracks:short_term', …) as last fetched."""

    __tablename__ = "spotify_snapshot"

    key: str = Field(primary_key=True, max_length=40)
    data: str = Field(sa_column=Column(Text(), nullable=False))  # JSON
    fetched_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))  # the last success
    checked_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))  # the last attempt
    error: str = Field(default="", max_length=300)  # why the last attempt failed; "" when it did not
