"""The plain HTTP side of the app: every feature's routes plus the health check, and the
long-running pieces they share (built once per process by `build_services`)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accumulator.analytics import api as analytics_api
from accumulator.analytics.feed import DashboardFeed
from accumulator.analytics.ingest import Ingestor
from accumulator.auth import api as auth_api
from accumulator.db import database_status, get_engine
from accumulator.importer import api as importer_api
from accumulator.jobs import JobRunner, JobSpec, create_leadership
from accumulator.notes import api as notes_api
from accumulator.pastes import api as pastes_api
from accumulator.pastes import service as pastes_service
from accumulator.plants import api as plants_api
from accumulator.plants.reminders import send_reminders
from accumulator.ratelimit import create_limiter
from accumulator.realtime import RedisOutage, create_bus, create_presence
from accumulator.settings import Settings, get_settings
from accumulator.spotify import api as spotify_api
from accumulator.spotify.service import SpotifySync
from accumulator.web import EVENTS_PER_SECOND, LOGIN_FAILURES, Services, services

log = logging.getLogger(__name__)


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
    # Without Redis the app carries on within each process (counts, pages, logins): degraded, not down.
    degraded = redis not in ("ok", "not configured")
    status = "error" if not healthy else "degraded" if degraded else "ok"
    return JSONResponse(
        {"status": status, "database": database, "redis": redis},
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database went away (restarting, unreachable): a clear 503, never a stack trace. The
    connection pool checks connections before use, so requests succeed again once it is back."""
    log.warning("database unavailable for %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse(
        {"error": "The database is unavailable right now; try again in a moment."},
        status_code=503,
        headers={"Retry-After": "5", "Cache-Control": "no-store"},
    )


def build_services(settings: Settings, engine: Engine) -> Services:
    """Everything the routes share, with Redis-backed bus and presence when REDIS_URL is set."""
    outage = RedisOutage()
    bus = create_bus(settings.redis_url, outage)
    presence = create_presence(settings.redis_url, outage)
    return Services(
        settings=settings,
        engine=engine,
        bus=bus,
        presence=presence,
        redis_outage=outage,
        login_failures=create_limiter(
            settings.redis_url, name="login", limit=LOGIN_FAILURES, window=60.0, outage=outage
        ),
        event_rate=create_limiter(
            settings.redis_url, name="events", limit=EVENTS_PER_SECOND, window=1.0, outage=outage
        ),
        ingestor=Ingestor(engine=engine, zone=settings.zone, presence=presence, bus=bus),
        dashboard_feed=DashboardFeed(engine=engine, zone=settings.zone, presence=presence, bus=bus),
        spotify=SpotifySync(settings=settings, engine=engine, bus=bus),
    )


def scheduled_jobs(svc: Services) -> list[JobSpec]:
    """Every periodic job. Each process schedules them all; only the job leader runs them."""

    async def clean_pastes() -> None:
        await run_in_threadpool(pastes_service.cleanup, engine=svc.engine, store=svc.file_store, now=datetime.now(UTC))

    async def remind_about_plants() -> None:
        await send_reminders(engine=svc.engine, settings=svc.settings, now=datetime.now(UTC))

    return [
        JobSpec("paste-cleanup", clean_pastes, IntervalTrigger(minutes=10)),
        # Every 5 minutes, not once at REMINDER_TIME: the first run at or after that time sends what is
        # owed today, whichever process leads and however often it restarted (deliveries are recorded).
        JobSpec("plant-reminders", remind_about_plants, IntervalTrigger(minutes=5)),
        JobSpec("spotify-now-playing", svc.spotify.poll_now_playing, IntervalTrigger(seconds=10)),
        # Hourly, but each list is fetched only once it is a day old (or failed): daily, whoever leads.
        JobSpec(
            "spotify-top-lists",
            svc.spotify.poll_top_lists,
            IntervalTrigger(hours=1, start_date=datetime.now(UTC) + timedelta(seconds=15)),
        ),
    ]


async def run_jobs(svc: Services) -> None:
    """The scheduler of this process, until cancelled."""
    runner = JobRunner(create_leadership(svc.settings.redis_url), scheduled_jobs(svc), svc.settings.zone)
    await runner.run()


@lru_cache(maxsize=1)
def get_services() -> Services:
    """This process's services, for Reflex states and lifespan tasks (routes get them from the request)."""
    return build_services(get_settings(), get_engine())


@contextlib.asynccontextmanager
async def running(svc: Services) -> AsyncIterator[None]:
    """Run the background work of the routes (the analytics writer) for as long as the block lasts;
    leaving it writes whatever is still buffered."""
    # Everything built at start-up lives as long as the process: moving it out of the garbage
    # collector's sight keeps full collections (pauses in the middle of requests) short.
    gc.collect()
    gc.freeze()
    task = asyncio.create_task(svc.ingestor.run(), name="analytics-writer")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if svc.spotify is not None:
            await svc.spotify.client.aclose()


def forbid_framing(app: ASGIApp) -> ASGIApp:
    """No page may be put in another site's frame (clickjacking), except the embeddable views,
    which say so themselves with their own `frame-ancestors`. Everything else gets DENY."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                policy = headers.get("content-security-policy")
                if policy is None:
                    headers["Content-Security-Policy"] = "frame-ancestors 'none'"
                    headers.setdefault("X-Frame-Options", "DENY")
                elif "frame-ancestors" not in policy:
                    headers["Content-Security-Policy"] = policy + "; frame-ancestors 'none'"
                    headers.setdefault("X-Frame-Options", "DENY")
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def in_front_of(api: Starlette) -> Callable[[ASGIApp], ASGIApp]:
    """Reflex's `api_transformer`: our routes first, then Reflex's app for everything else.

    Handing Reflex a callable (not the Starlette app itself) keeps it from wrapping our routes in
    a second catch-all CORS layer: these routes set exactly the CORS headers each one allows."""

    def transform(reflex_app: ASGIApp) -> ASGIApp:
        api.mount("", reflex_app)
        return forbid_framing(api)

    return transform


def create_api(svc: Services, lifespan: Callable | None = None) -> Starlette:
    """Our HTTP routes, with the services they share."""
    api = Starlette(
        # Analytics first: the busiest routes are matched with the fewest comparisons.
        routes=[
            *analytics_api.routes,
            *auth_api.routes,
            *notes_api.routes,
            *pastes_api.routes,
            *spotify_api.routes,
            *plants_api.routes,
            *importer_api.routes,
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
        exception_handlers={DBAPIError: database_unavailable},
    )
    api.state.services = svc
    return api
