"""Importing Spotify's "Extended streaming history" (`Streaming_History_Audio_*.json`, from a
privacy request on spotify.com/account): a JSON list of plays, each with `ts` (when it stopped,
UTC), `ms_played`, the track, artist and album names and `spotify_track_uri`.

All or nothing: a file that is not such a list (not JSON, another shape, too big) refuses the whole
import before anything is written; a row that is not a song play (a podcast episode, an audiobook,
an ad, a skip under 30 s) or cannot be stored (NUL, broken Unicode, a huge string, no time) is
skipped and counted with its reason. Running it again adds nothing: plays are matched and keyed by
their start as everywhere else (history.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from accumulator.db import utcnow
from accumulator.inputs import InputError, clean_text, parse_json
from accumulator.spotify import history

FILE_MAX_BYTES = 64 * 1024 * 1024  # Spotify splits the export into files of about 12 MB
ROW_TEXT_MAX = 500
MS_PLAYED_MAX = 24 * 3600 * 1000  # a day: anything longer is not one play
EARLIEST = datetime(2006, 1, 1, tzinfo=UTC)  # before Spotify existed


class ImportRefused(Exception):
    """A file that is not a streaming-history export; nothing was imported. Safe to show."""


@dataclass
class ImportReport:
    files: int = 0
    read: int = 0
    added: int = 0
    already: int = 0  # recorded before (an earlier import, or seen live)
    skipped: Counter[str] = field(default_factory=Counter)

    def render(self) -> str:
        lines = [
            f"Files read:       {self.files}",
            f"Plays read:       {self.read}",
            f"Added:            {self.added}",
            f"Already recorded: {self.already}",
            f"Skipped:          {sum(self.skipped.values())}",
        ]
        lines += [f"  {count:>8}  {reason}" for reason, count in self.skipped.most_common()]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "read": self.read,
            "added": self.added,
            "already": self.already,
            "skipped": dict(self.skipped.most_common()),
        }


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    return clean_text(value, field=key, max_length=ROW_TEXT_MAX, single_line=True)


def _when(value: Any) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise InputError("ts")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError("ts") from None
    if moment.tzinfo is None or moment < EARLIEST:
        raise InputError("ts")
    return moment


def parse_row(row: Any, *, now: datetime) -> history.PlayIn | str:
    """The play of one export row, or why it is skipped."""
    if not isinstance(row, dict):
        return "not an object"
    if row.get("episode_name") or row.get("spotify_episode_uri"):
        return "podcast episode"
    if row.get("audiobook_title") or row.get("audiobook_uri"):
        return "audiobook"
    ms_played = row.get("ms_played")
    if not isinstance(ms_played, int) or isinstance(ms_played, bool) or not 0 <= ms_played <= MS_PLAYED_MAX:
        return "no valid ms_played"
    try:
        name = _text(row, "master_metadata_track_name")
        artist = _text(row, "master_metadata_album_artist_name")
        album = _text(row, "master_metadata_album_album_name")
        uri = _text(row, "spotify_track_uri")
    except InputError:
        return "text that cannot be stored (not text, NUL, broken Unicode or over 500 characters)"
    if not name:
        return "no track (an ad, or a track no longer on Spotify)"
    if ms_played < history.MIN_PLAY_MS:
        return "under 30 s (a skip; Spotify does not count it as a play either)"
    try:
        ended = _when(row.get("ts"))
    except InputError:
        return "no valid ts"
    if ended > now + timedelta(days=1):
        return "in the future"
    track_id = uri.removeprefix("spotify:track:") if uri.startswith("spotify:track:") else ""
    return history.PlayIn(
        track_key=history.track_key(track_id, name=name, artist=artist, album=album),
        name=name,
        artists=artist,
        album=album,
        duration_ms=0,  # the export does not say; the API fills it in when it sees the track
        started_at=ended - timedelta(milliseconds=ms_played),
        ended_at=ended,
        listened_ms=ms_played,
        estimated=False,
        source="import",
    )


def parse_file(name: str, data: bytes, *, now: datetime) -> tuple[list[history.PlayIn], Counter[str], int]:
    """The plays of one export file, the skipped rows by reason, and how many rows it had.
    Raises ImportRefused when the file is not an export at all."""
    if len(data) > FILE_MAX_BYTES:
        raise ImportRefused(f"{name}: larger than {FILE_MAX_BYTES // (1024 * 1024)} MB.")
    try:
        rows = parse_json(data, max_depth=4)
    except InputError as exc:
        raise ImportRefused(f"{name}: {exc}") from None
    if not isinstance(rows, list):
        raise ImportRefused(f"{name}: not a streaming-history file (expected a JSON list of plays).")
    if rows and not any(isinstance(row, dict) and "ms_played" in row and "ts" in row for row in rows[:50]):
        raise ImportRefused(f"{name}: not a streaming-history file (its entries have no ts and ms_played).")
    plays, skipped = [], Counter()
    for row in rows:
        parsed = parse_row(row, now=now)
        if isinstance(parsed, str):
            skipped[parsed] += 1
        else:
            plays.append(parsed)
    return plays, skipped, len(rows)


def import_files(session: Session, *, files: list[tuple[str, bytes]], zone: ZoneInfo) -> ImportReport:
    """Import every file, or none (any refused file raises before a row is written)."""
    now = utcnow()
    report = ImportReport(files=len(files))
    plays: list[history.PlayIn] = []
    for name, data in files:
        found, skipped, read = parse_file(name, data, now=now)
        plays += found
        report.skipped += skipped
        report.read += read
    recorded = history.record_plays(session, plays=plays, zone=zone, now=now)
    report.added, report.already = recorded.added, recorded.matched
    return report
