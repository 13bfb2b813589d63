"""Plays from other players (Navidrome, Jellyfin, Plex scrobblers, phone apps) in the ListenBrainz
submission format, read into the same history as Spotify's (see `history.record_plays`, which
keeps each play once, so a play both Spotify and a scrobbler report is counted once).

The format (https://listenbrainz.readthedocs.io/en/latest/users/json.html): `{"listen_type":
"single" | "playing_now" | "import", "payload": [{"listened_at": unix seconds, "track_metadata":
{"artist_name", "track_name", "release_name"?, "additional_info": {"duration_ms"? | "duration"?,
"spotify_id"?, …}}}]}`. Pure: no HTTP, no session."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from accumulator.inputs import clean_text
from accumulator.spotify.history import TEXT_MAX, PlayIn, track_key

LISTEN_TYPES = ("single", "playing_now", "import")
MAX_LISTENS = 1000  # per request, as ListenBrainz itself allows
EARLIEST = datetime(2002, 1, 1, tzinfo=UTC)  # before any scrobbler; older stamps are mistakes
MAX_DURATION_MS = 24 * 3600 * 1000
_SPOTIFY_TRACK = re.compile(r"(?:open\.spotify\.com/track/|spotify:track:)([A-Za-z0-9]{1,64})")


class BadSubmission(ValueError):
    """The submission does not follow the format; the message says where, in one line."""


@dataclass(frozen=True)
class Submission:
    listen_type: str
    plays: list[PlayIn]  # empty for playing_now: what is playing is not a play yet


def _text(value: object, field: str, *, required: bool) -> str:
    if value is None and not required:
        return ""
    text = clean_text(value, field=field, max_length=TEXT_MAX, single_line=True, error=BadSubmission)
    if required and not text:
        raise BadSubmission(f"{field} must not be empty.")
    return text


def _duration_ms(info: dict[str, Any]) -> int:
    raw = info.get("duration_ms")
    if raw is None and info.get("duration") is not None:
        raw = info["duration"] * 1000 if isinstance(info["duration"], int) else info["duration"]
    if raw is None:
        return 0
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= MAX_DURATION_MS:
        raise BadSubmission("additional_info.duration_ms must be a whole number of milliseconds up to a day.")
    return raw


def _play(listen: object, index: int, now: datetime) -> PlayIn:
    where = f"payload[{index}]"
    if not isinstance(listen, dict):
        raise BadSubmission(f"{where} must be an object.")
    stamp = listen.get("listened_at")
    if not isinstance(stamp, int) or isinstance(stamp, bool):
        raise BadSubmission(f"{where}.listened_at must be a Unix time in whole seconds.")
    try:
        started = datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, OSError, ValueError):
        raise BadSubmission(f"{where}.listened_at is out of range.") from None
    if not EARLIEST <= started <= now + timedelta(minutes=5):
        raise BadSubmission(f"{where}.listened_at must be between 2002 and now.")
    metadata = listen.get("track_metadata")
    if not isinstance(metadata, dict):
        raise BadSubmission(f"{where}.track_metadata must be an object.")
    artist = _text(metadata.get("artist_name"), f"{where}.track_metadata.artist_name", required=True)
    name = _text(metadata.get("track_name"), f"{where}.track_metadata.track_name", required=True)
    album = _text(metadata.get("release_name"), f"{where}.track_metadata.release_name", required=False)
    info = metadata.get("additional_info") or {}
    if not isinstance(info, dict):
        raise BadSubmission(f"{where}.track_metadata.additional_info must be an object.")
    duration = _duration_ms(info)
    spotify = info.get("spotify_id")
    found = _SPOTIFY_TRACK.search(spotify) if isinstance(spotify, str) and len(spotify) <= TEXT_MAX else None
    return PlayIn(
        track_key=track_key(found.group(1) if found else "", name=name, artist=artist, album=album),
        name=name,
        artists=artist,
        album=album,
        duration_ms=duration,
        started_at=started,
        ended_at=started + timedelta(milliseconds=duration),
        listened_ms=duration,
        estimated=True,  # a scrobbler reports that it was played, not how much of it was heard
        source="scrobble",
    )


def parse_submission(body: object, *, now: datetime) -> Submission:
    """The plays of one submission; BadSubmission says what is wrong with the first bad part (and
    then nothing of it is kept)."""
    if not isinstance(body, dict):
        raise BadSubmission("The body must be a JSON object with listen_type and payload.")
    listen_type = body.get("listen_type")
    if listen_type not in LISTEN_TYPES:
        raise BadSubmission("listen_type must be 'single', 'playing_now' or 'import'.")
    payload = body.get("payload")
    if not isinstance(payload, list) or not payload:
        raise BadSubmission("payload must be a non-empty list of listens.")
    if listen_type != "import" and len(payload) != 1:
        raise BadSubmission(f"A '{listen_type}' submission holds exactly one listen.")
    if len(payload) > MAX_LISTENS:
        raise BadSubmission(f"At most {MAX_LISTENS} listens per submission.")
    if listen_type == "playing_now":
        listen = payload[0]
        if not isinstance(listen, dict) or not isinstance(listen.get("track_metadata"), dict):
            raise BadSubmission("payload[0].track_metadata must be an object.")
        return Submission(listen_type, [])
    return Submission(listen_type, [_play(listen, index, now) for index, listen in enumerate(payload)])
