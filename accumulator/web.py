"""Small helpers every plain HTTP route shares: who is asking, reading bounded bodies, errors."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from accumulator.inputs import parse_json, whole_number
from accumulator.runtime import Services


def services(request: Request) -> Services:
    return request.app.state.services


class BodyTooLarge(Exception):
    pass


class BadRequest(Exception):
    pass


def client_ip(request: Request, trusted_hops: int) -> str:
    """The client's address: the peer, or the address the nearest trusted proxy saw."""
    peer = request.client.host if request.client else ""
    return forwarded_client(peer, request.headers.get("x-forwarded-for", ""), trusted_hops)


def forwarded_client(peer: str, forwarded_for: str, trusted_hops: int) -> str:
    """With N trusted hops, the N-th address from the right of X-Forwarded-For; anything left of it
    could have been written by the client itself. Without trusted hops, the peer."""
    if trusted_hops <= 0:
        return peer
    forwarded = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if len(forwarded) >= trusted_hops:
        return forwarded[-trusted_hops]
    return forwarded[0] if forwarded else peer


def forwarded_https(scheme: str | None, forwarded_proto: str, trusted_hops: int) -> bool:
    """Whether a request came over TLS: its own scheme says so, or the first X-Forwarded-Proto does
    and there is a trusted proxy to have set it."""
    if scheme in ("https", "wss"):
        return True
    return trusted_hops > 0 and forwarded_proto.split(",")[0].strip() == "https"


def is_https(request: Request, trusted_hops: int) -> bool:
    return forwarded_https(request.url.scheme, request.headers.get("x-forwarded-proto", ""), trusted_hops)


async def read_body(request: Request, *, limit: int) -> bytes:
    """The request body, refusing more than `limit` bytes without reading past it."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise BadRequest("Invalid Content-Length header.") from None
        if size > limit:
            raise BodyTooLarge
        return await request.body()  # the server never hands over more than Content-Length says
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def parse_json_object(body: bytes) -> dict[str, Any]:
    """The body's JSON object; BadRequest for anything else, including nesting deeper than
    `inputs.MAX_DEPTH` (refused before parsing, in linear time)."""
    data = parse_json(body, error=BadRequest)
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return data


DATABASE_AWAY = "The database is unavailable right now; try again in a moment."


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def api_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """An error of the token API (`/api/v1`): `{"error": {"code", "message"}}`, a stable code for
    programs and a sentence for people. The owner's routes keep their older `{"error": message}`."""
    return JSONResponse(
        {"error": {"code": code, "message": message}},
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def public_origin(request: Request, trusted_hops: int) -> str:
    """This app's origin as the browser sees it: https when a trusted proxy says so."""
    scheme = "https" if is_https(request, trusted_hops) else request.url.scheme
    return f"{scheme}://{request.url.netloc}"


def is_own_origin(origin: str | None, own_origins: tuple[str, ...]) -> bool:
    """No Origin (not a browser page: a script or a plain navigation) or one of the app's own.
    `null` (sandboxed frames, redirects through other sites) is nobody's origin."""
    return origin is None or origin in own_origins


def origin_allowed(request: Request, allowed: tuple[str, ...]) -> bool:
    """True for requests without an Origin (not from a browser page), from this app's own pages
    (`Settings.own_origins`: PUBLIC_URL's, whatever proxy is in front), or from one of `allowed`
    (exact scheme, host and port). `null` (a sandboxed or redirected page) is nobody's origin."""
    return may_send(request.headers.get("origin"), services(request).settings.own_origins, allowed)


def may_send(origin: str | None, own_origins: tuple[str, ...], allowed: tuple[str, ...]) -> bool:
    """`origin_allowed` for the Origin header's value."""
    return is_own_origin(origin, own_origins) or origin in allowed


def cors_headers(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """Headers that let an allowed page read the answer; none for anyone else."""
    return cors_for(request.headers.get("origin"), allowed)


def cors_for(origin: str | None, allowed: tuple[str, ...]) -> dict[str, str]:
    """`cors_headers` for the Origin header's value."""
    if origin is None or origin not in allowed:
        return {"Vary": "Origin"}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


PREFLIGHT_REFUSED = "This origin may not send events here."


def preflight_grant(origin: str | None, allowed: tuple[str, ...], methods: str) -> dict[str, str] | None:
    """The headers of a granted CORS preflight (allowed origins may send JSON or text bodies), or
    None when `origin` is not allowed."""
    if origin is None or origin not in allowed:
        return None
    return {
        **cors_for(origin, allowed),
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "86400",
    }


def preflight(request: Request, allowed: tuple[str, ...], methods: str) -> Response:
    """Answer a CORS preflight: 204 with the grant, or 403."""
    grant = preflight_grant(request.headers.get("origin"), allowed, methods)
    return json_error(403, PREFLIGHT_REFUSED) if grant is None else Response(status_code=204, headers=grant)


def path_id(request: Request, name: str) -> int | None:
    """A numeric id from the path, or None when it is not one a database row can have (64 bits)."""
    raw = request.path_params.get(name, "")
    return whole_number(raw)


def safe_next(target: str | None, default: str = "/dashboard") -> str:
    """A local path to return to after login; anything that could leave the site becomes `default`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or len(target) > 2048:
        return default
    if any(ch in target for ch in "\r\n\t"):
        return default
    return target
