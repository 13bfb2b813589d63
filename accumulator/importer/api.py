"""The original app's public addresses, kept working after the move (see README, "Moving from the
Phoenix app"):

- `/notes/public/<id>` → 301 to the imported workspace's `/public/notes/<public id>`, while it is public;
- `/uploads/<dir>/<name>` → 301 to `/files/<file id>/<name>`, the imported paste file's address;
- `/files/<file id>/<name>` serves such a file to anyone, with `Access-Control-Allow-Origin: *`
  as the original did (other sites play these files).

Anything else under those prefixes, and anything private, is 404.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from accumulator.auth.access import public_route
from accumulator.importer import reads
from accumulator.web import json_error, services

# Files are served to other sites as the original served them, but never run as a page of ours.
ANY_ORIGIN = {"Access-Control-Allow-Origin": "*"}
FILE_HEADERS = {
    **ANY_ORIGIN,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "public, max-age=300",
}
SHOWN_INLINE = ("image/", "audio/", "video/", "text/plain")
NOT_A_WORKSPACE = "<!doctype html><title>Not found</title><p>There is no public workspace at this address."


def _inline(content_type: str) -> bool:
    return content_type.startswith(SHOWN_INLINE) and content_type != "image/svg+xml"


@public_route
async def old_public_notes(request: Request) -> Response:
    public_id = await reads.workspace_public_id(services(request), old_id=request.path_params["old_id"])
    if public_id is None:
        return HTMLResponse(NOT_A_WORKSPACE, status_code=404, headers={"Cache-Control": "no-store"})
    # Not cached for long: the owner may make the workspace private or give it a new link.
    return RedirectResponse(f"/public/notes/{public_id}", status_code=301, headers={"Cache-Control": "max-age=3600"})


@public_route(cross_origin=True)
async def old_upload(request: Request) -> Response:
    file = await reads.file_for_old_path(services(request), old_path=request.path_params["old_path"])
    if file is None:
        return json_error(404, "No such file.", {**ANY_ORIGIN, "Cache-Control": "no-store"})
    # Cross-origin fetches follow a redirect only if it allows their origin too.
    return RedirectResponse(
        f"/files/{file.id}/{quote(file.name)}", status_code=301, headers={**ANY_ORIGIN, "Cache-Control": "max-age=3600"}
    )


@public_route(cross_origin=True)
async def imported_file(request: Request) -> Response:
    file = await reads.public_file(services(request), file_id=request.path_params["file_id"])
    if file is None or file.name != request.path_params["name"]:
        return json_error(404, "No such file.", {**ANY_ORIGIN, "Cache-Control": "no-store"})
    path = services(request).file_store.path(file.id)
    if not path.is_file():
        return json_error(404, "No such file.", {**ANY_ORIGIN, "Cache-Control": "no-store"})
    return FileResponse(
        path,
        media_type=file.content_type,
        filename=file.name,
        content_disposition_type="inline" if _inline(file.content_type) else "attachment",
        headers=FILE_HEADERS,
    )


routes = [
    Route("/notes/public/{old_id}", old_public_notes, methods=["GET", "HEAD"]),
    Route("/uploads/{old_path:path}", old_upload, methods=["GET", "HEAD"]),
    Route("/files/{file_id}/{name}", imported_file, methods=["GET", "HEAD"]),
]
