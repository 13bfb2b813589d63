"""Public routes of notes: a public workspace as a page, and as an embeddable page."""

from __future__ import annotations

import asyncio
import io
import re
import secrets
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from accumulator import public_html
from accumulator.auth.api import current_owner_session
from accumulator.db import session_scope, utcnow
from accumulator.notes import public, service
from accumulator.web import services

NOT_FOUND = "<!doctype html><title>Not found</title><p>There is no public workspace at this address."


def _not_found() -> Response:
    # One answer for "unknown" and "private": nothing tells them apart.
    return HTMLResponse(NOT_FOUND, status_code=404, headers={"Cache-Control": "no-store"})


def _before(raw: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


async def _workspace_page(request: Request, *, embed: bool) -> Response:
    svc = services(request)
    public_id = request.path_params["public_id"]
    before = _before(request.query_params.get("before"))
    zone = svc.settings.zone

    def load() -> tuple | None:
        with session_scope(svc.engine) as session:
            workspace = service.public_workspace(session=session, public_id=public_id)
            if workspace is None:
                return None
            page = service.public_page(
                session=session, workspace_id=workspace.id, zone=zone, now=utcnow(), before=before
            )
            return workspace, page

    found = await run_in_threadpool(load)
    if found is None:
        return _not_found()
    workspace, page = found
    nonce = secrets.token_urlsafe(16)
    body = public.render_page(
        workspace=workspace,
        page=page,
        zone=zone,
        nonce=nonce,
        embed=embed,
        older_link=public.older_link(request.url.path, page.older_before),
    )
    # Short cache: a note the owner just wrote, or a workspace made private, shows within seconds.
    return HTMLResponse(body, headers=public_html.headers(nonce, frameable=embed, cache_control="public, max-age=10"))


async def public_workspace(request: Request) -> Response:
    return await _workspace_page(request, embed=False)


async def embedded_workspace(request: Request) -> Response:
    return await _workspace_page(request, embed=True)


async def export_workspace(request: Request) -> Response:
    """A zip of the workspace's notes, one markdown file per day. Owner only; 404 otherwise."""
    svc = services(request)
    if await current_owner_session(request) is None:
        return _not_found()
    try:
        workspace_id = int(request.path_params["workspace_id"])
    except ValueError:
        return _not_found()

    def build() -> tuple[str, bytes] | None:
        with session_scope(svc.engine) as session:
            try:
                title, files = service.export_markdown(
                    session=session, workspace_id=workspace_id, zone=svc.settings.zone
                )
            except service.NotesError:
                return None
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in files.items():
                archive.writestr(name, text)
        return title, buffer.getvalue()

    built = await run_in_threadpool(build)
    if built is None:
        return _not_found()
    title, data = built
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-") or "notes"
    return Response(
        data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.zip"',
            "Cache-Control": "no-store",
        },
    )


KEEPALIVE_SECONDS = 25.0


async def workspace_events(request: Request) -> Response:
    """Server-Sent Events for a public page: `change` whenever its workspace changes."""
    svc = services(request)
    public_id = request.path_params["public_id"]

    def find() -> int | None:
        with session_scope(svc.engine) as session:
            workspace = service.public_workspace(session=session, public_id=public_id)
            return workspace.id if workspace else None

    workspace_id = await run_in_threadpool(find)
    if workspace_id is None:
        return _not_found()

    async def stream() -> AsyncIterator[str]:
        async with svc.bus.subscribe(service.NOTES_TOPIC) as changes:
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
                    if changed == str(workspace_id):
                        yield "event: change\ndata: \n\n"
            finally:
                pending.cancel()

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
