"""Public routes of notes: a public workspace as a page, and as an embeddable page."""

from __future__ import annotations

import secrets
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from accumulator.db import session_scope, utcnow
from accumulator.notes import public, service
from accumulator.web import services

NOT_FOUND = "<!doctype html><title>Not found</title><p>There is no public workspace at this address."


def _not_found() -> Response:
    # One answer for "unknown" and "private": nothing tells them apart.
    return HTMLResponse(NOT_FOUND, status_code=404, headers={"Cache-Control": "no-store"})


def _through(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


async def _workspace_page(request: Request, *, embed: bool) -> Response:
    svc = services(request)
    public_id = request.path_params["public_id"]
    through = _through(request.query_params.get("through"))
    zone = svc.settings.zone

    def load() -> tuple | None:
        with session_scope(svc.engine) as session:
            workspace = service.public_workspace(session=session, public_id=public_id)
            if workspace is None:
                return None
            page = service.notes_by_day(
                session=session, workspace_id=workspace.id, zone=zone, now=utcnow(), through=through
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
        older_link=public.older_link(request.url.path, page.older_from),
    )
    headers = {
        "Content-Security-Policy": public.content_security_policy(nonce, frameable=embed),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        # Short: a note the owner just wrote, or a workspace made private, shows within seconds.
        "Cache-Control": "public, max-age=10",
    }
    return HTMLResponse(body, headers=headers)


async def public_workspace(request: Request) -> Response:
    return await _workspace_page(request, embed=False)


async def embedded_workspace(request: Request) -> Response:
    return await _workspace_page(request, embed=True)


routes = [
    Route("/public/notes/{public_id}", public_workspace, methods=["GET", "HEAD"]),
    Route("/embed/notes/{public_id}", embedded_workspace, methods=["GET", "HEAD"]),
]
