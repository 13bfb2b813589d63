"""Spotify: the connection's rules, what we keep of Spotify's answers (parsed, links checked) and
the cached copy of the owner's listening that visitors read (sync.py keeps it fresh).

Only the job leader polls. Visitors, the page and the widget read the cached rows, so their number
never changes how often Spotify is called. A failed poll keeps the last good data and marks it
stale; a rate limit pauses every call for as long as Spotify asks; other failures back off.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, delete, select

from accumulator.inputs import web_url
from accumulator.notify.alerts import Alert
from accumulator.settings import Settings
from accumulator.spotify.models import SpotifyAccount, SpotifySnapshot

log = logging.getLogger(__name__)

SCOPES = "user-read-currently-playing user-read-recently-played user-top-read"
RANGES = {"short_term": "Last 4 weeks", "medium_term": "Last 6 months", "long_term": "Last year"}
KINDS = ("tracks", "artists")
NOW_PLAYING = "now_playing"
TOP_LIST_SIZE = 10
TOP_LISTS_MAX_AGE = timedelta(days=1)
TOKEN_MARGIN = timedelta(seconds=60)  # refresh this long before the access token runs out
SEEK_TOLERANCE_MS = 3000
_LINKS = frozenset({"url", "cover_url", "small_cover_url", "image_url"})
_COVER_DATA = ("data:image/jpeg;base64,", "data:image/png;base64,")


def top_key(kind: str, time_range: str) -> str:
    return f"top:{kind}:{time_range}"


class NotConnected(Exception):
    """No usable Spotify connection: not configured, never connected, or refused."""


# Reading Spotify's objects: only what we show, and nothing that is missing breaks anything.


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _cover_data(value: Any) -> str:
    """The embedded cover we made ourselves: a JPEG or PNG data URI, or nothing."""
    return value if isinstance(value, str) and value.startswith(_COVER_DATA) else ""


def safe_links(data: Any) -> Any:
    """`data` (a stored snapshot) with every link checked again as it is served: rows stored before
    links were checked, or edited by hand, show no link rather than a dangerous one."""
    if isinstance(data, list):
        return [safe_links(item) for item in data]
    if not isinstance(data, dict):
        return data
    checked = {}
    for key, value in data.items():
        if key in _LINKS:
            checked[key] = web_url(value)
        elif key == "cover_data":
            checked[key] = _cover_data(value)
        else:
            checked[key] = safe_links(value)
    return checked


def _image(images: Any, *, near: int = 300) -> str:
    """The URL of the image closest to `near` pixels wide, of those with an http(s) URL."""
    usable = [img for img in images or [] if isinstance(img, dict) and web_url(img.get("url"))]
    if not usable:
        return ""
    return min(usable, key=lambda img: abs((img.get("width") or near) - near))["url"]


def parse_track(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict) or not as_text(item.get("name")):
        return None
    album = item.get("album") if isinstance(item.get("album"), dict) else {}
    artists = [a for a in item.get("artists") or [] if isinstance(a, dict)]
    duration = item.get("duration_ms")
    return {
        "id": as_text(item.get("id")),
        "name": item["name"],
        "artists": ", ".join(as_text(a.get("name")) for a in artists if as_text(a.get("name"))),
        "album": as_text(album.get("name")),
        "cover_url": _image(album.get("images")),
        "small_cover_url": _image(album.get("images"), near=64),
        "url": web_url((item.get("external_urls") or {}).get("spotify")),
        "duration_ms": duration if isinstance(duration, int) and duration >= 0 else 0,
    }


def parse_artist(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict) or not as_text(item.get("name")):
        return None
    return {
        "id": as_text(item.get("id")),
        "name": item["name"],
        "image_url": _image(item.get("images")),
        "url": web_url((item.get("external_urls") or {}).get("spotify")),
    }


@dataclass
class Snapshot:
    data: Any
    fetched_at: datetime
    checked_at: datetime
    error: str

    @property
    def stale(self) -> bool:
        return bool(self.error)


def read_snapshots(session: Session) -> dict[str, Snapshot]:
    rows = session.exec(select(SpotifySnapshot)).all()
    return {
        row.key: Snapshot(safe_links(json.loads(row.data)), row.fetched_at, row.checked_at, row.error) for row in rows
    }


def now_playing_at(data: dict[str, Any] | None, fetched_at: datetime, now: datetime) -> int:
    """Where the track is now: the progress Spotify gave, moved on by the time since, if it plays."""
    if not data or not data.get("track"):
        return 0
    progress = int(data.get("progress_ms") or 0)
    if data.get("playing"):
        progress += int((now - fetched_at).total_seconds() * 1000)
    duration = int(data["track"].get("duration_ms") or 0)
    return min(progress, duration) if duration else progress


def connection_status(session: Session, settings: Settings) -> str:
    """'not configured', 'not connected', 'needs reconnect' or 'connected'."""
    if not settings.spotify_configured:
        return "not configured"
    account = session.get(SpotifyAccount, 1)
    if account is None:
        return "connected" if settings.spotify_refresh_token else "not connected"
    return "needs reconnect" if account.needs_reconnect else "connected"


def disconnect(session: Session) -> None:
    """Forget the connection and everything cached from it."""
    session.exec(delete(SpotifySnapshot))
    session.exec(delete(SpotifyAccount))


def reconnect_alert(now: datetime) -> Alert:
    return Alert(
        kind="spotify",
        key=f"spotify-reconnect:{now.isoformat()}",
        title="Spotify needs reconnecting",
        body="Spotify refused the app's access (the connection was revoked or expired). "
        "Open the Spotify page and connect again to keep recording what you play.",
        link="/spotify",
        tag="spotify",
    )
