"""HTTP routes of Spotify: the owner's connect flow, and the public now-playing widget (JSON and an
SVG card) served from our cached copy, never one Spotify call per visitor."""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from accumulator import svg
from accumulator.auth.access import cors, owner_route, public_route
from accumulator.db import utcnow
from accumulator.routes import SPOTIFY as SPOTIFY_PAGE
from accumulator.spotify import actions, reads, service
from accumulator.spotify.client import SpotifyError
from accumulator.web import is_https, json_error, public_origin, services

log = logging.getLogger(__name__)

STATE_COOKIE = "acc_spotify_state"
CALLBACK_PATH = "/api/spotify/callback"
WIDGET_CACHE = "public, max-age=5"


def redirect_uri(request: Request) -> str:
    """The address Spotify sends the owner back to; it must be listed in the Spotify app's settings."""
    return public_origin(request, services(request).settings.trusted_proxy_hops) + CALLBACK_PATH


def _back_to_page(outcome: str) -> RedirectResponse:
    response = RedirectResponse(f"{SPOTIFY_PAGE}?spotify={outcome}", status_code=303)
    response.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH)
    return response


@owner_route
async def connect(request: Request) -> Response:
    """Start the authorization-code flow: a one-time `state` in a cookie, then Spotify's consent page."""
    svc = services(request)
    if not svc.settings.spotify_configured:
        return _back_to_page("not-configured")
    state = secrets.token_urlsafe(24)
    target = actions.sync(svc).client.authorize_url(
        redirect_uri=redirect_uri(request), state=state, scopes=service.SCOPES
    )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=600,
        path=CALLBACK_PATH,
        httponly=True,
        samesite="lax",  # sent on Spotify's top-level redirect back to us
        secure=is_https(request, svc.settings.trusted_proxy_hops),
    )
    return response


@owner_route
async def callback(request: Request) -> Response:
    """Spotify sends the owner back here with a code (or an error) and the state we gave it."""
    svc = services(request)
    expected = request.cookies.get(STATE_COOKIE, "")
    given = request.query_params.get("state", "")
    if not expected or not hmac.compare_digest(expected, given):
        return _back_to_page("state-mismatch")
    if request.query_params.get("error"):
        return _back_to_page("denied")
    code = request.query_params.get("code", "")
    if not code or len(code) > 2048:
        return _back_to_page("failed")
    try:
        await actions.connect(svc, code=code, redirect_uri=redirect_uri(request))
    except SpotifyError as exc:
        log.warning("connecting Spotify failed: %s", exc)
        return _back_to_page("failed")
    return _back_to_page("connected")


def widget_data(snapshot: service.Snapshot | None, status: str, now: datetime) -> dict[str, Any]:
    """The now-playing data as the widget shows it, with the progress moved on to `now`."""
    if snapshot is None or not snapshot.data.get("track"):
        return {"status": status, "source": "none", "playing": False, "track": None, "progress_ms": 0, "stale": False}
    data = snapshot.data
    track = {key: value for key, value in data["track"].items() if key not in ("cover_data", "small_cover_url")}
    return {
        "status": status,
        "source": data["source"],
        "playing": data["playing"],
        "track": track,
        "progress_ms": service.now_playing_at(data, snapshot.fetched_at, now),
        "played_at": data.get("played_at"),
        "fetched_at": snapshot.fetched_at.isoformat(),
        "age_seconds": int((now - snapshot.fetched_at).total_seconds()),
        "stale": snapshot.stale,
    }


async def _now_playing(request: Request) -> tuple[service.Snapshot | None, str]:
    status, snapshots = await reads.cached(services(request))
    return snapshots.get(service.NOW_PLAYING), status


@public_route(cross_origin=True)
async def now_playing(request: Request) -> Response:
    snapshot, status = await _now_playing(request)
    headers = {**cors(request), "Cache-Control": WIDGET_CACHE}
    return JSONResponse(widget_data(snapshot, status, utcnow()), headers=headers)


ACCENT = "#1db954"
BAR_X, BAR_WIDTH = 124, 300


