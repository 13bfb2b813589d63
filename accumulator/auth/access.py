"""Who may call an entry point, declared where it is written; the declaration does the check.

Every HTTP route endpoint and every Reflex event handler of the app carries an `Access`: `owner`
(the owner's valid session, from one of the app's own origins), `public` (anyone) or, for the
token API under `/api/v1` only, `token` (a valid personal access token of the declared scope). The decorators
here are the HTTP half; `accumulator/ui/access.py` is the Reflex half. A test walks every route and
handler of the built app and fails on one without a declaration.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

from accumulator import lean
from accumulator.auth import service
from accumulator.db import utcnow
from accumulator.ratelimit import Limiter, create_limiter
from accumulator.runtime import Services, in_transaction
from accumulator.settings import Settings
from accumulator.tokens import service as token_service
from accumulator.web import (
    PREFLIGHT_REFUSED,
    api_error,
    client_ip,
    cors_for,
    cors_headers,
    is_own_origin,
    json_error,
    may_send,
    origin_allowed,
    preflight,
    preflight_grant,
    services,
)

OWNER: Literal["owner"] = "owner"
PUBLIC: Literal["public"] = "public"
TOKEN: Literal["token"] = "token"  # noqa: S105  (a kind of access, not a secret)
_ATTRIBUTE = "__accumulator_access__"

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Access:
    kind: Literal["owner", "public", "token"]
    # Owner entry points that a setting opens to everyone (DASHBOARD_PUBLIC), decided per call.
    public_if: Callable[[Settings], bool] | None = None
    # Public routes that pages of ALLOWED_ORIGINS may read (CORS, without credentials).
    cross_origin: bool = False
    # Token routes: "read" (any valid token) or "write" (a write token only).
    scope: Literal["read", "write"] | None = None

    def needs_owner(self, settings: Settings) -> bool:
        return self.kind == OWNER and not (self.public_if is not None and self.public_if(settings))


def declare(fn: Any, access: Access) -> Any:
    setattr(fn, _ATTRIBUTE, access)
    return fn


def declared(fn: Any) -> Access | None:
    """The declaration of an endpoint or handler function (looking through wrappers), if any."""
    while fn is not None:
        access = getattr(fn, _ATTRIBUTE, None)
        if access is not None:
            return access
        fn = getattr(fn, "__wrapped__", None)
    return None


def cookie_value(cookie_header: str, name: str) -> str | None:
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


async def verify_owner(svc: Services, *, token: str | None, origin: str | None) -> service.ActiveSession | None:
    """The owner's session behind a cookie token, if it is valid now and the request comes from one
    of the app's own origins; None otherwise. The database is read off the event loop."""
    if not token or not is_own_origin(origin, svc.settings.own_origins):
        return None
    return await in_transaction(svc, service.resolve_session, token=token, now=utcnow(), secret=svc.settings.secret_key)


async def request_owner(request: Request) -> service.ActiveSession | None:
    """The owner's session of an HTTP request (cookie and Origin checked), or None."""
    return await verify_owner(
        services(request),
        token=request.cookies.get(service.SESSION_COOKIE),
        origin=request.headers.get("origin"),
    )


def not_found() -> Response:
    return json_error(404, "Not found.")


def owner_route(
    endpoint: Endpoint | None = None,
    *,
    refuse: Callable[[], Response] = not_found,
    public_if: Callable[[Settings], bool] | None = None,
) -> Any:
    """An HTTP endpoint for the owner: without a valid session from the app's own origin it answers
    `refuse()` (by default the same 404 as an unknown object). The session is `request.state.owner`."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        access = Access(OWNER, public_if=public_if)

        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            if access.needs_owner(services(request).settings):
                owner = await request_owner(request)
                if owner is None:
                    return refuse()
                request.state.owner = owner
            return await endpoint(request)

        return declare(guarded, access)

    return decorate(endpoint) if endpoint is not None else decorate


def public_route(endpoint: Endpoint | None = None, *, cross_origin: bool = False) -> Any:
    """An HTTP endpoint anyone may call. `cross_origin`: pages of ALLOWED_ORIGINS may call it too.
    The declaration answers their preflight (OPTIONS, when the route takes it), refuses a write (any
    method but GET and HEAD) sent from another site's page with 403, and leaves the headers that let an
    allowed page read the answer in `cors(request)` (none for anyone else; nothing grants credentialed
    CORS)."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        access = Access(PUBLIC, cross_origin=cross_origin)
        if not cross_origin:
            return declare(endpoint, access)

        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            allowed = services(request).settings.allowed_origins
            if request.method == "OPTIONS":
                return preflight(request, allowed, CROSS_ORIGIN_METHODS)
            if request.method not in ("GET", "HEAD") and not origin_allowed(request, allowed):
                return json_error(403, WRITE_REFUSED)
            request.state.cors = cors_headers(request, allowed)
            return await endpoint(request)

        return declare(guarded, access)

    return decorate(endpoint) if endpoint is not None else decorate


