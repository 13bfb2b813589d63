"""The plain HTTP side of the app: every feature's routes plus the health check."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from accumulator.auth import api as auth_api
from accumulator.db import database_status
from accumulator.web import Services, services


async def redis_status(url: str | None) -> str:
    if not url:
        return "not configured"
    import redis.asyncio as aioredis

    client = aioredis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        await asyncio.wait_for(client.ping(), timeout=2)
    except Exception as exc:  # any failure means "not usable"; the reason is enough here
        return f"error: {type(exc).__name__}"
    finally:
        await client.aclose()
    return "ok"


async def healthz(request: Request) -> JSONResponse:
    svc = services(request)
    database = await run_in_threadpool(database_status, svc.engine)
    redis = await redis_status(svc.settings.redis_url)
    healthy = database == "ok"
    return JSONResponse(
        {"status": "ok" if healthy else "error", "database": database, "redis": redis},
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )


def create_api(svc: Services) -> Starlette:
    """The Starlette app Reflex mounts itself inside, so these routes take precedence."""
    api = Starlette(routes=[*auth_api.routes, Route("/healthz", healthz)])
    api.state.services = svc
    return api
