"""The ceiling: a bare Starlette endpoint that reads and parses the same JSON body and answers 202."""

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def event(request: Request) -> JSONResponse:
    json.loads(await request.body())
    return JSONResponse({"ok": True}, status_code=202)


app = Starlette(routes=[Route("/api/event", event, methods=["POST"])])
