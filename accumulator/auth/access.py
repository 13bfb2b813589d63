"""Who may call an entry point, declared where it is written; the declaration does the check.

Every HTTP route endpoint and every Reflex event handler of the app carries an `Access`: `owner`
(the owner's valid session, from one of the app's own origins) or `public` (anyone). The decorators
here are the HTTP half; `accumulator/ui/access.py` is the Reflex half. A test walks every route and
handler of the built app and fails on one without a declaration.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

from accumulator.auth import service
from accumulator.db import utcnow
from accumulator.runtime import Services, in_transaction
from accumulator.settings import Settings
from accumulator.web import is_own_origin, json_error, services

OWNER: Literal["owner"] = "owner"
PUBLIC: Literal["public"] = "public"
_ATTRIBUTE = "__accumulator_access__"

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Access:
    kind: Literal["owner", "public"]
    # Owner entry points that a setting opens to everyone (DASHBOARD_PUBLIC), decided per call.
    public_if: Callable[[Settings], bool] | None = None
    # Public routes that pages of ALLOWED_ORIGINS may read (CORS, without credentials).
    cross_origin: bool = False

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
    """An HTTP endpoint anyone may call. `cross_origin`: pages of ALLOWED_ORIGINS may read it too
    (the endpoint sets its CORS headers; nothing grants credentialed CORS)."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        return declare(endpoint, Access(PUBLIC, cross_origin=cross_origin))

    return decorate(endpoint) if endpoint is not None else decorate
