"""Plain ASGI for the busiest route: a page view from every reader of the owner's sites.

A lean endpoint is `async def handler(request: LeanRequest) -> LeanResponse`: the request's few
facts and a bounded body in, bytes and headers out. Starlette's request, response, router and
middleware objects cost the event loop more per page view than the route's own work did
(bench/ingest_throughput.py), so `api.HotPaths` serves lean endpoints straight from ASGI; they are
routes like any other too (`Route(path, endpoint)`), which is how in-process tests reach them.

What every answer carries is set here the way `api.security_headers` sets it for everything else
(frame-ancestors 'none', X-Frame-Options, HSTS over https, never credentialed CORS), and what can
go wrong is answered as there: a clear 4xx from the handler, 503 when the database is away, a 500
without a trace for the rest. Who may call a lean endpoint is declared with
`auth.access.lean_public_route`; the declaration does the check."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError
from starlette.types import Receive, Scope, Send

from accumulator.runtime import Services
from accumulator.web import DATABASE_AWAY, BadRequest, BodyTooLarge, forwarded_client, forwarded_https

log = logging.getLogger(__name__)

FRAME_POLICY = "frame-ancestors 'none'"
HSTS = "max-age=31536000"
_ALWAYS = ((b"content-security-policy", FRAME_POLICY.encode()), (b"x-frame-options", b"DENY"))
_HSTS = (b"strict-transport-security", HSTS.encode())


class ClientGone(Exception):
    """The client went away before its request was whole: there is no one to answer."""


class LeanRequest:
    """One HTTP request: its method, its headers (lower-case names; the first of repeated ones, as
    Starlette's `headers.get` gives), the app's services and the body, read on demand."""

    __slots__ = ("_receive", "cors", "headers", "method", "scope", "services")

    def __init__(self, scope: Scope, receive: Receive, services: Services) -> None:
        self.scope = scope
        self._receive = receive
        self.services = services
        self.method: str = scope["method"]
        self.headers: dict[str, str] = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in reversed(scope["headers"])
        }
        self.cors: dict[str, str] = {"Vary": "Origin"}  # set by a cross-origin declaration

    def client_ip(self, trusted_hops: int) -> str:
        """As `web.client_ip`: the peer, or the address the nearest trusted proxy saw."""
        client = self.scope.get("client")
        return forwarded_client(client[0] if client else "", self.headers.get("x-forwarded-for", ""), trusted_hops)

    def is_https(self, trusted_hops: int) -> bool:
        return forwarded_https(self.scope.get("scheme"), self.headers.get("x-forwarded-proto", ""), trusted_hops)

    async def body(self, *, limit: int) -> bytes:
        """The body, refusing more than `limit` bytes (BodyTooLarge) without reading past them."""
        declared = self.headers.get("content-length")
        if declared is not None:
            # ASCII digits only ("²" is a digit to `isdigit`, and `int` refuses thousands of digits).
            if not (declared.isascii() and declared.isdigit()):
                raise BadRequest("Invalid Content-Length header.")
            if len(declared) > len(str(limit)) or int(declared) > limit:
                raise BodyTooLarge
        parts, size = [], 0
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            part = message.get("body", b"")
            size += len(part)
            if size > limit:
                raise BodyTooLarge
            parts.append(part)
            if not message.get("more_body", False):
                return parts[0] if len(parts) == 1 else b"".join(parts)


@dataclass(frozen=True, slots=True)
class LeanResponse:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    media_type: str | None = "application/json"


def json_error(status: int, message: str, headers: Mapping[str, str] | None = None) -> LeanResponse:
    """As `web.json_error`: `{"error": message}`."""
    return LeanResponse(status, json.dumps({"error": message}).encode(), headers or {})


LeanHandler = Callable[[LeanRequest], Awaitable[LeanResponse]]


class LeanEndpoint:
    """The ASGI app of a lean handler, for `methods` only (405 otherwise)."""

    def __init__(self, handler: LeanHandler, *, methods: tuple[str, ...]) -> None:
        functools.update_wrapper(self, handler)  # its name, module and declaration (see auth.access)
        self.handler = handler
        self.methods = frozenset(methods)
        self._allow = ", ".join(methods)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        services: Services = scope["app"].state.services
        request = LeanRequest(scope, receive, services)
        hops = services.settings.trusted_proxy_hops
        try:
            if request.method not in self.methods:
                answer = json_error(405, "Method not allowed.", {"Allow": self._allow})
            else:
                answer = await self.handler(request)
        except ClientGone:
            return
        except DBAPIError as exc:
            log.warning("database unavailable for %s %s: %s", request.method, scope["path"], type(exc).__name__)
            answer = json_error(503, DATABASE_AWAY, {"Retry-After": "5", "Cache-Control": "no-store"})
        except Exception:
            log.exception("%s %s failed", request.method, scope["path"])
            answer = json_error(500, "Something went wrong on our side; try again later.")
        await _send(send, answer, https=request.is_https(hops))


async def _send(send: Send, answer: LeanResponse, *, https: bool) -> None:
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers.items()]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    if answer.media_type is not None:
        headers.append((b"content-type", answer.media_type.encode()))
    headers += _ALWAYS
    if https:
        headers.append(_HSTS)
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
