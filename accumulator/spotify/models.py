"""The Spotify connection and the last good copy of what Spotify told us.

Visitors only ever read these rows; only the job leader (and the owner's connect step) calls Spotify.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index
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


class SpotifyTrack(SQLModel, table=True):
    """A track as heard (from the API or the owner's export), shared by all its plays, so the stats
    group small integers, not strings. `key` is Spotify's track id, or a digest of the names when an
    export row has no URI."""

    __tablename__ = "spotify_track"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=500)
    artists: str = Field(max_length=1000)  # every artist, as shown ("A, B")
    artist: str = Field(max_length=500, index=True)  # the first one, what artist stats group by
    album: str = Field(max_length=500)
    duration_ms: int = 0
    # The earliest play of this track, kept on insert: "first play of an artist" reads the tracks,
    # never the whole play table.
    first_played_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Totals over every play, kept on insert: the all-time top lists read these, not 200,000 plays.
    plays: int = Field(default=0, index=True)
    listened_ms: int = Field(default=0, sa_type=BigInteger)


class SpotifyPlay(SQLModel, table=True):
    """One play, keyed by when it started (UTC, whole seconds): inserted only if new, so several
    pollers, instances or imports never count a play twice."""

    __tablename__ = "spotify_play"
    __table_args__ = (
        # Every stats query reads a range of played_at and only these columns (see 0015).
        Index(
            "ix_spotify_play_stats",
            "played_at",
            "track_id",
            "listened_ms",
            "local_day",
            "local_hour",
            "local_weekday",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    played_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, unique=True))  # the start
    ended_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    track_id: int = Field(foreign_key="spotify_track.id", ondelete="CASCADE")
    listened_ms: int = 0
    estimated: bool = False  # listened_ms assumed (the full track), not measured
    source: str = Field(max_length=8)  # "poll", "recent" or "import"
    # The start in the owner's zone (TIMEZONE when recorded), so hour, weekday and day stats group
    # plain columns on both databases.
    local_day: date
    local_hour: int
    local_weekday: int  # 0 = Monday


class SpotifyHistoryLock(SQLModel, table=True):
    """One row that every recording transaction updates first: recorders on any instance take
    turns, so the "is this play already here?" check and the insert are never interleaved."""

    __tablename__ = "spotify_history_lock"

    id: int = Field(default=1, primary_key=True)
    touched_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class SpotifyListeningHour(SQLModel, table=True):
    """Plays and time listened per hour of a local day, kept on insert: totals, days, streaks,
    months, hours and weekdays of any range read a few thousand of these rows, not the plays."""

    __tablename__ = "spotify_listening_hour"

    local_day: date = Field(primary_key=True)
    local_hour: int = Field(primary_key=True)
    plays: int = 0
    listened_ms: int = Field(default=0, sa_type=BigInteger)


class SpotifyListeningDay(SQLModel, table=True):
    """Plays and time listened per local day, kept on insert: all time is a few thousand rows."""

    __tablename__ = "spotify_listening_day"

    local_day: date = Field(primary_key=True)
    plays: int = 0
    listened_ms: int = Field(default=0, sa_type=BigInteger)


class SpotifyListeningMonthHour(SQLModel, table=True):
    """Plays and time listened per hour of day over a local month: "by hour of day" for long ranges
    reads whole months here (and the days at either end from spotify_listening_hour)."""

    __tablename__ = "spotify_listening_month_hour"

    month: date = Field(primary_key=True)  # its first day
    local_hour: int = Field(primary_key=True)
    plays: int = 0
    listened_ms: int = Field(default=0, sa_type=BigInteger)
