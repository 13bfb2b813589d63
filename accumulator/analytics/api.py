"""Public analytics routes: events in from the owner's sites, page counts out to them (JSON, a badge,
a live stream of readers), the tracker."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accumulator import lean, svg
from accumulator import routes as pages
from accumulator.analytics import actions, badge, export, filters, live_stream, reads
from accumulator.analytics.incoming import EVENT_BODY_MAX, BadEvent, parse_event
from accumulator.analytics.models import PATH_MAX, SITE_MAX
from accumulator.analytics.page_query import BadQuery, choice, page_from_query
from accumulator.analytics.range_view import RANGES, range_bounds
from accumulator.analytics.tracker import serve_more, serve_tracker
from accumulator.auth.access import cors, lean_public_route, owner_route, public_route
from accumulator.lean import LeanRequest, LeanResponse
from accumulator.settings import Settings
from accumulator.web import (
    BadRequest,
    BodyTooLarge,
    client_ip,
    json_error,
    services,
)

ACCEPTED = b'{"ok":true}'


@lean_public_route(methods=("POST", "OPTIONS"), cross_origin=True)
async def receive_event(request: LeanRequest) -> LeanResponse:
    """A page view (or another event) from a reader's browser. Every reader of every page sends
    these, so it is a lean endpoint (lean.py), served past Starlette's stack."""
    svc = request.services
    headers = request.cors
    ip = request.client_ip(svc.settings.trusted_proxy_hops)
    try:
        body = await request.body(limit=EVENT_BODY_MAX)
        event = parse_event(body)
    except BodyTooLarge:
        return lean.json_error(413, f"An event is at most {EVENT_BODY_MAX} bytes.", headers)
    except (BadRequest, BadEvent) as error:
        return lean.json_error(400, str(error), headers)
    if await svc.event_rate.take(ip) > 0:
        return lean.json_error(429, "Too many events from this address.", {**headers, "Retry-After": "1"})
    try:
        await actions.record(
            svc,
            event,
            ip=ip,
            user_agent=request.headers.get("user-agent", ""),
            page_origin=request.headers.get("origin"),
        )
    except TimeoutError:
        # Not stored yet (the database is away): no 202 for it. It stays queued and is counted when
        # the database is back, so a retry may count it twice; losing an answered one never happens.
        message = "The event could not be stored right now; try again."
        return lean.json_error(503, message, {**headers, "Retry-After": "5"})
    # Bots get the same answer as people: nothing to learn from probing.
    return LeanResponse(202, ACCEPTED, headers)


@public_route(cross_origin=True)
async def page_stats(request: Request) -> Response:
    svc = services(request)
    headers = cors(request)
    site, path = request.query_params.get("site", ""), request.query_params.get("path", "")
    if not site or len(site) > SITE_MAX or not path.startswith("/") or len(path) > PATH_MAX:
        return json_error(400, "Give site (up to 64 characters) and path (starting with /, up to 512).", headers)

    counts = await reads.page_counts(svc, site=site, path=path)  # views, likes, comments (published)…
    viewing = (await svc.presence.counts(now=time.time())).get((site, path), 0)
    return JSONResponse(
        {**counts, "viewing": viewing},
        headers={**headers, "Cache-Control": "public, max-age=5"},
    )


@public_route(cross_origin=True)
async def stats_badge(request: Request) -> Response:
    """A page's views (or readers now) as a small SVG, cached per process (see badge.py)."""
    svc = services(request)
    headers = cors(request)
    try:
        page = page_from_query(request.query_params)
        show = choice(request.query_params, "show", badge.SHOWS)
        theme = choice(request.query_params, "theme", tuple(svg.THEMES))
    except BadQuery as error:
        return json_error(400, str(error), headers)
    image = await badge.badge(svc, page, show=show, theme=theme)
    headers |= svg.headers(cache_control=f"public, max-age={image.max_age(badge.cache(svc).clock())}")
    headers["ETag"] = image.etag
    if badge.not_modified(request.headers.get("if-none-match"), image.etag):
        return Response(status_code=304, headers=headers)
    return Response(image.body, media_type=svg.MEDIA_TYPE, headers=headers)


@public_route(cross_origin=True)
async def stats_live(request: Request) -> Response:
    """A page's "N reading now" as Server-Sent Events (the format: live_stream.py)."""
    svc = services(request)
    headers = cors(request)
    try:
        page = page_from_query(request.query_params)
    except BadQuery as error:
        return json_error(400, str(error), headers)
    address = client_ip(request, svc.settings.trusted_proxy_hops)
    return live_stream.respond(svc, page, address=address, headers=headers)


def _dashboard_public(settings: Settings) -> bool:
    return settings.dashboard_public


@owner_route(public_if=_dashboard_public)
async def dashboard_pages(request: Request) -> Response:
    """The dashboard's pages table, whole (for an opening tab; see assets/live_pages.jsx)."""
    table = await reads.dashboard_pages(services(request))
    return JSONResponse(table, headers={"Cache-Control": "no-store"})


@owner_route(public_if=_dashboard_public)
async def dashboard_export(request: Request) -> Response:
    """One of the dashboard's tables as a CSV file for a range (the shaping: export.py)."""
    table = request.path_params["table"]
    range_key = request.query_params.get("range", "30")  # the dashboard's own default
    if table not in export.TABLES:
        return json_error(400, f"Unknown table; one of: {', '.join(export.TABLES)}.", {"Cache-Control": "no-store"})
    try:
        range_bounds(range_key, actions.feed(services(request)).today())
    except ValueError:
        message = f"Unknown range; one of: {', '.join(RANGES)}, or two days as YYYY-MM-DD..YYYY-MM-DD."
        return json_error(400, message, {"Cache-Control": "no-store"})
    try:  # the dashboard's filters, as its URL has them; hostile values are refused, not dropped
        chosen = filters.from_pairs(request.query_params.multi_items(), strict=True)
        body, day = await reads.export_table(services(request), table=table, range_key=range_key, chosen=chosen)
    except filters.BadFilter as error:
        return json_error(400, str(error), {"Cache-Control": "no-store"})
    name = export.filename(table=table, range_key=range_key, day=day, filtered=bool(chosen))
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(body.encode(), media_type=export.MEDIA_TYPE, headers=headers)


routes = [
    Route(pages.EVENTS, receive_event, methods=list(receive_event.methods)),
    Route("/api/stats", page_stats, methods=["GET", "OPTIONS"]),
    Route(pages.STATS_BADGE, stats_badge, methods=["GET", "HEAD"]),
    Route(pages.STATS_LIVE, stats_live, methods=["GET"]),
    Route(pages.DASHBOARD_PAGES, dashboard_pages, methods=["GET"]),
    Route(pages.DASHBOARD_EXPORT, dashboard_export, methods=["GET"]),
    Route("/js/tracker.js", public_route(serve_tracker), methods=["GET", "HEAD"]),
    Route("/js/more.js", public_route(serve_more), methods=["GET", "HEAD"]),
]
