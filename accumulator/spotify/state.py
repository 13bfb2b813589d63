"""The /spotify page: thin state over the cached Spotify data (spotify/service.py). Readable by
anyone, as in the original; connecting and disconnecting are the owner's."""

from __future__ import annotations

from typing import ClassVar, TypedDict

import reflex as rx

from accumulator.db import utcnow
from accumulator.runtime import get_services
from accumulator.spotify import actions, reads, service
from accumulator.spotify.actions import SPOTIFY_TOPIC, SpotifyChanged
from accumulator.timefmt import ago_text
from accumulator.ui.access import owner, public
from accumulator.ui.live import follow
from accumulator.ui.owner import OwnerState

NOTICES = {
    "connected": ("Spotify is connected.", "green"),
    "denied": ("Spotify was not connected: the permission was not given.", "orange"),
    "state-mismatch": ("That connection attempt expired or did not start here. Try again.", "orange"),
    "failed": ("Spotify did not accept the connection. Try again in a moment.", "red"),
    "not-configured": ("Set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET first.", "orange"),
}


class NowPlaying(TypedDict):
    has_track: bool
    label: str
    playing: bool
    moving: bool  # whether the page should advance the progress bar by itself
    name: str
    artists: str
    album: str
    cover_url: str
    url: str
    progress_ms: int
    duration_ms: int
    stale: bool
    updated: str


class TrackRow(TypedDict):
    rank: int
    name: str
    detail: str
    image_url: str
    url: str


EMPTY = NowPlaying(
    has_track=False,
    label="",
    playing=False,
    moving=False,
    name="",
    artists="",
    album="",
    cover_url="",
    url="",
    progress_ms=0,
    duration_ms=0,
    stale=False,
    updated="",
)


class SpotifyState(OwnerState):
    follows: ClassVar[tuple] = (SPOTIFY_TOPIC,)

    status: str = ""
    now: NowPlaying = EMPTY
    time_range: str = "short_term"
    top_tracks: list[TrackRow] = []
    top_artists: list[TrackRow] = []
    lists_stale: bool = False
    notice: str = ""
    notice_color: str = "green"
    origin: str = ""
    _lists: dict[str, list[TrackRow]] = {}

    @rx.var
    def progress_percent(self) -> str:
        duration = self.now["duration_ms"]
        return f"{min(100.0, 100 * self.now['progress_ms'] / duration):.1f}%" if duration else "0%"

    @rx.var
    def callback_url(self) -> str:
        return f"{self.origin or 'https://your-accumulator.example'}/api/spotify/callback"

    async def _load(self) -> None:
        self.status, snapshots = await reads.cached(get_services())
        now = utcnow()
        current = snapshots.get(service.NOW_PLAYING)
        self.now = self._now_playing(current, now) if current else EMPTY
        self._lists = {}
        stale = False
        for kind in service.KINDS:
            for time_range in service.RANGES:
                snapshot = snapshots.get(service.top_key(kind, time_range))
                self._lists[f"{kind}:{time_range}"] = [
                    TrackRow(
                        rank=rank,
                        name=item["name"],
                        detail=item.get("artists", "") if kind == "tracks" else "",
                        image_url=item.get("cover_url") or item.get("image_url", ""),
                        url=item["url"],
                    )
                    for rank, item in enumerate(snapshot.data if snapshot else [], start=1)
                ]
                stale |= bool(snapshot and snapshot.stale)
        self.lists_stale = stale
        self._show_range()

    @staticmethod
    def _now_playing(snapshot: service.Snapshot, now) -> NowPlaying:
        data, track = snapshot.data, snapshot.data.get("track")
        if not track:
            return EMPTY
        label = {"now": "Now playing" if data["playing"] else "Paused", "recent": "Last played"}[data["source"]]
        return NowPlaying(
            has_track=True,
            label=label,
            playing=data["playing"],
            moving=data["source"] == "now" and data["playing"] and not snapshot.stale,
            name=track["name"],
            artists=track["artists"],
            album=track["album"],
            cover_url=track["cover_url"],
            url=track["url"],
            progress_ms=service.now_playing_at(data, snapshot.fetched_at, now) if data["source"] == "now" else 0,
            duration_ms=track["duration_ms"] if data["source"] == "now" else 0,
            stale=snapshot.stale,
            updated=ago_text(snapshot.fetched_at, now),
        )

    def _show_range(self) -> None:
        self.top_tracks = self._lists.get(f"tracks:{self.time_range}", [])
        self.top_artists = self._lists.get(f"artists:{self.time_range}", [])

    async def _on_change(self, message: SpotifyChanged) -> None:
        await self._load()

    @public
    async def load_page(self):
        await self._owner_check()
        own, seen = get_services().settings.own_origins, self.router.headers.origin
        self.origin = seen if seen in own else own[0]
        outcome = self.router.url.query_parameters.get("spotify", "")
        self.notice, self.notice_color = NOTICES.get(outcome, ("", "green")) if self.is_owner else ("", "green")
        follow(self, visitors=True)
        await self._load()

    @public
    async def set_range(self, value: str | list[str]):
        value = value if isinstance(value, str) else (value[0] if value else "")
        if value in service.RANGES:
            self.time_range = value
            self._show_range()

    @owner
    async def disconnect(self):
        await actions.disconnect(get_services())
        self.notice, self.notice_color = "Spotify is disconnected; its data here is deleted.", "gray"
        await self._load()
