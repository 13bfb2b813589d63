"""HTTP routes of the paste bin.

Owner routes (`/api/pastes…`) carry paste bodies and files over HTTP, never the websocket (whose
messages are capped at 1 MB). Without the owner's session every owner route answers 404, the same
as for an id that does not exist (uploads and creation: 401). Shared routes (`/p/<slug>…`) serve
what a link may see. Every change goes through pastes/actions.py.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from accumulator import public_html
from accumulator.auth.access import owner_route, public_route
from accumulator.auth.service import SESSION_COOKIE
from accumulator.db import utcnow
from accumulator.inputs import whole_number
from accumulator.pastes import actions, burn, public, reads, service
from accumulator.pastes.models import Paste, PasteFile
from accumulator.runtime import off_loop
from accumulator.storage import TooLarge
from accumulator.web import (
    BadRequest,
    BodyTooLarge,
    json_error,
    parse_json_object,
    read_body,
    services,
)

log = logging.getLogger(__name__)

# The content is capped at 1 MB of text; JSON escaping can make its body several times larger.
MAX_JSON_BODY = 8 * 1024 * 1024
SAFE_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+$")
# Files are downloads, whatever they claim to be: never rendered or run in this site's origin.
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def _not_found() -> JSONResponse:
    return json_error(404, "No such paste.")


# Owner: uploads and pastes


def _login_needed(what: str) -> Callable[[], Response]:
    return lambda: json_error(401, f"Log in to {what}.")


@owner_route(refuse=_login_needed("upload files"))
async def upload_file(request: Request) -> Response:
    """One attachment, streamed to disk as it arrives: `POST /api/pastes/uploads?name=<file name>`
    with the file as the body. Answers its id, to list in the paste's `files`."""
    svc = services(request)
    too_large = json_error(413, f"The file is larger than {svc.settings.max_upload_mb} MB.")
    try:
        name = service.check_file_name(request.query_params.get("name", ""))
    except service.PasteError as exc:
        return json_error(400, str(exc))
    declared = request.headers.get("content-length")
    if declared is not None and ((size := whole_number(declared)) is None or size > svc.settings.max_upload_bytes):
        return too_large
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if not SAFE_CONTENT_TYPE.match(content_type):
        content_type = "application/octet-stream"
    try:
        upload = await actions.upload_file(svc, name=name, content_type=content_type, chunks=request.stream())
    except TooLarge:
        return too_large
    except ClientDisconnect:
        log.info("upload of %r abandoned by the client", name)
        return Response(status_code=400)
    return JSONResponse({"id": upload.id, "name": upload.name, "size": upload.size}, status_code=201)


async def _paste_input(request: Request) -> service.PasteInput:
    return service.parse_input(parse_json_object(await read_body(request, limit=MAX_JSON_BODY)))


def _refusal(exc: Exception) -> JSONResponse:
    if isinstance(exc, BodyTooLarge):
        return json_error(413, "The paste is larger than 1 MB; attach it as a file instead.")
    return json_error(400, str(exc))


@owner_route(refuse=_login_needed("create pastes"))
async def create_paste(request: Request) -> Response:
    try:
        data = await _paste_input(request)
        paste, files = await actions.create_paste(services(request), data=data)
    except (BodyTooLarge, BadRequest, service.PasteError) as exc:
        return _refusal(exc)
    created = reads.paste_json(paste, files)
    return JSONResponse(created, status_code=201, headers={"Location": created["url"]})


