"""HTTP routes of the paste bin.

Owner routes (`/api/pastes…`) carry paste bodies and files over HTTP, never the websocket (whose
messages are capped at 1 MB). Without the owner's session every owner route answers 404, the same
as for an id that does not exist. Shared routes (`/p/<slug>…`) serve what a link may see.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from accumulator import public_html
from accumulator.auth.api import is_owner_request
from accumulator.db import utcnow
from accumulator.pastes import public, service
from accumulator.pastes.models import Paste, PasteFile
from accumulator.storage import TooLarge, new_file_id
from accumulator.web import (
    BadRequest,
    BodyTooLarge,
    in_session,
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


def _paste_json(paste: Paste, files: list[PasteFile]) -> dict[str, Any]:
    return {
        "id": paste.id,
        "slug": paste.slug,
        "title": paste.title,
        "content": paste.content,
        "language": paste.language,
        "shown_as": paste.shown_as,
        "expiry": paste.expiry,
        "expires_at": paste.expires_at.isoformat() if paste.expires_at else None,
        "burn_after_reading": paste.burn_after_reading,
        "visibility": "shared" if paste.is_shared else "private",
        "files": [{"id": f.id, "name": f.name, "size": f.size, "content_type": f.content_type} for f in files],
        "url": f"/bin/{paste.id}",
        "share_url": f"/p/{paste.slug}" if paste.is_shared else None,
    }


async def _announce(request: Request, paste_id: str) -> None:
    await services(request).bus.publish(service.PASTES_TOPIC, paste_id)


async def _forget_files(request: Request, file_ids: list[str]) -> None:
    store = services(request).file_store
    for file_id in file_ids:
        await run_in_threadpool(store.delete, file_id)


# Owner: uploads and pastes


async def upload_file(request: Request) -> Response:
    """One attachment, streamed to disk as it arrives: `POST /api/pastes/uploads?name=<file name>`
    with the file as the body. Answers its id, to list in the paste's `files`."""
    if not await is_owner_request(request, changes=True):
        return json_error(401, "Log in to upload files.")
    svc = services(request)
    limit = svc.settings.max_upload_bytes
    try:
        name = service.check_file_name(request.query_params.get("name", ""))
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise TooLarge
    except service.PasteError as exc:
        return json_error(400, str(exc))
    except TooLarge:
        return json_error(413, f"The file is larger than {svc.settings.max_upload_mb} MB.")
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if not SAFE_CONTENT_TYPE.match(content_type):
        content_type = "application/octet-stream"
    file_id = new_file_id()
    try:
        size = await svc.file_store.save(file_id, request.stream(), limit=limit)
    except TooLarge:
        return json_error(413, f"The file is larger than {svc.settings.max_upload_mb} MB.")
    except ClientDisconnect:
        log.info("upload of %r abandoned by the client", name)
        return Response(status_code=400)

    try:
        await in_session(
            request,
            service.stage_upload,
            file_id=file_id,
            name=name,
            content_type=content_type,
            size=size,
            now=utcnow(),
        )
    except Exception:
        svc.file_store.delete(file_id)  # no record, no file: nothing half-stored
        raise
    return JSONResponse({"id": file_id, "name": name, "size": size}, status_code=201)


async def _paste_input(request: Request) -> service.PasteInput:
    return service.parse_input(parse_json_object(await read_body(request, limit=MAX_JSON_BODY)))


def _refusal(exc: Exception) -> JSONResponse:
    if isinstance(exc, BodyTooLarge):
        return json_error(413, "The paste is larger than 1 MB; attach it as a file instead.")
    return json_error(400, str(exc))


async def create_paste(request: Request) -> Response:
    if not await is_owner_request(request, changes=True):
        return json_error(401, "Log in to create pastes.")
    try:
        data = await _paste_input(request)
    except (BodyTooLarge, BadRequest, service.PasteError) as exc:
        return _refusal(exc)

    def create(session: Session) -> dict[str, Any]:
        paste = service.create_paste(session=session, data=data, now=utcnow())
        return _paste_json(paste, service.files_of(session=session, paste_id=paste.id))

    try:
        created = await in_session(request, create)
    except service.PasteError as exc:
        return _refusal(exc)
    await _announce(request, created["id"])
    return JSONResponse(created, status_code=201, headers={"Location": created["url"]})


