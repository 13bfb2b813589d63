"""A local stand-in for Spotify's Accounts service and Web API, for tests.

The app's Spotify client talks HTTP; testing it against mocks of httpx would test our guesses about
httpx. Instead the tests start this fake on 127.0.0.1 (a free port the OS picks) and point the app
at it:

    with running_fake_spotify() as fake:
        settings = {"SPOTIFY_ACCOUNTS_URL": fake.url, "SPOTIFY_API_URL": fake.url + "/v1",
                    "SPOTIFY_CLIENT_ID": fake.client_id, "SPOTIFY_CLIENT_SECRET": fake.client_secret}
        fake.play(name="Song A")
        ...

It speaks the parts of the protocol the app uses, the way Spotify does:

- `GET /authorize`: a consent page with "Agree" and "Cancel" links back to the redirect URI.
- `POST /api/token`: authorization-code and refresh-token grants, client authenticated by HTTP Basic.
- `GET /v1/me/player/currently-playing`, `/v1/me/player/recently-played`, `/v1/me/top/{tracks,artists}`,
  all requiring a Bearer access token the fake issued.
- `GET /images/<name>.jpg`: a tiny real JPEG, standing in for Spotify's image CDN.

Tests change what Spotify "knows" with setters (`play`, `stop`, `set_recent`, ...), break it on purpose
with fault injection (`fail`, `garbage`, `slow`), and check what the app asked for in the call logs
(`token_calls`, `api_calls`, `image_calls`, `requests`). Only the standard library is used, so the fake
behaves the same wherever the tests run.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import contextlib
import hashlib
import html
import json
import secrets
import socket
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

CLIENT_ID = "fake-spotify-client-id"
CLIENT_SECRET = "fake-spotify-client-secret"
DEFAULT_SCOPE = "user-read-currently-playing user-read-recently-played user-top-read"
TIME_RANGES = ("short_term", "medium_term", "long_term")
TOP_ITEM_COUNT = 12  # enough for `limit` to matter, few enough to read in a failing assert
IMAGE_SIZES = (640, 300, 64)  # the three sizes Spotify returns for albums and artists
EXPIRES_IN = 3600
DEFAULT_PLAYED_AT = "2026-11-27T10:00:00.000Z"

# A 16x16 green-to-blue JPEG (drawn on a canvas in Chromium and saved), so covers show as images in
# the browser tests and screenshots. Hard-coded so the fake needs nothing beyond the standard library.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffe201d84943435f50524f46494c45000101000001c8000000000430"
    "00006d6e74725247422058595a2007e00001000100000000000061637370000000000000000000000000000000000000"
    "000000000000000000010000f6d6000100000000d32d0000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000964657363000000f0000000247258595a000001140000"
    "00146758595a00000128000000146258595a0000013c0000001477747074000001500000001472545243000001640000"
    "0028675452430000016400000028625452430000016400000028637072740000018c0000003c6d6c7563000000000000"
    "00010000000c656e5553000000080000001c007300520047004258595a200000000000006fa2000038f5000003905859"
    "5a2000000000000062990000b785000018da58595a2000000000000024a000000f840000b6cf58595a20000000000000"
    "f6d6000100000000d32d706172610000000000040000000266660000f2a700000d59000013d000000a5b000000000000"
    "00006d6c756300000000000000010000000c656e5553000000200000001c0047006f006f0067006c006500200049006e"
    "0063002e00200032003000310036ffdb00430006040506050406060506070706080a100a0a09090a140e0f0c10171418"
    "18171416161a1d251f1a1b231c1616202c20232627292a29191f2d302d283025282928ffdb0043010707070a080a130a"
    "0a13281a161a282828282828282828282828282828282828282828282828282828282828282828282828282828282828"
    "2828282828282828ffc00011080010001003012200021101031101ffc400150001010000000000000000000000000000"
    "0400ffc400161001010100000000000000000000000000020003ffc40015010101000000000000000000000000000005"
    "06ffc4001811000301010000000000000000000000000003042131ffda000c03010002110311003f002e8e3b74dc6d1c"
    "cc1073087420ffd9"
)

TimeRange = Literal["short_term", "medium_term", "long_term"]
TopKind = Literal["tracks", "artists"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received, whatever it was answered with."""

    method: str
    path: str  # without the query string
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names


