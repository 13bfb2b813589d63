"""How a `/api/v1` operation is declared, once: method, path, scope, the pydantic models of its
query, body and answer, and the errors it may give. The same declaration builds the Starlette route
(which validates with those models) and the OpenAPI description (`openapi.py`, generated from those
models), so the two cannot drift apart.

Why one `apiv1` folder rather than a `v1.py` in each feature: the API is one versioned contract with
one error shape, one pagination rule and one description. Keeping its declarations together means the
description is built from one list, without this module reaching into every feature's manifest,
and the whole public surface can be read in one place. Each module here stays a thin adapter: it
calls the feature's own `reads`/`actions` (as its Reflex states do) and holds no business rules.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from accumulator.apiv1.shapes import ID_PATTERN, UUID_PATTERN, ApiError, not_found, row_id
from accumulator.auth.access import token_route
from accumulator.inputs import InputError, nesting_error
from accumulator.runtime import Services
from accumulator.tokens.service import ActiveToken
from accumulator.web import BodyTooLarge, api_error, read_body, services

PREFIX = "/api/v1"
JSON_BODY_MAX = 64 * 1024  # unless an operation says otherwise (pastes: 8 MB)

# Errors every operation may give, besides its own.
COMMON_ERRORS = {
    401: "No token, or an unknown, revoked or expired one.",
    429: "Too many requests for this token; wait for Retry-After seconds.",
    503: "The database is unavailable right now; retry after Retry-After seconds.",
}
ERROR_TEXT = {
    400: "The request is not valid (the message says which part and why).",
    403: "This operation needs a write token.",
    404: "There is no such object.",
    409: "The request conflicts with the current state (the message says why).",
    413: "The body is larger than this operation accepts.",
}


# Operations


@dataclass
class Call:
    """What a handler is given: everything already validated."""

    request: Request
    svc: Services
    token: ActiveToken
    path: dict[str, str]
    query: Any = None  # an instance of the operation's query model
    body: Any = None  # an instance of its body model (or bytes for a raw body)


@dataclass(frozen=True)
class PathParam:
    description: str
    pattern: str = ID_PATTERN
    max_length: int = 32


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # under PREFIX, e.g. "/notes/{note_id}"
    name: str  # operationId
    summary: str
    tag: str
    scope: Literal["read", "write"]
    handler: Callable[[Call], Awaitable[Any]]
    answer: type[BaseModel] | None = None  # None: 204 without a body
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    raw_body: str | None = None  # a media type: the body is the bytes as they are (an upload, streamed)
    body_limit: int = JSON_BODY_MAX
    path_params: dict[str, PathParam] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    description: str = ""

    def error_statuses(self) -> dict[int, str]:
        own = set(self.errors)
        if self.query or self.body or self.raw_body or self.path_params:
            own.add(400)
        if self.path_params:
            own.add(404)
        if self.body or self.raw_body:
            own.add(413)
        if self.scope == "write":
            own.add(403)
        found = {status: ERROR_TEXT[status] for status in own}
        return {**found, **COMMON_ERRORS}


def _validation_message(exc: ValidationError, where: str) -> str:
    first = exc.errors()[0]
    place = ".".join(str(part) for part in first.get("loc", ())) or where
    return f"{where} '{place}': {first.get('msg', 'is not valid')}." if place != where else f"{where}: {first['msg']}."


async def _body(request: Request, op: Operation) -> Any:
    try:
        raw = await read_body(request, limit=op.body_limit)
    except BodyTooLarge:
        raise ApiError(413, f"The body is larger than {op.body_limit:,} bytes.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "The body must be JSON in UTF-8.") from None
    reason = nesting_error(text)  # before the parser sees it: deep nesting would recurse
    if reason:
        raise ApiError(400, reason)
    try:
        return op.body.model_validate_json(text)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise ApiError(400, "The body is not valid JSON.") from None
        raise ApiError(400, _validation_message(exc, "The body")) from None


def _path(request: Request, op: Operation) -> dict[str, str]:
    values = {}
    for name, param in op.path_params.items():
        value = request.path_params.get(name, "")
        if len(value) > param.max_length or not re.fullmatch(param.pattern, value):
            raise not_found()
        if param.pattern == ID_PATTERN and not row_id(value):
            raise not_found()
        values[name] = value
    return values


def endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    """The route's endpoint: token checks (declared with `token_route`), then the path, query and
    body validated against the declared models, then the handler; every refusal in the v1 shape."""

    async def run(request: Request) -> Response:
        try:
            path = _path(request, op)
            try:
                query = op.query.model_validate(dict(request.query_params)) if op.query else None
            except ValidationError as exc:
                raise ApiError(400, _validation_message(exc, "The query parameter")) from None
            # A raw body (an upload) is left for the handler to stream; a JSON one is read here.
            body = await _body(request, op) if op.body else None
            result = await op.handler(
                Call(
                    request=request, svc=services(request), token=request.state.token, path=path, query=query, body=body
                )
            )
        except ApiError as exc:
            return api_error(exc.status, exc.code, exc.message)
        except InputError as exc:  # a feature's rule refused the input; its message is safe to show
            return api_error(400, "bad_request", str(exc))
        except LookupError:
            return api_error(404, "not_found", "There is no such object.")
        if op.answer is None:
            return Response(status_code=op.status, headers={"Cache-Control": "no-store"})
        payload = op.answer.model_validate(result) if not isinstance(result, op.answer) else result
        return JSONResponse(
            payload.model_dump(mode="json"), status_code=op.status, headers={"Cache-Control": "no-store"}
        )

    run.__name__ = run.__qualname__ = op.name
    run.__module__ = op.handler.__module__
    return token_route(run, scope=op.scope)


class V1Route(Route):
    """A route that answers a known path with an unknown method in the v1 error shape (405 and
    the methods it has), where Starlette would answer plain text."""

    allowed: str = ""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            response = api_error(
                405, "method_not_allowed", "This address does not take that method.", {"Allow": self.allowed}
            )
            await response(scope, receive, send)
            return
        await super().handle(scope, receive, send)


class IdConvertor(Convertor):
    """Path ids are digits: `/notes/search` is then not a note whose id is "search" (a PATCH of it
    answers 405, as for any method the address lacks). Kept as text; `_path` checks the length."""

    regex = "[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


class UuidConvertor(IdConvertor):
    """The same for UUID ids (contact messages): `/messages/unread-count` is not a message."""

    regex = UUID_PATTERN.strip("^$")


register_url_convertor("v1id", IdConvertor())
register_url_convertor("v1uuid", UuidConvertor())
CONVERTORS = {ID_PATTERN: "v1id", UUID_PATTERN: "v1uuid"}


def _route_path(op: Operation) -> str:
    path = op.path
    for name, param in op.path_params.items():
        if param.pattern in CONVERTORS:
            path = path.replace("{" + name + "}", "{" + name + ":" + CONVERTORS[param.pattern] + "}")
    return path


def build_routes(operations: list[Operation]) -> list[Route]:
    allowed: dict[str, set[str]] = {}
    for op in operations:
        allowed.setdefault(op.path, set()).add(op.method)
    routes = []
    for op in operations:
        route = V1Route(_route_path(op), endpoint(op), methods=[op.method])
        route.allowed = ", ".join(sorted(allowed[op.path]))
        routes.append(route)
    return routes
