"""Serves the comment widget, `GET /js/comments.js`: widget.js minified and gzipped once per process
(at most 6 KB gzipped, checked by a test), cached an hour, revalidated with a strong ETag."""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from pathlib import Path

import rjsmin
from starlette.requests import Request
from starlette.responses import Response

from accumulator.analytics.tracker import accepts_gzip

SOURCE_PATH = Path(__file__).with_name("widget.js")
MAX_GZIPPED_BYTES = 6 * 1024
MEDIA_TYPE = "application/javascript; charset=utf-8"


@cache
def minified() -> bytes:
    return rjsmin.jsmin(SOURCE_PATH.read_text(encoding="utf-8")).encode("utf-8")


@cache
def gzipped() -> bytes:
    return gzip.compress(minified(), compresslevel=9, mtime=0)


async def serve_widget(request: Request) -> Response:
    use_gzip = accepts_gzip(request.headers.get("accept-encoding", ""))
    body = gzipped() if use_gzip else minified()
    etag = f'"{hashlib.sha256(minified()).hexdigest()[:32]}{"-gzip" if use_gzip else ""}"'
    headers = {"Cache-Control": "public, max-age=3600", "ETag": etag, "Vary": "Accept-Encoding"}
    if any(tag.strip().removeprefix("W/") == etag for tag in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers=headers)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Access-Control-Allow-Origin"] = "*"  # a public script; no credentials ever
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=MEDIA_TYPE, headers=headers)
