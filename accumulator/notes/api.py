"""HTTP routes of notes: a public workspace as a page and as an embeddable page (each following
changes over Server-Sent Events), and the owner's export."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from accumulator import public_html
from accumulator.auth.access import owner_route, public_route
from accumulator.notes import reads, service
from accumulator.notes.actions import NOTES_TOPIC
from accumulator.runtime import subscribe
from accumulator.web import client_ip, json_error, path_id, services

NOT_FOUND = "<!doctype html><title>Not found</title><p>There is no public workspace at this address."
KEEPALIVE_SECONDS = 25.0


def _not_found() -> Response:
    # One answer for "unknown" and "private": nothing tells them apart.
    return HTMLResponse(NOT_FOUND, status_code=404, headers={"Cache-Control": "no-store"})


async def _workspace_page(request: Request, *, embed: bool) -> Response:
    nonce = secrets.token_urlsafe(16)
    body = await reads.public_page(
        services(request),
        public_id=request.path_params["public_id"],
        before=service.parse_before(request.query_params.get("before")),
        path=request.url.path,
        nonce=nonce,
        embed=embed,
    )
    if body is None:
        return _not_found()
    # Short cache: a note the owner just wrote, or a workspace made private, shows within seconds.
    return HTMLResponse(body, headers=public_html.headers(nonce, frameable=embed, cache_control="public, max-age=10"))


@public_route
async def public_workspace(request: Request) -> Response:
    return await _workspace_page(request, embed=False)


@public_route
async def embedded_workspace(request: Request) -> Response:
    return await _workspace_page(request, embed=True)


@owner_route(refuse=_not_found)
async def export_workspace(request: Request) -> Response:
    """A zip of the workspace's notes, one markdown file per day. Owner only; 404 otherwise."""
    workspace_id = path_id(request, "workspace_id")
    built = await reads.export_zip(services(request), workspace_id=workspace_id) if workspace_id else None
    if built is None:
        return _not_found()
    filename, data = built
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@public_route
async def workspace_events(request: Request) -> Response:
    """Server-Sent Events for a public page: `change` whenever its workspace changes."""
    svc = services(request)
    workspace_id = await reads.public_workspace_id(svc, public_id=request.path_params["public_id"])
    if workspace_id is None:
        return _not_found()
    address = client_ip(request, svc.settings.trusted_proxy_hops)
    if not svc.streams.acquire(address):
        return json_error(429, "Too many open live pages from this address.", {"Retry-After": "30"})

    async def stream() -> AsyncIterator[str]:
        try:
            async with subscribe(svc, NOTES_TOPIC) as changes:
                pending = asyncio.ensure_future(anext(changes))
                try:
                    yield ": connected\n\n"
                    while True:  # StreamingResponse ends this when the client goes away
                        done, _ = await asyncio.wait({pending}, timeout=KEEPALIVE_SECONDS)
                        if not done:
                            yield ": keep-alive\n\n"
                            continue
                        changed = pending.result()
                        pending = asyncio.ensure_future(anext(changes))
                        if changed.workspace_id == workspace_id:
                            yield "event: change\ndata: \n\n"
                finally:
                    pending.cancel()
        finally:
            svc.streams.release(address)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


routes = [
    Route("/api/notes/workspaces/{workspace_id}/export", export_workspace, methods=["GET"]),
    Route("/public/notes/{public_id}", public_workspace, methods=["GET", "HEAD"]),
    Route("/public/notes/{public_id}/events", workspace_events, methods=["GET"]),
    Route("/embed/notes/{public_id}/events", workspace_events, methods=["GET"]),
    Route("/embed/notes/{public_id}", embedded_workspace, methods=["GET", "HEAD"]),
]
