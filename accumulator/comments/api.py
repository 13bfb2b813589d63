"""Public comment routes: the widget script, a page's comments, posting one, the live stream of a
page's new comments (Server-Sent Events) and the frameable page. Readable and writable by pages of
ALLOWED_ORIGINS, without credentials (as `/api/event`)."""

from __future__ import annotations

import asyncio
import html
import json
import secrets
from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from accumulator import public_html
from accumulator.auth.access import cors, public_route
from accumulator.comments import actions, reads, service, spam
from accumulator.comments.actions import COMMENTS_TOPIC
from accumulator.comments.widget import serve_widget
from accumulator.db import utcnow
from accumulator.runtime import Services, subscribe
from accumulator.web import (
    BadRequest,
    BodyTooLarge,
    client_ip,
    json_error,
    parse_json_object,
    read_body,
    services,
)

BODY_MAX = 32 * 1024  # a 5,000-character comment in JSON, with room for escapes
KEEPALIVE_SECONDS = 25.0


def refusal(error: spam.Refused, headers: dict[str, str]) -> Response:
    extra = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
    return json_error(error.status, str(error), {**headers, **extra})


def _page(request: Request, headers: dict[str, str]) -> tuple[str, str] | Response:
    try:
        return service.check_page(request.query_params.get("site", ""), request.query_params.get("path", ""))
    except spam.Refused as error:
        return refusal(error, headers)


@public_route(cross_origin=True)
async def page_comments(request: Request) -> Response:
    """A page's published comments and a fresh form-open stamp."""
    svc = services(request)
    headers = cors(request)
    page = _page(request, headers)
    if isinstance(page, Response):
        return page
    comments = await reads.page_comments(svc, site=page[0], path=page[1])
    stamp = spam.form_stamp(svc.settings.secret_key, utcnow())
    return JSONResponse({"comments": comments, "stamp": stamp}, headers={**headers, "Cache-Control": "no-store"})


@public_route(cross_origin=True)
async def post_comment(request: Request) -> Response:
    svc = services(request)
    headers = cors(request)
    try:
        data = parse_json_object(await read_body(request, limit=BODY_MAX))
        comment, status, token = await actions.post_comment(
            svc, data=data, ip=client_ip(request, svc.settings.trusted_proxy_hops)
        )
    except BodyTooLarge:
        return json_error(413, "A comment is at most 5,000 characters.", headers)
    except BadRequest as error:
        return json_error(400, str(error), headers)
    except spam.Refused as error:
        return refusal(error, headers)
    return JSONResponse({"status": status, "comment": comment, "author": token}, status_code=201, headers=headers)


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _stream(svc: Services, site: str, path: str, address: str) -> AsyncIterator[str]:
    try:
        async with subscribe(svc, COMMENTS_TOPIC) as changes:
            pending = asyncio.ensure_future(anext(changes))
            try:
                yield ": connected\n\n"
                while True:  # StreamingResponse ends this when the reader goes away
                    done, _ = await asyncio.wait({pending}, timeout=KEEPALIVE_SECONDS)
                    if not done:
                        yield ": keep-alive\n\n"
                        continue
                    changed = pending.result()
                    pending = asyncio.ensure_future(anext(changes))
                    if (changed.site, changed.path) != (site, path):
                        continue
                    if changed.change == "removed":
                        yield _event("removed", {"id": changed.comment_id})
                        continue
                    # Read again, published only: a message on the bus never decides what readers see.
                    comment = await reads.published_comment(svc, comment_id=changed.comment_id)
                    if comment is not None:
                        yield _event("comment", comment)
            finally:
                pending.cancel()
    finally:
        svc.streams.release(address)


@public_route(cross_origin=True)
async def comment_events(request: Request) -> Response:
    """New and removed comments of one page, live: one connection per widget, a few per address."""
    svc = services(request)
    headers = cors(request)
    page = _page(request, headers)
    if isinstance(page, Response):
        return page
    address = client_ip(request, svc.settings.trusted_proxy_hops)
    if not svc.streams.acquire(address):
        return json_error(429, "Too many open live pages from this address.", {**headers, "Retry-After": "30"})
    return StreamingResponse(
        _stream(svc, page[0], page[1], address),
        media_type="text/event-stream",
        headers={**headers, "Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@public_route
async def embedded_comments(request: Request) -> Response:
    """The widget on a page of its own, for sites that prefer an iframe: frameable by ALLOWED_ORIGINS only."""
    svc = services(request)
    page = _page(request, {})
    if isinstance(page, Response):
        return page
    site, path = page
    nonce = secrets.token_urlsafe(16)
    theme = request.query_params.get("theme", "")
    body = "".join(
        (
            public_html.document_start("Comments", nonce, embed=True),
            "<main><div id=accumulator-comments></div></main>",
            f'<script nonce={nonce} defer src="/js/comments.js" data-site="{html.escape(site, quote=True)}" '
            f'data-path="{html.escape(path, quote=True)}"'
            + (f' data-theme="{theme}"' if theme in ("light", "dark") else "")
            + "></script></body></html>",
        )
    )
    ancestors = " ".join(svc.settings.allowed_origins) or "'self'"
    headers = public_html.headers(nonce, frameable=True, cache_control="no-store", ancestors=ancestors)
    # The widget's script comes from this origin.
    headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
        f"script-src 'nonce-{nonce}'", f"script-src 'self' 'nonce-{nonce}'"
    )
    return HTMLResponse(body, headers=headers)


def embed_url(site: str, path: str) -> str:
    return f"/embed/comments?site={quote(site)}&path={quote(path)}"


routes = [
    Route("/js/comments.js", public_route(serve_widget), methods=["GET", "HEAD"]),
    Route("/api/comments", page_comments, methods=["GET", "OPTIONS"]),
    Route("/api/comments", post_comment, methods=["POST"]),  # its preflight is answered above
    Route("/api/comments/events", comment_events, methods=["GET"]),
    Route("/embed/comments", embedded_comments, methods=["GET", "HEAD"]),
]
