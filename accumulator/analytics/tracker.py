"""Serves the website tracker, `GET /js/tracker.js`, that sites include to send analytics here, and
`GET /js/more.js`, the module of its parts most pages never use (stats, live, outbound links), which
the tracker imports on first use.

tracker.js and tracker_more.js beside this module are the readable sources. Each is minified, hashed
and gzipped once per process: every visit to every tracked site downloads the tracker, so it is small
(at most 1,000 bytes gzipped, checked by the tests), cached by browsers for an hour, and revalidated
with a strong ETag afterwards. The module is imported from the blog's origin, so it is served to any
origin (it holds nothing private).
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rjsmin
from starlette.requests import Request
from starlette.responses import Response

TRACKER_SOURCE_PATH = Path(__file__).with_name("tracker.js")
MORE_SOURCE_PATH = Path(__file__).with_name("tracker_more.js")
MAX_GZIPPED_BYTES = 1000
# An hour: a new tracker reaches every visitor within it, and a reader's next pages reuse the copy.
CACHE_CONTROL = "public, max-age=3600"
MEDIA_TYPE = "application/javascript; charset=utf-8"


@dataclass(frozen=True)
class _Encoded:
    body: bytes
    etag: str


@dataclass(frozen=True)
class _Tracker:
    plain: _Encoded
    gzipped: _Encoded


@cache
def minified(source: Path = TRACKER_SOURCE_PATH) -> bytes:
    """A script as served: its source without comments and needless spaces."""
    return rjsmin.jsmin(source.read_text(encoding="utf-8")).encode("utf-8")


def minified_tracker() -> bytes:
    return minified(TRACKER_SOURCE_PATH)


@cache
def _tracker(source: Path = TRACKER_SOURCE_PATH) -> _Tracker:
    body = minified(source)
    digest = hashlib.sha256(body).hexdigest()[:32]
    # mtime=0 keeps the gzip bytes the same on every instance. The gzipped body is another representation
    # of the same script, so it has its own strong tag (the way Apache and nginx tell them apart).
    return _Tracker(
        plain=_Encoded(body, f'"{digest}"'),
        gzipped=_Encoded(gzip.compress(body, compresslevel=9, mtime=0), f'"{digest}-gzip"'),
    )


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip: named (or `*`) without `q=0`."""
    qualities: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        qualities[coding.strip().lower()] = quality
    for coding in ("gzip", "x-gzip", "*"):
        if coding in qualities:
            return qualities[coding] > 0
    return False


def _matches(if_none_match: str, etag: str) -> bool:
    # If-None-Match compares weakly: a proxy that turned our tag into W/"…" still gets its 304.
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


async def serve_tracker(request: Request) -> Response:
    return _serve(request, _tracker(TRACKER_SOURCE_PATH), {})


async def serve_more(request: Request) -> Response:
    # Imported as a module from the blog's origin: module scripts are fetched with CORS.
    return _serve(request, _tracker(MORE_SOURCE_PATH), {"Access-Control-Allow-Origin": "*"})


def _serve(request: Request, tracker: _Tracker, extra: dict[str, str]) -> Response:
    use_gzip = accepts_gzip(request.headers.get("accept-encoding", ""))
    chosen = tracker.gzipped if use_gzip else tracker.plain
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": chosen.etag, "Vary": "Accept-Encoding", **extra}
    if _matches(request.headers.get("if-none-match", ""), chosen.etag):
        return Response(status_code=304, headers=headers)
    headers["X-Content-Type-Options"] = "nosniff"
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(chosen.body, media_type=MEDIA_TYPE, headers=headers)
