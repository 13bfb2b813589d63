"""The public route a plant reminder's buttons and e-mail links act through (see quick.py): the
token is the only credential, so anyone holding a valid one may use it once, and nothing else."""

from __future__ import annotations

import html
import secrets
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from accumulator import public_html
from accumulator.auth.access import public_route
from accumulator.notify import tokens
from accumulator.plants import actions, quick
from accumulator.web import BadRequest, BodyTooLarge, json_error, parse_json_object, read_body, services


def _page(title: str, body: str, status: int = 200) -> Response:
    nonce = secrets.token_urlsafe(16)
    page = public_html.document_start(title, nonce, embed=False)
    page += f"<main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    headers = public_html.headers(nonce, frameable=False, forms=True, cache_control="no-store")
    return HTMLResponse(page, status_code=status, headers=headers)


def _confirm(token: str, preview: quick.Preview) -> Response:
    names = ", ".join(preview.names) or "no plants (they were deleted)"
    return _page(
        "Plants",
        f"<p>{html.escape(quick.LABELS[preview.action])}: {html.escape(names)}?</p>"
        f'<form method="post" action="{quick.ACT_PATH}">'
        f'<input type="hidden" name="t" value="{html.escape(token, quote=True)}">'
        '<button class="primary" type="submit">Confirm</button></form>',
    )


@public_route
async def act(request: Request) -> Response:
    """GET (an e-mail's link) shows what the token will do and one button; POST (that button, or
    the service worker with {"token": …}) does it, once."""
    svc = services(request)
    wants_json = request.method == "POST" and request.headers.get("content-type", "").startswith("application/json")
    try:
        if request.method == "GET":
            token = request.query_params.get("t", "")
            return _confirm(token, await quick.preview(svc, token=token))
        body = await read_body(request, limit=4096)
        if wants_json:
            token = parse_json_object(body).get("token")
        else:
            token = parse_qs(body.decode("utf-8", "replace")).get("t", [""])[0]
        done, names = await quick.act(svc, token=token)
    except tokens.TokenRefused as exc:
        if wants_json:
            return json_error(400, str(exc))
        return _page("Plants", f"<p>{html.escape(str(exc))}</p>", status=400)
    except (BadRequest, BodyTooLarge):
        return json_error(400, 'Send {"token": "…"}.')
    await actions.announce(svc)
    if wants_json:
        return JSONResponse({"done": done, "plants": names})
    listing = html.escape(", ".join(names) or "nothing (the plants were deleted)")
    return _page("Done", f'<p>{listing}: {html.escape(done)}.</p><p><a href="/plants">Open the plants</a></p>')


routes = [Route(quick.ACT_PATH, act, methods=["GET", "POST"])]