async def list_pastes(request: Request) -> Response:
    if not await is_owner_request(request):
        return _not_found()
    query = request.query_params.get("q", "")[:200]

    def load(session: Session) -> list[dict[str, Any]]:
        rows = service.list_pastes(session=session, now=utcnow(), query=query)
        return [
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

    return JSONResponse({"pastes": await in_session(request, load)}, headers={"Cache-Control": "no-store"})


async def paste_detail(request: Request) -> Response:
    """GET the paste as JSON, PUT a new version (expiry counted from now), DELETE it."""
    changes = request.method != "GET"
    if not await is_owner_request(request, changes=changes):
        return _not_found()
    paste_id = request.path_params["paste_id"]
    if request.method == "GET":

        def load(session: Session) -> dict[str, Any] | None:
            paste = service.get_paste(session=session, paste_id=paste_id, now=utcnow())
            return _paste_json(paste, service.files_of(session=session, paste_id=paste_id)) if paste else None

        found = await in_session(request, load)
        return JSONResponse(found, headers={"Cache-Control": "no-store"}) if found else _not_found()
    if request.method == "DELETE":
        removed = await in_session(request, service.delete_paste, paste_id=paste_id, now=utcnow())
        if removed is None:
            return _not_found()
        await _forget_files(request, removed)
        await _announce(request, paste_id)
        return Response(status_code=204)
    try:
        data = await _paste_input(request)
    except (BodyTooLarge, BadRequest, service.PasteError) as exc:
        return _refusal(exc)

    def save(session: Session) -> tuple[dict[str, Any], list[str]]:
        paste, detached = service.update_paste(session=session, paste_id=paste_id, data=data, now=utcnow())
        return _paste_json(paste, service.files_of(session=session, paste_id=paste_id)), detached

    try:
        saved, detached = await in_session(request, save)
    except LookupError:
        return _not_found()
    except service.PasteError as exc:
        return _refusal(exc)
    await _forget_files(request, detached)
    await _announce(request, paste_id)
    return JSONResponse(saved)


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


async def owner_raw(request: Request) -> Response:
    if not await is_owner_request(request):
        return _not_found()
    paste = await in_session(request, service.get_paste, paste_id=request.path_params["paste_id"], now=utcnow())
    return _raw(paste) if paste else _not_found()


async def owner_file(request: Request) -> Response:
    if not await is_owner_request(request):
        return _not_found()
    file = await in_session(
        request,
        service.owner_file,
        paste_id=request.path_params["paste_id"],
        file_id=request.path_params["file_id"],
        now=utcnow(),
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
        return f"{base}?key={service.file_key(secret=secret, file_id=file.id, burned_at=paste.burned_at)}"

    return link


async def _shared_view(request: Request, *, embed: bool = False, raw: bool = False) -> Response:
    """GET shows a paste (or, for burn-after-reading, the confirmation); POST is the confirmed
    reading that burns it."""
    svc = services(request)
    slug = request.path_params["slug"]
    now = utcnow()
    confirmed = request.method == "POST"

    def load(session: Session) -> tuple[Paste, list[PasteFile]] | None:
        paste = service.get_shared(session=session, slug=slug, now=now)
        if paste is None:
            return None
        if paste.burn_after_reading and confirmed:
            burned = service.burn(session=session, slug=slug, now=now)
            return (burned.paste, burned.files) if burned else None
        return paste, service.files_of(session=session, paste_id=paste.id)

    found = await in_session(request, load)
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
    body = public.render_paste(
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


async def shared_paste(request: Request) -> Response:
    return await _shared_view(request)


async def shared_embed(request: Request) -> Response:
    return await _shared_view(request, embed=True)


async def shared_raw(request: Request) -> Response:
    return await _shared_view(request, raw=True)


async def shared_file(request: Request) -> Response:
    file = await in_session(
        request,
        service.shared_file,
        slug=request.path_params["slug"],
        file_id=request.path_params["file_id"],
        now=utcnow(),
        key=request.query_params.get("key"),
        secret=services(request).settings.secret_key,
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
