"""Assembles the plain HTTP side of the app from the features' manifests: their routes, the health
check, the security headers every answer carries, their jobs and the work that lives as long as the
process. No feature imports this module; the entry point (`accumulator.py`) and the tests do."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
from collections.abc import AsyncIterator, Callable

from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accumulator.auth.access import public_route
from accumulator.db import database_status
from accumulator.features import FEATURES
from accumulator.jobs import JobRunner, JobSpec, create_leadership
from accumulator.lean import FRAME_POLICY, HSTS, LeanEndpoint
from accumulator.runtime import Services
from accumulator.ui.csp import page_policy
from accumulator.web import DATABASE_AWAY, api_error, forwarded_https, services

log = logging.getLogger(__name__)

# The front end's build files are named by their content hash: a new build has new names, so
# browsers may keep them forever instead of asking again on every page load.
BUILT_ASSETS = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"


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


@public_route
async def healthz(request: Request) -> JSONResponse:
    svc = services(request)
    database = await run_in_threadpool(database_status, svc.engine)
    redis = await redis_status(svc.settings.redis_url)
    healthy = database == "ok"
    # Without Redis the app carries on within each process (counts, pages, logins): degraded, not down.
    degraded = redis not in ("ok", "not configured")
    status = "error" if not healthy else "degraded" if degraded else "ok"
    answer: dict[str, object] = {"status": status, "database": database, "redis": redis}
    if healthy:
        for feature in FEATURES:
            if feature.health is not None:
                answer[feature.name] = await feature.health(svc)
    return JSONResponse(
        answer,
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database went away (restarting, unreachable): a clear 503, never a stack trace. The
    connection pool checks connections before use, so requests succeed again once it is back."""
    log.warning("database unavailable for %s %s: %s", request.method, request.url.path, type(exc).__name__)
    if request.url.path.startswith("/api/v1/"):  # the token API's own error shape
        return api_error(503, "unavailable", DATABASE_AWAY, {"Retry-After": "5"})
    return JSONResponse(
        {"error": DATABASE_AWAY},
        status_code=503,
        headers={"Retry-After": "5", "Cache-Control": "no-store"},
    )


def scheduled_jobs(svc: Services) -> list[JobSpec]:
    """Every feature's periodic jobs. Each process schedules them all; only the job leader runs them."""
    return [job for feature in FEATURES for job in feature.jobs(svc)]


async def run_jobs(svc: Services) -> None:
    """The scheduler of this process, until cancelled."""
    runner = JobRunner(create_leadership(svc.settings.redis_url), scheduled_jobs(svc), svc.settings.zone)
    await runner.run()


@contextlib.asynccontextmanager
async def running(svc: Services) -> AsyncIterator[None]:
    """Every feature's background work (the analytics writer…) for as long as the block lasts;
    leaving it lets each finish what it holds (buffered page views are written)."""
    # Everything built at start-up lives as long as the process: moving it out of the garbage
    # collector's sight keeps full collections (pauses in the middle of requests) short.
    gc.collect()
    gc.freeze()
    svc.page_counts = tuple(count for feature in FEATURES for count in feature.page_counts)
    async with contextlib.AsyncExitStack() as stack:
        for feature in FEATURES:
            await stack.enter_async_context(feature.background(svc))
        yield


def _is_https(scope: Scope, trusted_hops: int) -> bool:
    return forwarded_https(scope.get("scheme"), Headers(scope=scope).get("x-forwarded-proto", ""), trusted_hops)