@dataclass
class _Fault:
    kind: Literal["fail", "garbage", "slow"]
    path_prefix: str
    remaining: int | None  # None: every matching request until reset_faults()
    status: int = 200
    retry_after: float | str | None = None
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    seconds: float = 0.0


@dataclass
class _Grant:
    """What an authorization code was issued for; the token request must match it."""

    client_id: str
    redirect_uri: str
    scope: str


@dataclass
class _Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def spotify_id(kind: str, name: str) -> str:
    """A stable 22-character id (Spotify's length) derived from the name, so tests can predict it."""
    return hashlib.sha256(f"{kind}:{name}".encode()).hexdigest()[:22]


def _json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> _Response:
    return _Response(status, json.dumps(payload).encode(), headers=headers or {})


def _api_error(status: int, message: str) -> _Response:
    return _json_response(status, {"error": {"status": status, "message": message}})


def _html_response(status: int, title: str, body: str) -> _Response:
    page = f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>{body}</body></html>"
    return _Response(status, page.encode(), "text/html; charset=utf-8")


def _limit(query: Mapping[str, str], default: int = 20) -> int | None:
    """Spotify's `limit` (1 to 50), or None when it is not a valid one (Spotify answers 400)."""
    try:
        value = int(query.get("limit", default))
    except ValueError:
        return None
    return value if 1 <= value <= 50 else None


