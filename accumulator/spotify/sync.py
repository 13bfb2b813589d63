"""The one object per process that talks to Spotify: the access token kept fresh (one refresh for
every racing caller), now playing every 10 s and the top lists daily copied into the cached rows,
and every failure turned into stale data with a back-off, never into a visitor's error.

Only the job leader polls; visitors, the page and the widget read the cached rows (service.py).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, delete
from starlette.concurrency import run_in_threadpool

from accumulator.db import session_scope, utcnow
from accumulator.notify import actions as notify
from accumulator.settings import Settings
from accumulator.spotify.client import RateLimited, Revoked, SpotifyClient, SpotifyError, Tokens, Unauthorized
from accumulator.spotify.models import SpotifyAccount, SpotifySnapshot
from accumulator.spotify.service import (
    KINDS,
    NOW_PLAYING,
    RANGES,
    SEEK_TOLERANCE_MS,
    TOKEN_MARGIN,
    TOP_LIST_SIZE,
    TOP_LISTS_MAX_AGE,
    NotConnected,
    as_text,
    now_playing_at,
    parse_artist,
    parse_track,
    read_snapshots,
    reconnect_alert,
    top_key,
)

log = logging.getLogger(__name__)

BACKOFF_FIRST, BACKOFF_MAX = 10.0, 300.0  # seconds, doubling after each failure in a row


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
                "played_at": as_text(first.get("played_at")),
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