def security_headers(app: ASGIApp, svc: Services) -> ASGIApp:
    """Headers every answer carries, whoever made it (our routes or Reflex's):

    - no page may be put in another site's frame (clickjacking), except the embeddable views, which
      say so themselves with their own `frame-ancestors`; everything else gets DENY;
    - the Reflex pages get their script policy (ui/csp.py); our own pages set theirs;
    - over https, Strict-Transport-Security;
    - no credentialed CORS: Reflex's own CORS layer is removed (see accumulator.py), and nothing here
      may grant `Access-Control-Allow-Credentials`; routes declared `cross_origin` set a plain
      `Access-Control-Allow-Origin` for ALLOWED_ORIGINS themselves."""
    hops = svc.settings.trusted_proxy_hops

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        https = _is_https(scope, hops)
        built_asset = scope["path"].startswith(BUILT_ASSETS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if built_asset and message["status"] == 200:
                    headers.setdefault("Cache-Control", IMMUTABLE)
                policy = headers.get("content-security-policy")
                if policy is None and headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = page_policy()  # a Reflex page of the build
                    headers.setdefault("X-Frame-Options", "DENY")
                elif policy is None:
                    headers["Content-Security-Policy"] = FRAME_POLICY
                    headers.setdefault("X-Frame-Options", "DENY")
                elif "frame-ancestors" not in policy:
                    headers["Content-Security-Policy"] = f"{policy}; {FRAME_POLICY}"
                    headers.setdefault("X-Frame-Options", "DENY")
                if "access-control-allow-credentials" in headers:
                    del headers["access-control-allow-credentials"]
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await app(scope, receive, send_with_headers)

    middleware.__wrapped__ = app  # what it wraps, for the test that walks the served app's routes
    return middleware


def newline_safe_mounts(routes: list) -> None:
    """Let every mount match paths holding a line break (an encoded `%0A` in an id).

    Starlette's mount pattern ends with `(?P<path>.*)$`, whose `.` stops at a line break, so such a
    path slips past the mount (past our routes, to Reflex's plain-text 404) instead of reaching the
    route that would refuse it in its own words (the token API's JSON errors)."""
    for route in routes:
        if isinstance(route, Mount):
            route.path_regex = re.compile(route.path_regex.pattern, re.DOTALL)
            newline_safe_mounts(getattr(route.app, "routes", None) or [])


def in_front_of(api: Starlette) -> Callable[[ASGIApp], ASGIApp]:
    """Reflex's `api_transformer`: our routes first, then Reflex's app for everything else.

    Handing Reflex a callable (not the Starlette app itself) keeps it from wrapping our routes in
    its catch-all CORS layer."""

    def transform(reflex_app: ASGIApp) -> ASGIApp:
        api.mount("", reflex_app)
        newline_safe_mounts(api.routes)
        return security_headers(api, api.state.services)

    return transform


class HotPaths:
    """Sends the requests for `paths` straight to our routes, past the stack of Reflex's outer app
    (its error and context middleware, its router, a mount), which they do not use. A lean route
    (lean.py: the page-view endpoint, by far the busiest) is called directly, past Starlette's stack
    too; the others go through our API with its security headers. Everything else goes on to `app`."""

    def __init__(self, app: ASGIApp, *, api: Starlette, paths: frozenset[str]) -> None:
        self.app = app
        self.api = api
        self.ours = security_headers(api, api.state.services)
        self.paths = paths
        self.lean = {
            route.path: route.endpoint
            for route in api.routes
            if isinstance(route, Route) and route.path in paths and isinstance(route.endpoint, LeanEndpoint)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            lean = self.lean.get(scope["path"])
            if lean is not None:
                scope["app"] = self.api  # where a lean endpoint finds the services, as behind the router
                await lean(scope, receive, send)
                return
            if scope["path"] in self.paths:
                await self.ours(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_api(svc: Services, lifespan: Callable | None = None) -> Starlette:
    """Every feature's HTTP routes and the health check, with the services they share."""
    api = Starlette(
        routes=[*(route for feature in FEATURES for route in feature.routes), Route("/healthz", healthz)],
        lifespan=lifespan,
        exception_handlers={DBAPIError: database_unavailable},
    )
    newline_safe_mounts(api.routes)
    api.state.services = svc
    return api
