"""Spotify: the connection, keeping the access token fresh, and refreshing our cached copy of the
owner's listening (now playing every 10 s, top lists daily) without ever failing a visitor.

Only the job leader polls. Visitors, the page and the widget read the cached rows, so their number
never changes how often Spotify is called. A failed poll keeps the last good data and marks it
stale; a rate limit pauses every call for as long as Spotify asks; other failures back off.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, delete, select
from starlette.concurrency import run_in_threadpool

from accumulator.db import session_scope, utcnow
from accumulator.inputs import web_url
from accumulator.notify import actions as notify
from accumulator.notify.alerts import Alert
from accumulator.settings import Settings
from accumulator.spotify.client import RateLimited, Revoked, SpotifyClient, SpotifyError, Tokens, Unauthorized
from accumulator.spotify.models import SpotifyAccount, SpotifySnapshot

log = logging.getLogger(__name__)

SCOPES = "user-read-currently-playing user-read-recently-played user-top-read"
RANGES = {"short_term": "Last 4 weeks", "medium_term": "Last 6 months", "long_term": "Last year"}
KINDS = ("tracks", "artists")
NOW_PLAYING = "now_playing"
TOP_LIST_SIZE = 10
TOP_LISTS_MAX_AGE = timedelta(days=1)
TOKEN_MARGIN = timedelta(seconds=60)  # refresh this long before the access token runs out
BACKOFF_FIRST, BACKOFF_MAX = 10.0, 300.0  # seconds, doubling after each failure in a row
SEEK_TOLERANCE_MS = 3000
_LINKS = frozenset({"url", "cover_url", "small_cover_url", "image_url"})
_COVER_DATA = ("data:image/jpeg;base64,", "data:image/png;base64,")


def top_key(kind: str, time_range: str) -> str:
    return f"top:{kind}:{time_range}"


class NotConnected(Exception):
    """No usable Spotify connection: not configured, never connected, or refused."""


# Reading Spotify's objects: only what we show, and nothing that is missing breaks anything.


def _text(value: Any) -> str:
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
    if not isinstance(item, dict) or not _text(item.get("name")):
        return None
    album = item.get("album") if isinstance(item.get("album"), dict) else {}
    artists = [a for a in item.get("artists") or [] if isinstance(a, dict)]
    duration = item.get("duration_ms")
    return {
        "id": _text(item.get("id")),
        "name": item["name"],
        "artists": ", ".join(_text(a.get("name")) for a in artists if _text(a.get("name"))),
        "album": _text(album.get("name")),
        "cover_url": _image(album.get("images")),
        "small_cover_url": _image(album.get("images"), near=64),
        "url": web_url((item.get("external_urls") or {}).get("spotify")),
        "duration_ms": duration if isinstance(duration, int) and duration >= 0 else 0,
    }


def parse_artist(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict) or not _text(item.get("name")):
        return None
    return {
        "id": _text(item.get("id")),
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


class SpotifySync:
    """The one object per process that talks to Spotify."""

    def __init__(
        self, *, settings: Settings, engine: Engine, announce: Callable[[str], Awaitable[None]], timeout: float = 5.0
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.announce = announce  # tells open pages what changed: "now_playing", "top" or "connection"
        self.client = SpotifyClient(
            accounts_url=settings.spotify_accounts_url,
            api_url=settings.spotify_api_url,
            client_id=settings.spotify_client_id,
            client_secret=settings.spotify_client_secret,
            timeout=timeout,
        )
        self._token_lock = asyncio.Lock()
        self._paused_until: datetime | None = None  # Spotify's Retry-After, for every call
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, datetime] = {}

    async def _db(self, action, **arguments):
        def run():
            with session_scope(self.engine) as session:
                return action(session, **arguments)

        return await run_in_threadpool(run)

    # Tokens

    async def access_token(self, *, rejected: str | None = None) -> str:
        """A valid access token, refreshed first when it is about to run out (or was `rejected`).
        Callers racing here wait for one refresh and share its result."""
        async with self._token_lock:
            account = await self._db(self._account)
            if account is None or account.needs_reconnect:
                raise NotConnected
            now = utcnow()
            if (
                account.access_token
                and account.access_token != rejected
                and account.access_expires_at is not None
                and account.access_expires_at - TOKEN_MARGIN > now
            ):
                return account.access_token
            try:
                tokens = await self.client.refresh(account.refresh_token)
            except Revoked as exc:
                log.warning("Spotify refused the refresh token (%s); the owner must connect again", exc)
                await self._db(self._mark_revoked, settings=self.settings, now=utcnow())
                await self.announce("connection")
                raise NotConnected from None
            await self._db(self._store_tokens, tokens=tokens, now=now)
            return tokens.access_token

    def _account(self, session: Session) -> SpotifyAccount | None:
        account = session.get(SpotifyAccount, 1)
        if account is None and self.settings.spotify_configured and self.settings.spotify_refresh_token:
            # SPOTIFY_REFRESH_TOKEN seeds the connection once; from then on the stored one is used
            # (Spotify may rotate it).
            account = SpotifyAccount(id=1, refresh_token=self.settings.spotify_refresh_token)
            session.add(account)
            session.flush()
        if account is not None:
            session.expunge(account)
        return account

    @staticmethod
    def _store_tokens(session: Session, *, tokens: Tokens, now: datetime) -> None:
        account = session.get(SpotifyAccount, 1)
        if account is None:  # disconnected meanwhile
            return
        account.access_token = tokens.access_token
        account.access_expires_at = now + timedelta(seconds=tokens.expires_in)
        if tokens.refresh_token:  # rotated: the old one may stop working at any time
            account.refresh_token = tokens.refresh_token
        if tokens.scope:
            account.scope = tokens.scope
        account.updated_at = now
        session.add(account)

    @staticmethod
    def _mark_revoked(session: Session, *, settings: Settings, now: datetime) -> None:
        """Mark the connection as needing the owner, and (the first time) tell them, in the same
        transaction: of processes racing here, only the one that flips the flag raises the alert."""
        account = session.get(SpotifyAccount, 1)
        if account is None or account.needs_reconnect:
            return
        account.needs_reconnect = True
        session.add(account)
        notify.raise_in_session(session=session, settings=settings, alert=reconnect_alert(now), now=now)

    async def connect(self, *, code: str, redirect_uri: str) -> None:
        """Finish the authorization-code flow: keep the tokens, then fetch everything once."""
        tokens = await self.client.exchange_code(code=code, redirect_uri=redirect_uri)
        if not tokens.refresh_token:
            raise SpotifyError("Spotify gave no refresh token")

        def save(session: Session) -> None:
            now = utcnow()
            session.exec(delete(SpotifySnapshot))
            account = session.get(SpotifyAccount, 1) or SpotifyAccount(id=1, refresh_token=tokens.refresh_token)
            account.refresh_token = tokens.refresh_token
            account.access_token = tokens.access_token
            account.access_expires_at = now + timedelta(seconds=tokens.expires_in)
            account.scope = tokens.scope
            account.needs_reconnect = False
            account.connected_at = account.updated_at = now
            session.add(account)

        await self._db(save)
        self._failures.clear()
        self._retry_at.clear()
        await self.poll_now_playing()
        await self.poll_top_lists()
        await self.announce("connection")

    # Calls

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any | None:
        token = await self.access_token()
        try:
            return await self.client.get(path, token=token, params=params)
        except Unauthorized:
            # Expired early or revoked: one refresh, one retry; a second refusal is a failure.
            token = await self.access_token(rejected=token)
            return await self.client.get(path, token=token, params=params)

    async def _refresh(self, key: str, fetch) -> bool:
        """Fetch one piece of data and store it; on failure keep the old data and mark it stale.
        Returns whether anything a viewer sees changed."""
        if not self.settings.spotify_configured:
            return False
        now = utcnow()
        if (self._paused_until and now < self._paused_until) or (key in self._retry_at and now < self._retry_at[key]):
            return False
        try:
            data = await fetch()
        except NotConnected:
            return False
        except RateLimited as exc:
            self._paused_until = now + timedelta(seconds=exc.retry_after)
            log.warning("Spotify rate limit: pausing calls for %.0f s", exc.retry_after)
            return await self._db(self._mark_failed, key=key, reason=str(exc), now=now)
        except SpotifyError as exc:
            failures = self._failures.get(key, 0) + 1
            self._failures[key] = failures
            delay = min(BACKOFF_FIRST * 2 ** (failures - 1), BACKOFF_MAX)
            self._retry_at[key] = now + timedelta(seconds=delay)
            log.warning("Spotify %s failed (%s); trying again in %.0f s", key, exc, delay)
            return await self._db(self._mark_failed, key=key, reason=str(exc), now=now)
        self._failures.pop(key, None)
        self._retry_at.pop(key, None)
        return await self._db(self._store, key=key, data=data, now=now)

    @staticmethod
    def _mark_failed(session: Session, *, key: str, reason: str, now: datetime) -> bool:
        row = session.get(SpotifySnapshot, key)
        if row is None:
            return False
        became_stale = not row.error
        row.error, row.checked_at = reason[:300], now
        session.add(row)
        return became_stale

    @staticmethod
    def _store(session: Session, *, key: str, data: Any, now: datetime) -> bool:
        row = session.get(SpotifySnapshot, key)
        if row is None:
            # Insert-if-new: two pollers (a leader handing over) may both store the first one.
            table = SpotifySnapshot.__table__
            insert = postgresql.insert if session.connection().dialect.name == "postgresql" else sqlite.insert
            values = {"key": key, "data": json.dumps(data), "fetched_at": now, "checked_at": now, "error": ""}
            session.execute(insert(table).values(values).on_conflict_do_nothing(index_elements=["key"]))
            return True
        old = json.loads(row.data)
        changed = bool(row.error) or _visibly_different(old, row.fetched_at, data, now)
        row.data, row.fetched_at, row.checked_at, row.error = json.dumps(data), now, now, ""
        session.add(row)
        return changed

    # What the jobs run

    async def poll_now_playing(self) -> None:
        """Every 10 s: what is playing, or else the last track played."""
        if await self._refresh(NOW_PLAYING, self._fetch_now_playing):
            await self.announce(NOW_PLAYING)

    async def poll_top_lists(self) -> None:
        """Each top list once a day (the job runs hourly; lists fetched within a day are left)."""
        snapshots = await self._db(read_snapshots)
        now = utcnow()
        changed = False
        for kind in KINDS:
            for time_range in RANGES:
                key = top_key(kind, time_range)
                current = snapshots.get(key)
                if current and not current.stale and now - current.fetched_at < TOP_LISTS_MAX_AGE:
                    continue
                changed |= await self._refresh(key, partial(self._fetch_top, kind, time_range))
        if changed:
            await self.announce("top")

    async def _fetch_now_playing(self) -> dict[str, Any]:
        body = await self._get("/me/player/currently-playing", {"additional_types": "track"})
        if not isinstance(body, dict) and body is not None:
            raise SpotifyError("unexpected answer for the current track")
        track = parse_track(body.get("item")) if body else None
        if body and track:
            return await self._with_cover(
                {
                    "source": "now",
                    "playing": bool(body.get("is_playing")),
                    "progress_ms": max(0, int(body.get("progress_ms") or 0)),
                    "track": track,
                    "played_at": None,
                }
            )
        # Nothing playing (or an ad or podcast): show the last track played.
        recent = await self._get("/me/player/recently-played", {"limit": 1})
        items = recent.get("items") if isinstance(recent, dict) else None
        first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
        last = parse_track(first.get("track"))
        if last is None:
            return {"source": "none", "playing": False, "progress_ms": 0, "track": None, "played_at": None}
        return await self._with_cover(
            {
                "source": "recent",
                "playing": False,
                "progress_ms": 0,
                "track": last,
                "played_at": _text(first.get("played_at")),
            }
        )

    async def _with_cover(self, data: dict[str, Any]) -> dict[str, Any]:
        """Embed a small copy of the cover, so the SVG card (shown as an image, which may not load
        anything else) can show it. Fetched once per track."""
        track = data["track"]
        previous = await self._db(lambda session: session.get(SpotifySnapshot, NOW_PLAYING))
        if previous is not None:
            old = json.loads(previous.data).get("track") or {}
            if old.get("id") == track["id"] and old.get("cover_data"):
                track["cover_data"] = old["cover_data"]
                return data
        image = await self.client.image(track.get("small_cover_url") or track.get("cover_url") or "")
        track["cover_data"] = f"data:{image[0]};base64,{base64.b64encode(image[1]).decode()}" if image else ""
        return data

    async def _fetch_top(self, kind: str, time_range: str) -> list[dict[str, Any]]:
        body = await self._get(f"/me/top/{kind}", {"time_range": time_range, "limit": TOP_LIST_SIZE})
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise SpotifyError("unexpected answer for a top list")
        parse = parse_track if kind == "tracks" else parse_artist
        return [parsed for parsed in map(parse, items) if parsed][:TOP_LIST_SIZE]


def _visibly_different(old: Any, old_at: datetime, new: Any, now: datetime) -> bool:
    """Whether a viewer would notice: another track, play/pause, or a jump within the track.
    Progress moving on as expected is not a change (the page moves it by itself)."""
    if not (isinstance(old, dict) and isinstance(new, dict)) or "source" not in new:
        return old != new
    old_track, new_track = old.get("track") or {}, new.get("track") or {}
    if (old.get("source"), old.get("playing"), old_track.get("id")) != (
        new.get("source"),
        new.get("playing"),
        new_track.get("id"),
    ):
        return True
    expected = now_playing_at(old, old_at, now)
    return abs(expected - int(new.get("progress_ms") or 0)) > SEEK_TOLERANCE_MS
