"""`POST /api/contact` (JSON or a form), and `GET /api/contact` for a fresh form-open stamp; pages
of ALLOWED_ORIGINS may call both, without credentials."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accumulator.auth.access import cors, public_route
from accumulator.comments import spam
from accumulator.comments.api import refusal
from accumulator.contact import actions
from accumulator.db import utcnow
from accumulator.inputs import InputError, is_clean
from accumulator.web import (
    BadRequest,
    BodyTooLarge,
    client_ip,
    json_error,
    parse_json_object,
    read_body,
    services,
)

BODY_MAX = 32 * 1024


def _form(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The form is not valid UTF-8.") from None
    try:
        fields = dict(parse_qsl(text, keep_blank_values=True, max_num_fields=16))
    except ValueError:
        raise BadRequest("The form has too many fields.") from None
    if not all(is_clean(value) for value in fields.values()):
        raise BadRequest("The form holds text that is not valid.")
    return fields


@public_route(cross_origin=True)
async def contact(request: Request) -> Response:
    svc = services(request)
    headers = cors(request)
    if request.method == "GET":
        stamp = spam.form_stamp(svc.settings.secret_key, utcnow())
        return JSONResponse({"stamp": stamp}, headers={**headers, "Cache-Control": "no-store"})
    try:
        body = await read_body(request, limit=BODY_MAX)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        data = _form(body) if kind == "application/x-www-form-urlencoded" else parse_json_object(body)
        message_id = await actions.send_message(svc, data=data, ip=client_ip(request, svc.settings.trusted_proxy_hops))
    except BodyTooLarge:
        return json_error(413, "A message is at most 5,000 characters.", headers)
    except (BadRequest, InputError) as error:
        return json_error(400, str(error), headers)
    except spam.Refused as error:
        return refusal(error, headers)
    return JSONResponse({"status": "success", "id": message_id}, status_code=201, headers=headers)


routes = [Route("/api/contact", contact, methods=["GET", "POST", "OPTIONS"])]