WRITE_REFUSED = "Pages of this origin may not send anything here."
# What a preflight grants; each route's own methods still decide what it answers (405 otherwise).
CROSS_ORIGIN_METHODS = "GET, POST, OPTIONS"


def lean_public_route(
    *, methods: tuple[str, ...], cross_origin: bool = False
) -> Callable[[lean.LeanHandler], lean.LeanEndpoint]:
    """`public_route` for a lean endpoint (lean.py), answering `methods` only: the same checks,
    with the CORS headers in `request.cors`."""

    def decorate(handler: lean.LeanHandler) -> lean.LeanEndpoint:
        access = Access(PUBLIC, cross_origin=cross_origin)
        if not cross_origin:
            return lean.LeanEndpoint(declare(handler, access), methods=methods)

        @functools.wraps(handler)
        async def guarded(request: lean.LeanRequest) -> lean.LeanResponse:
            settings = request.services.settings
            origin = request.headers.get("origin")
            if request.method == "OPTIONS":
                grant = preflight_grant(origin, settings.allowed_origins, CROSS_ORIGIN_METHODS)
                if grant is None:
                    return lean.json_error(403, PREFLIGHT_REFUSED)
                return lean.LeanResponse(204, headers=grant, media_type=None)
            if request.method not in ("GET", "HEAD") and not may_send(
                origin, settings.own_origins, settings.allowed_origins
            ):
                return lean.json_error(403, WRITE_REFUSED)
            request.cors = cors_for(origin, settings.allowed_origins)
            return await handler(request)

        return lean.LeanEndpoint(declare(guarded, access), methods=methods)

    return decorate


def cors(request: Request) -> dict[str, str]:
    """The CORS headers a `public_route(cross_origin=True)` endpoint sends with its answer."""
    return dict(getattr(request.state, "cors", {"Vary": "Origin"}))


# Token routes (`/api/v1`)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (or `Token <token>`, as ListenBrainz
    clients send it), or None."""
    scheme, _, value = (authorization or "").partition(" ")
    return value.strip() or None if scheme.lower() in ("bearer", "token") else None


def token_limiter(svc: Services) -> Limiter:
    """Requests per minute per token, shared by every process through Redis when it is configured."""
    return svc.component(
        "tokens.rate",
        lambda: create_limiter(
            svc.settings.redis_url,
            name="api-token",
            limit=svc.settings.api_rate_limit,
            window=60.0,
            outage=svc.redis_outage,
        ),
    )


def _unauthorized(message: str) -> Response:
    return api_error(401, "unauthorized", message, {"WWW-Authenticate": 'Bearer realm="accumulator"'})


def token_route(endpoint: Endpoint | None = None, *, scope: Literal["read", "write"]) -> Any:
    """An HTTP endpoint of the token API: it needs `Authorization: Bearer <token>` with a token that
    exists and has not expired (else 401), of the write scope for `scope="write"` (a read token: 403),
    within the token's rate limit (else 429 with Retry-After). The token is `request.state.token`.

    Cookies play no part: a logged-in browser gets the same 401 as anyone, so another site's page
    cannot make the owner's browser call this API (no CSRF surface). Conversely `owner_route` and the
    websocket look at the session cookie only, so a token never opens the owner's pages."""
    if scope not in ("read", "write"):
        raise ValueError("scope must be 'read' or 'write'")

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            svc = services(request)
            presented = bearer_token(request.headers.get("authorization"))
            if presented is None:
                return _unauthorized("Send a token: 'Authorization: Bearer <token>' (make one on /tokens).")
            token = await in_transaction(
                svc,
                token_service.resolve_token,
                token=presented,
                now=utcnow(),
                secret=svc.settings.secret_key,
                ip=client_ip(request, svc.settings.trusted_proxy_hops),
            )
            if token is None:
                return _unauthorized("This token is unknown, revoked or expired.")
            wait = await token_limiter(svc).take(str(token.id))
            if wait > 0:
                seconds = str(max(1, math.ceil(wait)))
                return api_error(
                    429, "rate_limited", f"Too many requests; retry in {seconds} s.", {"Retry-After": seconds}
                )
            if scope == "write" and not token.can_write:
                return api_error(403, "forbidden", "This token may only read; this operation needs a write token.")
            request.state.token = token
            return await endpoint(request)

        return declare(guarded, Access(TOKEN, scope=scope))

    return decorate(endpoint) if endpoint is not None else decorate
