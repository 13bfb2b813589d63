"""HTTP routes of the listening history: the last plays as JSON and as an SVG card (beside the
now-playing card), and the owner's upload of Spotify's export. The history is the owner's: these
answer 404 without the owner's session unless SPOTIFY_HISTORY_PUBLIC opens the two read routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accumulator import svg
from accumulator.auth.access import owner_route
from accumulator.db import utcnow
from accumulator.inputs import whole_number
from accumulator.settings import Settings
from accumulator.spotify import actions, history_import, reads, stats
from accumulator.spotify.api import ACCENT
from accumulator.web import BodyTooLarge, cors_headers, json_error, read_body, services

RECENT_DEFAULT, RECENT_MAX = 10, 50
CARD_ROWS = 5
CARD_WIDTH, ROW_HEIGHT, CARD_TOP = 440, 36, 44


def history_public(settings: Settings) -> bool:
    return settings.spotify_history_public


def _cache(settings: Settings) -> str:
    # A private answer must not sit in a shared cache; a public one may, briefly.
    return "public, max-age=30" if settings.spotify_history_public else "private, no-store"


def play_json(play: stats.RecentPlay, zone: Any) -> dict[str, Any]:
    return {
        "played_at": play.played_at.isoformat().replace("+00:00", "Z"),
        "played_at_local": play.played_at.astimezone(zone).isoformat(),
        "track": {"name": play.name, "artists": play.artists, "album": play.album, "url": play.url},
        "listened_ms": play.listened_ms,
        "listened_estimated": play.estimated,
    }


def _limit(request: Request, default: int) -> int | None:
    raw = request.query_params.get("limit", str(default))
    number = whole_number(raw, max_digits=6)
    return number if number is not None and 1 <= number <= RECENT_MAX else None


@owner_route(public_if=history_public)
async def recent(request: Request) -> Response:
    """The last plays, newest first: `{"plays": [{played_at, played_at_local, track, listened_ms, …}]}`."""
    svc = services(request)
    limit = _limit(request, RECENT_DEFAULT)
    if limit is None:
        return json_error(400, f"limit must be a whole number from 1 to {RECENT_MAX}.")
    plays = await reads.recent_plays(svc, limit=limit)
    headers = {"Cache-Control": _cache(svc.settings)}
    if svc.settings.spotify_history_public:
        headers |= cors_headers(request, svc.settings.allowed_origins)
    return JSONResponse({"plays": [play_json(play, svc.settings.zone) for play in plays]}, headers=headers)


def _when(played_at: datetime, now: datetime, zone: Any) -> str:
    local, today = played_at.astimezone(zone), now.astimezone(zone).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    return local.strftime("%d %b")


def render_recent_card(plays: list[stats.RecentPlay], theme: str, *, now: datetime, zone: Any) -> str:
    """The last plays as a 440-wide card: self-contained and escaped, as the now-playing card is."""
    colours, esc = svg.THEMES[theme], svg.escape
    height = CARD_TOP + ROW_HEIGHT * max(1, len(plays)) + 8
    font = svg.FONT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CARD_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CARD_WIDTH} {height}" role="img" aria-label="Recently played">',
        "<title>Recently played</title>",
        f'<rect x="0.5" y="0.5" width="{CARD_WIDTH - 1}" height="{height - 1}" rx="12" fill="{colours["bg"]}" '
        f'stroke="{colours["border"]}"/>',
        f'<text x="16" y="28" {font} font-size="11" font-weight="600" letter-spacing="1" fill="{ACCENT}">'
        "RECENTLY PLAYED</text>",
    ]
    if not plays:
        empty = f'<text x="16" y="{CARD_TOP + 20}" {font} font-size="13" fill="{colours["muted"]}">'
        parts.append(empty + "Nothing played lately</text>")
    for index, play in enumerate(plays):
        y = CARD_TOP + ROW_HEIGHT * index
        parts += [
            f'<text x="16" y="{y + 14}" {font} font-size="13" font-weight="600" fill="{colours["fg"]}">'
            f"{esc(svg.clip(play.name, 44))}</text>",
            f'<text x="16" y="{y + 30}" {font} font-size="11" fill="{colours["muted"]}">'
            f"{esc(svg.clip(play.artists, 56))}</text>",
            f'<text x="{CARD_WIDTH - 16}" y="{y + 14}" text-anchor="end" {font} font-size="11" '
            f'fill="{colours["muted"]}">{esc(_when(play.played_at, now, zone))}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


@owner_route(public_if=history_public)
async def recent_card(request: Request) -> Response:
    svc = services(request)
    theme = request.query_params.get("theme", "light")
    if theme not in svg.THEMES:
        return json_error(400, "theme must be 'light' or 'dark'.")
    plays = await reads.recent_plays(svc, limit=CARD_ROWS)
    headers = svg.headers(cache_control=_cache(svc.settings))
    if svc.settings.spotify_history_public:
        headers |= cors_headers(request, svc.settings.allowed_origins)
    body = render_recent_card(plays, theme, now=utcnow(), zone=svc.settings.zone)
    return Response(body, media_type=svg.MEDIA_TYPE, headers=headers)


@owner_route
async def import_export(request: Request) -> Response:
    """One export file as the request body (64 MB at most): all of it imported, or none with why."""
    svc = services(request)
    try:
        body = await read_body(request, limit=history_import.FILE_MAX_BYTES)
    except BodyTooLarge:
        return json_error(413, "The file is larger than 64 MB (Spotify's files are about 12 MB each).")
    try:
        report = await actions.import_history(svc, files=[("The file", body)])
    except history_import.ImportRefused as exc:
        return json_error(400, str(exc))
    return JSONResponse(report.as_dict())


routes = [
    Route("/api/spotify/recent", recent, methods=["GET", "HEAD"]),
    Route("/api/spotify/recent.svg", recent_card, methods=["GET", "HEAD"]),
    Route("/api/spotify/history/import", import_export, methods=["POST"]),
]