def _clock(ms: int) -> str:
    seconds = max(0, ms) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def render_card(data: dict[str, Any], cover_data: str, theme: str) -> str:
    """A 440 by 120 card. Everything it shows is inside it (the cover as a data URI), because an SVG
    shown as an image may not load anything else."""
    colours = svg.THEMES[theme]
    track = data.get("track")
    if not track:
        label, title, artists = "SPOTIFY", "Nothing played lately", ""
    else:
        label = {"now": "NOW PLAYING" if data["playing"] else "PAUSED", "recent": "LAST PLAYED"}[data["source"]]
        title, artists = track["name"], track["artists"]
    esc = svg.escape
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="440" height="120" viewBox="0 0 440 120" role="img" '
        f'aria-label="{esc(label.title())}: {esc(title)}{" by " + esc(artists) if artists else ""}">',
        f"<title>{esc(title)}{' by ' + esc(artists) if artists else ''}</title>",
        f'<rect x="0.5" y="0.5" width="439" height="119" rx="12" fill="{colours["bg"]}" stroke="{colours["border"]}"/>',
        '<clipPath id="cover"><rect x="12" y="12" width="96" height="96" rx="8"/></clipPath>',
    ]
    if cover_data:
        parts.append(f'<image href="{esc(cover_data)}" x="12" y="12" width="96" height="96" clip-path="url(#cover)"/>')
    else:
        parts.append(f'<rect x="12" y="12" width="96" height="96" rx="8" fill="{colours["bar"]}"/>')
    font = svg.FONT
    parts += [
        f'<text x="{BAR_X}" y="30" {font} font-size="11" font-weight="600" letter-spacing="1" fill="{ACCENT}">'
        f"{esc(label)}</text>",
        f'<text x="{BAR_X}" y="54" {font} font-size="16" font-weight="600" fill="{colours["fg"]}">'
        f"{esc(svg.clip(title, 34))}</text>",
        f'<text x="{BAR_X}" y="75" {font} font-size="13" fill="{colours["muted"]}">{esc(svg.clip(artists, 44))}</text>',
    ]
    duration = int(track.get("duration_ms") or 0) if track else 0
    if track and data["source"] == "now" and duration:
        progress = min(int(data["progress_ms"]), duration)
        width = round(BAR_WIDTH * progress / duration, 1)
        parts.append(f'<rect x="{BAR_X}" y="90" width="{BAR_WIDTH}" height="4" rx="2" fill="{colours["bar"]}"/>')
        bar = f'<rect x="{BAR_X}" y="90" width="{width}" height="4" rx="2" fill="{ACCENT}"'
        if data["playing"]:
            # The bar keeps moving while the image is on screen, to the end of the track.
            remaining = max(0.1, (duration - progress) / 1000)
            bar += (
                f'><animate attributeName="width" from="{width}" to="{BAR_WIDTH}" dur="{remaining:.1f}s" '
                'fill="freeze"/></rect>'
            )
        else:
            bar += "/>"
        parts += [
            bar,
            f'<text x="{BAR_X}" y="110" {font} font-size="10" fill="{colours["muted"]}">'
            f"{_clock(progress)} / {_clock(duration)}</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)


@public_route(cross_origin=True)
async def now_playing_card(request: Request) -> Response:
    theme = request.query_params.get("theme", "light")
    if theme not in svg.THEMES:
        return json_error(400, "theme must be 'light' or 'dark'.")
    snapshot, status = await _now_playing(request)
    data = widget_data(snapshot, status, utcnow())
    cover = (snapshot.data.get("track") or {}).get("cover_data", "") if snapshot else ""
    return Response(
        render_card(data, cover, theme),
        media_type=svg.MEDIA_TYPE,
        headers={
            # The cover is embedded as a data URI: the one thing the card may load.
            **svg.headers(cache_control=WIDGET_CACHE, policy=f"{svg.POLICY}; img-src data:"),
            **cors(request),
        },
    )


routes = [
    Route("/api/spotify/connect", connect, methods=["GET"]),
    Route(CALLBACK_PATH, callback, methods=["GET"]),
    Route("/api/spotify/now-playing", now_playing, methods=["GET", "HEAD"]),
    Route("/api/spotify/now-playing.svg", now_playing_card, methods=["GET", "HEAD"]),
]