@owner_route(refuse=_not_found)
async def list_pastes(request: Request) -> Response:
    query = request.query_params.get("q", "")[:200]
    rows = await reads.summaries(services(request), query=query)
    listed = [
        {
            "id": row.id,
            "title": row.title,
            "size": row.size,
            "files": row.file_count,
            "visibility": "shared" if row.is_shared else "private",
            "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        }
        for row in rows
    ]
    return JSONResponse({"pastes": listed}, headers={"Cache-Control": "no-store"})


@owner_route(refuse=_not_found)
async def paste_detail(request: Request) -> Response:
    """GET the paste as JSON, PUT a new version (expiry counted from now), DELETE it."""
    svc = services(request)
    paste_id = request.path_params["paste_id"]
    if request.method == "GET":
        found = await reads.paste_with_files(svc, paste_id=paste_id)
        return JSONResponse(reads.paste_json(*found), headers={"Cache-Control": "no-store"}) if found else _not_found()
    if request.method == "DELETE":
        return Response(status_code=204) if await actions.delete_paste(svc, paste_id=paste_id) else _not_found()
    try:
        data = await _paste_input(request)
        saved = await actions.update_paste(svc, paste_id=paste_id, data=data)
    except (BodyTooLarge, BadRequest, service.PasteError) as exc:
        return _refusal(exc)
    return JSONResponse(reads.paste_json(*saved)) if saved else _not_found()


def _raw(paste: Paste) -> Response:
    return Response(
        paste.content,
        media_type="text/plain; charset=utf-8",
        headers={**FILE_HEADERS, "Cache-Control": "no-store"},
    )


def _download(request: Request, file: PasteFile, *, cache: str) -> Response:
    path = services(request).file_store.path(file.id)
    if not path.is_file():
        log.warning("file %s of a paste is missing on disk", file.id)
        return json_error(404, "No such file.")
    return FileResponse(
        path,
        media_type=file.content_type,
        filename=file.name,
        content_disposition_type="attachment",
        headers={**FILE_HEADERS, "Cache-Control": cache},
    )


@owner_route(refuse=_not_found)
async def owner_raw(request: Request) -> Response:
    found = await reads.paste_with_files(services(request), paste_id=request.path_params["paste_id"])
    return _raw(found[0]) if found else _not_found()


@owner_route(refuse=_not_found)
async def owner_file(request: Request) -> Response:
    file = await reads.owner_file(
        services(request), paste_id=request.path_params["paste_id"], file_id=request.path_params["file_id"]
    )
    return _download(request, file, cache="private, no-store") if file else _not_found()


# Shared: what a link shows


def _gone(*, embed: bool) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    return HTMLResponse(
        public.render_gone(nonce=nonce, embed=embed),
        status_code=404,
        headers=public_html.headers(nonce, frameable=embed, cache_control="no-store"),
    )


def _file_link(paste: Paste, secret: str) -> Callable[[PasteFile], str]:
    def link(file: PasteFile) -> str:
        base = f"/p/{paste.slug}/files/{file.id}"
        if paste.burned_at is None:
            return base
        return f"{base}?key={burn.file_key(secret=secret, file_id=file.id, burned_at=paste.burned_at)}"

    return link


async def _shared_view(request: Request, *, embed: bool = False, raw: bool = False) -> Response:
    """GET shows a paste (or, for burn-after-reading, the confirmation); POST is the confirmed
    reading that burns it."""
    svc = services(request)
    now = utcnow()
    confirmed = request.method == "POST"
    opener = actions.Opener(
        view=None if request.method == "HEAD" else "raw" if raw else "embed" if embed else "page",
        user_agent=request.headers.get("user-agent"),
        session_token=request.cookies.get(SESSION_COOKIE),
    )
    found = await actions.read_shared(svc, slug=request.path_params["slug"], confirmed=confirmed, opener=opener)
    if found is None:
        return _gone(embed=embed) if not raw else json_error(404, "No such paste.")
    paste, files = found
    nonce = secrets.token_urlsafe(16)
    if paste.burn_after_reading and not confirmed:
        body = public.render_confirmation(paste=paste, nonce=nonce, embed=embed, action=request.url.path)
        return HTMLResponse(
            body, headers=public_html.headers(nonce, frameable=embed, forms=True, cache_control="no-store")
        )
    if confirmed and not paste.burn_after_reading:
        return RedirectResponse(request.url.path, status_code=303)
    if raw:
        return _raw(paste)
    # Highlighting grows with the paste: off the event loop.
    body = await off_loop(
        public.render_paste,
        paste=paste,
        files=files,
        now=now,
        nonce=nonce,
        embed=embed,
        file_link=_file_link(paste, svc.settings.secret_key),
        raw_url=f"/p/{paste.slug}/raw",
    )
    # Not cached by anyone: an edit, an expiry or a switch to private shows at once.
    return HTMLResponse(body, headers=public_html.headers(nonce, frameable=embed, cache_control="no-store"))


@public_route
async def shared_paste(request: Request) -> Response:
    return await _shared_view(request)


@public_route
async def shared_embed(request: Request) -> Response:
    return await _shared_view(request, embed=True)


@public_route
async def shared_raw(request: Request) -> Response:
    return await _shared_view(request, raw=True)


@public_route
async def shared_file(request: Request) -> Response:
    file = await reads.shared_file(
        services(request),
        slug=request.path_params["slug"],
        file_id=request.path_params["file_id"],
        key=request.query_params.get("key"),
    )
    return _download(request, file, cache="no-store") if file else json_error(404, "No such file.")


routes = [
    Route("/api/pastes", list_pastes, methods=["GET"]),
    Route("/api/pastes", create_paste, methods=["POST"]),
    Route("/api/pastes/uploads", upload_file, methods=["POST"]),
    Route("/api/pastes/{paste_id}", paste_detail, methods=["GET", "PUT", "DELETE"]),
    Route("/api/pastes/{paste_id}/raw", owner_raw, methods=["GET"]),
    Route("/api/pastes/{paste_id}/files/{file_id}", owner_file, methods=["GET", "HEAD"]),
    Route("/p/{slug}", shared_paste, methods=["GET", "HEAD", "POST"]),
    Route("/p/{slug}/raw", shared_raw, methods=["GET", "HEAD", "POST"]),
    Route("/p/{slug}/embed", shared_embed, methods=["GET", "HEAD", "POST"]),
    Route("/p/{slug}/files/{file_id}", shared_file, methods=["GET", "HEAD"]),
]