class FakeSpotify:
    """The fake's state and HTTP server. Use `running_fake_spotify()` rather than start/close by hand.

    Every setter and every request handler takes `_lock`, because the server answers each request on
    its own thread while the test thread changes the state.
    """

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        # When True, every refresh returns a new refresh token and the old one stops working
        # (Spotify may rotate, so the app must store what it gets); by default the old one is kept.
        self.rotate_refresh_tokens = False

        self.last_authorize: dict[str, str] = {}
        self.last_agree_url: str | None = None  # the consent page's links, so tests need not scrape HTML
        self.last_cancel_url: str | None = None
        self.token_calls: list[str] = []  # grant_type of every POST /api/token, in order
        self.api_calls: list[tuple[str, str]] = []  # (method, path) of every /v1 request
        self.image_calls: list[str] = []  # path of every /images request
        self.requests: list[RecordedRequest] = []  # every request, any path, with query and headers
        self.errors: list[BaseException] = []  # exceptions raised inside the fake (bugs in the fake)

        self._lock = threading.Lock()
        self._codes: dict[str, _Grant] = {}
        self._refresh_tokens: dict[str, str] = {}  # token -> scope
        self._access_tokens: dict[str, str] = {}  # token -> scope
        self._faults: list[_Fault] = []
        self._playing: dict[str, Any] | None = None  # the currently-playing answer minus its timestamp
        self._advancing_since: float | None = None  # set: the progress moves on from then
        self._recent: list[tuple[dict[str, Any], str]] = []  # (track, played_at), most recent first
        self._top: dict[tuple[str, str], list[dict[str, Any]]] = {}

        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        # Bound now, on a port the OS picks, so `url` is known before start() and can go into the
        # image URLs of the objects built below.
        self._server = _Server(self)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"

        self.set_recent([{"name": "Last Played Song", "artists": ("Old Artist",), "album": "Old Album"}])
        for time_range in TIME_RANGES:
            label = time_range.removesuffix("_term").capitalize()  # "Short", "Medium", "Long"
            names = [f"{label} Track {i}" for i in range(1, TOP_ITEM_COUNT + 1)]
            self._top["tracks", time_range] = [
                self.track(name, artists=(f"{label} Artist {i}",), album=f"{label} Album {i}")
                for i, name in enumerate(names, start=1)
            ]
            self._top["artists", time_range] = [
                self.artist(f"{label} Artist {i}") for i in range(1, TOP_ITEM_COUNT + 1)
            ]

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Serve on a daemon thread (the socket is already bound, so `url` is valid before this)."""
        # A short poll interval: shutdown() waits up to one interval, and tests start many fakes.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-spotify", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving and drop every open connection (clients then see Spotify go away)."""
        self._stopping.set()  # wakes handlers sleeping in a slow fault
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    # -- building Spotify objects ------------------------------------------------------------------

    def images(self, object_id: str) -> list[dict[str, Any]]:
        """Spotify's three image sizes, served by this fake's /images endpoint."""
        return [
            {"url": f"{self.url}/images/{object_id}-{size}.jpg", "height": size, "width": size} for size in IMAGE_SIZES
        ]

    def artist(self, name: str) -> dict[str, Any]:
        artist_id = spotify_id("artist", name)
        return {
            "id": artist_id,
            "name": name,
            "type": "artist",
            "uri": f"spotify:artist:{artist_id}",
            "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist_id}"},
            "images": self.images(artist_id),
        }

    def track(
        self,
        name: str,
        *,
        artists: Sequence[str] = ("Artist X",),
        album: str = "Album",
        duration_ms: int = 200_000,
        track_id: str | None = None,
    ) -> dict[str, Any]:
        """A track object as the Web API returns it (the fields the app reads, plus type and uri)."""
        track_id = track_id or spotify_id("track", name)
        album_id = spotify_id("album", album)
        return {
            "id": track_id,
            "name": name,
            "type": "track",
            "uri": f"spotify:track:{track_id}",
            "duration_ms": duration_ms,
            "external_urls": {"spotify": f"https://open.spotify.com/track/{track_id}"},
            # Spotify's track artists are "simplified": no images.
            "artists": [
                {key: value for key, value in self.artist(artist).items() if key != "images"} for artist in artists
            ],
            "album": {
                "id": album_id,
                "name": album,
                "type": "album",
                "uri": f"spotify:album:{album_id}",
                "external_urls": {"spotify": f"https://open.spotify.com/album/{album_id}"},
                "images": self.images(album_id),
            },
        }

    # -- what Spotify knows ------------------------------------------------------------------------

    def play(
        self,
        name: str = "Song A",
        artists: Sequence[str] = ("Artist X",),
        album: str = "Album",
        duration_ms: int = 200_000,
        progress_ms: int = 1000,
        is_playing: bool = True,
        track_id: str | None = None,
        advancing: bool = False,
    ) -> dict[str, Any]:
        """Make currently-playing answer this track; returns the track object. `advancing`: its
        progress moves on with the clock while it plays, as Spotify's does (otherwise it stays put,
        which a poller takes for a seek each time)."""
        item = self.track(name, artists=artists, album=album, duration_ms=duration_ms, track_id=track_id)
        with self._lock:
            self._playing = {
                "context": None,
                "progress_ms": progress_ms,
                "is_playing": is_playing,
                "currently_playing_type": "track",
                "item": item,
            }
            self._advancing_since = time.monotonic() if advancing and is_playing else None
        return item

    def play_ad(self, kind: Literal["ad", "episode", "unknown"] = "ad") -> None:
        """Make currently-playing answer 200 with no item, as Spotify does for ads (and for podcast
        episodes when the request does not ask for them with additional_types)."""
        with self._lock:
            self._playing = {
                "context": None,
                "progress_ms": 0,
                "is_playing": True,
                "currently_playing_type": kind,
                "item": None,
            }

    def stop(self) -> None:
        """Nothing plays: currently-playing answers 204."""
        with self._lock:
            self._playing = None

    def set_recent(self, tracks: Sequence[str | Mapping[str, Any]]) -> None:
        """Set recently-played, most recent first. Each entry is a track name, or a mapping of
        `track()` arguments (name, artists, album, duration_ms, track_id) plus optionally `played_at`.
        Unless given, played_at counts back from DEFAULT_PLAYED_AT in 4-minute steps."""
        recent = []
        for index, entry in enumerate(tracks):
            spec = {"name": entry} if isinstance(entry, str) else dict(entry)
            default_at = time.gmtime(_timestamp(DEFAULT_PLAYED_AT) - 240 * index)
            played_at = spec.pop("played_at", time.strftime("%Y-%m-%dT%H:%M:%S.000Z", default_at))
            recent.append((self.track(spec.pop("name"), **spec), played_at))
        with self._lock:
            self._recent = recent

    def set_top(self, kind: TopKind, time_range: TimeRange, names: Sequence[str]) -> None:
        """Replace one top list (e.g. `set_top("tracks", "short_term", [])` for a brand-new account)."""
        build = self.track if kind == "tracks" else self.artist
        items = [build(name) for name in names]
        with self._lock:
            self._top[kind, time_range] = items

    # -- tokens ------------------------------------------------------------------------------------

    def issue_refresh_token(self, scope: str = DEFAULT_SCOPE) -> str:
        """A valid refresh token, as if the owner had connected earlier (to seed the app's store)."""
        token = "fake-refresh-" + secrets.token_urlsafe(24)
        with self._lock:
            self._refresh_tokens[token] = scope
        return token

    def issue_access_token(self, scope: str = DEFAULT_SCOPE) -> str:
        """A valid access token, for calling the fake's API directly."""
        token = "fake-access-" + secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens[token] = scope
        return token

    def revoke_refresh_tokens(self) -> None:
        """The owner removed the app from their account: every refresh token now fails."""
        with self._lock:
            self._refresh_tokens.clear()

    def expire_access_tokens(self) -> None:
        """Every access token issued so far now gets 401 from the API."""
        with self._lock:
            self._access_tokens.clear()

    # -- fault injection ---------------------------------------------------------------------------

    def fail(
        self,
        path_prefix: str,
        status: int,
        times: int | None = 1,
        retry_after: float | str | None = None,
        body: Mapping[str, Any] | str | bytes | None = None,
        content_type: str | None = None,
    ) -> None:
        """The next `times` requests whose path starts with `path_prefix` (e.g. "/v1", "/v1/me/player",
        "/api/token", "" for all) answer `status`. times=None: every one until reset_faults().
        A mapping body is sent as JSON; a str/bytes body verbatim (as text/html unless content_type)."""
        if body is None:
            message = "API rate limit exceeded" if status == 429 else HTTPStatus(status).phrase
            body = {"error": {"status": status, "message": message}}
        if isinstance(body, Mapping):
            raw, kind = json.dumps(body).encode(), "application/json; charset=utf-8"
        else:
            raw = body.encode() if isinstance(body, str) else body
            kind = "text/html; charset=utf-8"
        self._add_fault(
            _Fault(
                "fail", path_prefix, times, status, retry_after=retry_after, body=raw, content_type=content_type or kind
            )
        )

    def garbage(self, path_prefix: str, times: int | None = 1) -> None:
        """The next `times` matching requests answer 200, claiming JSON, with a body that is not JSON."""
        self._add_fault(_Fault("garbage", path_prefix, times, 200, body=b"<html>oops"))

    def slow(self, path_prefix: str, seconds: float, times: int | None = 1) -> None:
        """The next `times` matching requests wait `seconds` before being answered normally."""
        self._add_fault(_Fault("slow", path_prefix, times, seconds=seconds))

    def reset_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add_fault(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, path: str) -> _Fault | None:
        """The first pending fault for this path, used up by one. Caller holds the lock."""
        for fault in self._faults:
            if path.startswith(fault.path_prefix) and (fault.remaining is None or fault.remaining > 0):
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault
        return None

    # -- request handling (called on server threads) -----------------------------------------------

    def _respond(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> _Response:
        parts = urlsplit(target)
        path = parts.path
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)) if body else {}
        with self._lock:
            # Logged before faults are applied: tests count attempts, including the failed ones.
            self.requests.append(RecordedRequest(method, path, query, dict(headers)))
            if path == "/api/token":
                self.token_calls.append(form.get("grant_type", ""))
            elif path.startswith("/v1/") or path == "/v1":
                self.api_calls.append((method, path))
            elif path.startswith("/images/"):
                self.image_calls.append(path)
            fault = self._take_fault(path)
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.seconds)  # sleeps outside the lock: other requests go on
        elif fault is not None:
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return _Response(fault.status, fault.body, fault.content_type, extra)

        if path == "/authorize" and method == "GET":
            return self._authorize(query)
        if path == "/api/token":
            if method != "POST":
                return _json_response(405, {"error": "invalid_request", "error_description": "Use POST"})
            return self._token(headers.get("authorization", ""), form)
        if path == "/v1" or path.startswith("/v1/"):
            return self._api(method, path, query, headers.get("authorization", ""))
        if path.startswith("/images/") and path.endswith(".jpg") and method == "GET":
            return _Response(200, TINY_JPEG, "image/jpeg")
        return _Response(404, b"Not found", "text/plain; charset=utf-8")

    def _authorize(self, query: dict[str, str]) -> _Response:
        with self._lock:
            self.last_authorize = dict(query)
            self.last_agree_url = self.last_cancel_url = None
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id:
            return _html_response(400, "Error", "<h1>INVALID_CLIENT: Invalid client</h1>")
        if query.get("response_type") != "code":
            return _html_response(400, "Error", "<h1>unsupported_response_type</h1>")
        if not redirect_uri.startswith(("http://", "https://")):
            return _html_response(400, "Error", "<h1>INVALID_CLIENT: Invalid redirect URI</h1>")

        code = "fake-code-" + secrets.token_urlsafe(24)
        scope = query.get("scope", "")
        # Spotify echoes state only when the app sent one.
        state = {"state": query["state"]} if "state" in query else {}
        joiner = "&" if "?" in redirect_uri else "?"
        agree = f"{redirect_uri}{joiner}{urlencode({'code': code, **state})}"
        cancel = f"{redirect_uri}{joiner}{urlencode({'error': 'access_denied', **state})}"
        with self._lock:
            self._codes[code] = _Grant(self.client_id, redirect_uri, scope)
            self.last_agree_url, self.last_cancel_url = agree, cancel
        scopes = "".join(f"<li>{html.escape(item)}</li>" for item in scope.split())
        return _html_response(
            200,
            "Fake Spotify: authorize",
            "<h1>Fake Spotify</h1><p>The app would like to:</p>"
            f'<ul id="scopes">{scopes}</ul>'
            f'<a id="agree" href="{html.escape(agree)}">Agree</a> '
            f'<a id="cancel" href="{html.escape(cancel)}">Cancel</a>',
        )

    def _client_ok(self, authorization: str) -> bool:
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        client_id, _, client_secret = decoded.partition(":")
        return secrets.compare_digest(client_id, self.client_id) and secrets.compare_digest(
            client_secret, self.client_secret
        )

    def _token(self, authorization: str, form: dict[str, str]) -> _Response:
        if not self._client_ok(authorization):
            return _json_response(401, {"error": "invalid_client"})
        grant_type = form.get("grant_type")
        access = "fake-access-" + secrets.token_urlsafe(24)
        with self._lock:
            if grant_type == "authorization_code":
                # A code is good for one try, right or wrong, as OAuth requires.
                grant = self._codes.pop(form.get("code", ""), None)
                if grant is None or grant.redirect_uri != form.get("redirect_uri") or grant.client_id != self.client_id:
                    return _json_response(
                        400, {"error": "invalid_grant", "error_description": "Invalid authorization code"}
                    )
                refresh = "fake-refresh-" + secrets.token_urlsafe(24)
                self._refresh_tokens[refresh] = grant.scope
                self._access_tokens[access] = grant.scope
                return _json_response(
                    200,
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "scope": grant.scope,
                        "expires_in": EXPIRES_IN,
                        "refresh_token": refresh,
                    },
                )
            if grant_type == "refresh_token":
                old = form.get("refresh_token", "")
                scope = self._refresh_tokens.get(old)
                if scope is None:
                    return _json_response(400, {"error": "invalid_grant", "error_description": "Refresh token revoked"})
                self._access_tokens[access] = scope
                answer: dict[str, Any] = {
                    "access_token": access,
                    "token_type": "Bearer",
                    "scope": scope,
                    "expires_in": EXPIRES_IN,
                }
                if self.rotate_refresh_tokens:
                    del self._refresh_tokens[old]
                    answer["refresh_token"] = "fake-refresh-" + secrets.token_urlsafe(24)
                    self._refresh_tokens[answer["refresh_token"]] = scope
                return _json_response(200, answer)
        return _json_response(
            400,
            {"error": "unsupported_grant_type", "error_description": f"grant_type must be one we know: {grant_type}"},
        )

    def _api(self, method: str, path: str, query: dict[str, str], authorization: str) -> _Response:
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            valid = scheme.lower() == "bearer" and token.strip() in self._access_tokens
        if not valid:
            response = _api_error(401, "The access token expired")
            response.headers["WWW-Authenticate"] = (
                'Bearer realm="spotify", error="invalid_token", error_description="The access token expired"'
            )
            return response
        if method != "GET":
            return _api_error(405, "Method not allowed")

        if path == "/v1/me/player/currently-playing":
            with self._lock:
                playing = self._playing  # replaced, never changed in place, so safe to use unlocked
                since = self._advancing_since
            if playing is None:
                return _Response(204)
            if since is not None and playing.get("item"):
                moved = playing["progress_ms"] + int((time.monotonic() - since) * 1000)
                playing = {**playing, "progress_ms": min(moved, playing["item"]["duration_ms"])}
            return _json_response(200, {"timestamp": int(time.time() * 1000), **playing})

        if path == "/v1/me/player/recently-played":
            limit = _limit(query)
            if limit is None:
                return _api_error(400, "Invalid limit")
            with self._lock:
                recent = self._recent[:limit]
            items = [{"track": track, "played_at": played_at, "context": None} for track, played_at in recent]
            cursors = (
                {"after": str(_timestamp(recent[0][1]) * 1000), "before": str(_timestamp(recent[-1][1]) * 1000)}
                if recent
                else None
            )
            return _json_response(
                200,
                {
                    "items": items,
                    "next": None,
                    "cursors": cursors,
                    "limit": limit,
                    "href": f"{self.url}{path}?limit={limit}",
                },
            )

        if path in ("/v1/me/top/tracks", "/v1/me/top/artists"):
            kind = path.rsplit("/", 1)[1]
            time_range = query.get("time_range", "medium_term")
            if time_range not in TIME_RANGES:
                return _api_error(400, "Invalid time range")
            limit = _limit(query)
            try:
                offset = int(query.get("offset", 0))
            except ValueError:
                offset = -1
            if limit is None or offset < 0:
                return _api_error(400, "Invalid limit" if limit is None else "Invalid offset")
            with self._lock:
                everything = self._top[kind, time_range]
            return _json_response(
                200,
                {
                    "items": everything[offset : offset + limit],
                    "total": len(everything),
                    "limit": limit,
                    "offset": offset,
                    "next": None,
                    "previous": None,
                    "href": f"{self.url}{path}?time_range={time_range}&limit={limit}&offset={offset}",
                },
            )

        return _api_error(404, "Service not found")


