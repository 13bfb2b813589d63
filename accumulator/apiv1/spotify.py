"""`/api/v1` for Spotify: what is playing and the top lists, from the cached copy the jobs keep
(spotify/reads.py): never a Spotify call per request. When Spotify is not connected, now-playing
says so in `status` (a dashboard widget can show it) and the top lists answer 409."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from accumulator.apiv1.contract import Call, Operation, PathParam
from accumulator.apiv1.shapes import ApiError, Loose, Timestamp
from accumulator.db import utcnow
from accumulator.spotify import reads, service
from accumulator.spotify.api import widget_data

Status = Literal["connected", "not connected", "not configured", "needs reconnect"]
TimeRange = Literal[tuple(service.RANGES)]  # type: ignore[misc]
KIND = {"kind": PathParam("tracks or artists.", pattern=r"^(tracks|artists)$", max_length=7)}


class TrackOut(BaseModel):
    id: str
    name: str
    artists: str
    album: str
    cover_url: str
    url: str
    duration_ms: int


class NowPlayingOut(BaseModel):
    status: Status = Field(description="The connection: only 'connected' brings new data.")
    connected: bool
    source: Literal["now", "recent", "none"] = Field(description="Playing now, the last track played, or nothing.")
    playing: bool
    track: TrackOut | None
    progress_ms: int
    played_at: str | None = Field(None, description="For the last track played: when (Spotify's time).")
    fetched_at: Timestamp | None = Field(None, description="When this was read from Spotify.")
    stale: bool = Field(description="The last refresh failed; this is the copy from before.")


class TopItemOut(BaseModel):
    id: str
    name: str
    url: str
    image_url: str = Field(description="The album cover (tracks) or the artist's picture.")
    artists: str | None = Field(None, description="Tracks only.")
    album: str | None = Field(None, description="Tracks only.")
    duration_ms: int | None = Field(None, description="Tracks only.")


class TopOut(BaseModel):
    status: Status
    kind: Literal["tracks", "artists"]
    range: TimeRange
    label: str = Field(description="The range as people read it ('Last 4 weeks').")
    items: list[TopItemOut]
    fetched_at: Timestamp | None = Field(description="Null when the list has not been fetched yet.")


class TopQuery(Loose):
    range: TimeRange = Field("short_term", description="short_term (4 weeks), medium_term (6 months), long_term.")


def _track(track: dict[str, Any]) -> dict[str, Any]:
    return {key: track.get(key, "") for key in TrackOut.model_fields} | {"duration_ms": track.get("duration_ms") or 0}


async def now_playing(call: Call) -> dict[str, Any]:
    status, snapshots = await reads.cached(call.svc)
    snapshot = snapshots.get(service.NOW_PLAYING)
    data = widget_data(snapshot, status, utcnow())  # the same shaping as the public widget
    track = data["track"]
    return {
        "status": status,
        "connected": status == "connected",
        "source": data["source"],
        "playing": data["playing"],
        "track": _track(track) if track else None,
        "progress_ms": data["progress_ms"],
        "played_at": data.get("played_at") or None,
        "fetched_at": snapshot.fetched_at if snapshot and track else None,
        "stale": data["stale"],
    }


def _item(kind: str, item: dict[str, Any]) -> dict[str, Any]:
    if kind == "artists":
        return {
            "id": item.get("id", ""),
            "name": item.get("name", ""),
            "url": item.get("url", ""),
            "image_url": item.get("image_url", ""),
        }
    return {
        "id": item.get("id", ""),
        "name": item.get("name", ""),
        "url": item.get("url", ""),
        "image_url": item.get("cover_url", ""),
        "artists": item.get("artists", ""),
        "album": item.get("album", ""),
        "duration_ms": item.get("duration_ms") or 0,
    }


async def top(call: Call) -> dict[str, Any]:
    kind, time_range = call.path["kind"], call.query.range
    status, snapshots = await reads.cached(call.svc)
    snapshot = snapshots.get(service.top_key(kind, time_range))
    if snapshot is None and status != "connected":
        raise ApiError(409, f"Spotify is {status}: connect it on the Spotify page first.", "spotify_not_connected")
    items = snapshot.data if snapshot and isinstance(snapshot.data, list) else []
    return {
        "status": status,
        "kind": kind,
        "range": time_range,
        "label": service.RANGES[time_range],
        "items": [_item(kind, item) for item in items if isinstance(item, dict)],
        "fetched_at": snapshot.fetched_at if snapshot else None,
    }


OPERATIONS = [
    Operation(
        "GET",
        "/spotify/now-playing",
        "spotifyNowPlaying",
        "What is playing (or was last played)",
        "spotify",
        "read",
        now_playing,
        answer=NowPlayingOut,
    ),
    Operation(
        "GET",
        "/spotify/top/{kind}",
        "spotifyTop",
        "Top tracks or artists",
        "spotify",
        "read",
        top,
        answer=TopOut,
        query=TopQuery,
        path_params=KIND,
        errors=(409,),
    ),
]
