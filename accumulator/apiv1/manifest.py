"""What the token API hands the app: `/api/v1` (every feature's operations, their OpenAPI
description and its documentation page), mounted as one group whose unknown addresses answer in
the v1 error shape."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.types import Receive, Scope, Send

from accumulator.apiv1 import analytics, comments, contact, notes, openapi, pastes, plants, spotify
from accumulator.apiv1.contract import PREFIX, Operation, build_routes
from accumulator.auth.access import public_route
from accumulator.feature import Feature
from accumulator.web import api_error

OPERATIONS: list[Operation] = [
    *notes.OPERATIONS,
    *pastes.OPERATIONS,
    *plants.OPERATIONS,
    *analytics.OPERATIONS,
    *spotify.OPERATIONS,
    *comments.OPERATIONS,
    *contact.OPERATIONS,
]
DOCS = Path(__file__).parent / "docs"
DOC_FILES = {"docs.js": "text/javascript", "docs.css": "text/css"}
# The docs page runs only its own script and style, and fetches only this origin's spec.
DOCS_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'"


@cache
def spec_body() -> bytes:
    return json.dumps(openapi.build(OPERATIONS), separators=(",", ":")).encode()


@public_route
async def openapi_json(request: Request) -> Response:
    """The description, for anyone: it holds no data, only the shape of the API."""
    return Response(spec_body(), media_type="application/json", headers={"Cache-Control": "public, max-age=60"})


@public_route
async def docs_page(request: Request) -> Response:
    return FileResponse(
        DOCS / "index.html",
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": DOCS_POLICY, "Cache-Control": "public, max-age=60"},
    )


@public_route
async def docs_file(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in DOC_FILES:
        return api_error(404, "not_found", "There is no such file.")
    return FileResponse(DOCS / name, media_type=DOC_FILES[name], headers={"Cache-Control": "public, max-age=60"})


async def unknown(scope: Scope, receive: Receive, send: Send) -> None:
    await api_error(404, "not_found", "There is no such address in /api/v1 (see /api/v1/docs).")(scope, receive, send)


routes = [
    Route("/openapi.json", openapi_json, methods=["GET", "HEAD"]),
    Route("/docs", docs_page, methods=["GET", "HEAD"]),
    Route("/docs/{name}", docs_file, methods=["GET", "HEAD"]),
    *build_routes(OPERATIONS),
]

# (api.newline_safe_mounts lets this group match an address holding an encoded line break too.)
FEATURE = Feature(name="apiv1", routes=[Mount(PREFIX, app=Router(routes, default=unknown))])