def _timestamp(played_at: str) -> int:
    """Seconds since the epoch for Spotify's "2026-11-27T10:00:00.000Z"."""
    return calendar.timegm(time.strptime(played_at.split(".")[0].removesuffix("Z"), "%Y-%m-%dT%H:%M:%S"))


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler stuck in a slow fault must not keep the test run alive

    def __init__(self, fake: FakeSpotify) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _make_handler(fake))

    def process_request(self, request: Any, client_address: Any) -> None:
        # Remember open connections so close() can end kept-alive ones; otherwise their handler
        # threads would wait for the client's next request for as long as the client keeps it.
        with self.fake._lock:
            self.fake._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.fake._lock:
            self.fake._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # the client gave up (say, a timeout during a slow fault): expected, not a bug
        if error is not None:
            with self.fake._lock:
                self.fake.errors.append(error)
        super().handle_error(request, client_address)  # a traceback on stderr, never stdout


def _make_handler(fake: FakeSpotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 so the app's client reuses connections as it would with Spotify; every answer
        # therefore says its length.
        protocol_version = "HTTP/1.1"
        server_version = "FakeSpotify/1.0"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            # Always read the body, even when it is ignored, or the next request on this connection
            # would start in the middle of it.
            body = self.rfile.read(length) if length > 0 else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            response = fake._respond(self.command, self.path, headers, body)
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if response.status in (204, 304):
                self.end_headers()  # no body, and no Content-Length, as HTTP requires
                return
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass  # tests read the call logs instead; request lines on stderr would be noise

    return Handler


@contextlib.contextmanager
def running_fake_spotify(client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> Iterator[FakeSpotify]:
    """A started fake on 127.0.0.1 and a free port, stopped on exit."""
    fake = FakeSpotify(client_id, client_secret)
    fake.start()
    try:
        yield fake
    finally:
        fake.close()
