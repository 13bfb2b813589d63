"""Login and logout over plain HTTP, so the session cookie can be HttpOnly (Reflex state cannot set one)."""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from accumulator.auth import actions, service
from accumulator.auth.access import owner_route, public_route
from accumulator.inputs import clean_text, is_clean
from accumulator.web import (
    BadRequest,
    BodyTooLarge,
    client_ip,
    is_https,
    json_error,
    origin_allowed,
    parse_json_object,
    read_body,
    safe_next,
    services,
)

LOGIN_BODY_LIMIT = 16 * 1024
WRONG_CREDENTIALS = "Wrong e-mail or password."
# The server forgets a session after 30 days without use; the cookie itself lives as long as
# browsers allow, so an owner who keeps using the app is never cut off by the cookie's own date.
COOKIE_MAX_AGE = 400 * 24 * 3600


def _is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")


def _login_fields(request: Request, body: bytes) -> tuple[str, str, str | None]:
    if _is_form(request):
        try:
            raw = parse_qs(body.decode("utf-8"), max_num_fields=10)
        except (UnicodeDecodeError, ValueError):
            raise BadRequest("The form could not be read.") from None
        fields = {key: values[0] for key, values in raw.items()}
    else:
        fields = parse_json_object(body)
    email, password = fields.get("email"), fields.get("password")
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        raise BadRequest("Send an e-mail and a password.")
    email = clean_text(email, field="The e-mail", max_length=LOGIN_BODY_LIMIT, error=BadRequest)
    password = clean_text(password, field="The password", max_length=LOGIN_BODY_LIMIT, error=BadRequest)
    next_path = fields.get("next")
    return email, password, next_path if is_clean(next_path) else None


def _form_failure(error: str, next_path: str | None, **extra: str) -> RedirectResponse:
    # A browser posting the plain form is sent back to the page, which explains the error.
    query = {"error": error, **extra}
    if next_path:
        query["next"] = safe_next(next_path)
    return RedirectResponse(f"/login?{urlencode(query)}", status_code=303)


@public_route
async def login(request: Request) -> Response:
    svc = services(request)
    settings = svc.settings
    ip = client_ip(request, settings.trusted_proxy_hops)
    is_form = _is_form(request)
    # Only this site's own login page may log in (no origins are allowed here, not even the
    # analytics ones). "null" is refused too: it is what a sandboxed frame or a data: page sends,
    # and this site's login page never does.
    if not origin_allowed(request, ()):
        return json_error(403, "Log in from this site's own login page.")
    try:
        body = await read_body(request, limit=LOGIN_BODY_LIMIT)
        email, password, next_path = _login_fields(request, body)
    except BodyTooLarge:
        return json_error(413, "The request is larger than 16 KB.")
    except BadRequest as exc:
        return _form_failure("missing", None) if is_form else json_error(400, str(exc))

    # The attempt is reserved before the slow password check, in one step of the limiter: of any
    # number of attempts at once, only the allowed few are checked. A success gives it all back.
    wait = await svc.login_failures.take(ip)
    if wait > 0:
        seconds = str(math.ceil(wait))
        if is_form:
            return _form_failure("locked", next_path, retry=seconds)
        return json_error(429, f"Too many failed attempts. Try again in {seconds} s.", headers={"Retry-After": seconds})

    user_agent = request.headers.get("user-agent", "")
    token = await actions.log_in(svc, email=email, password=password, ip=ip, user_agent=user_agent)
    if token is None:  # the reservation stays: it is this failure's record
        return _form_failure("invalid", next_path) if is_form else json_error(401, WRONG_CREDENTIALS)

    await svc.login_failures.reset(ip)
    target = safe_next(next_path)
    response: Response = (
        RedirectResponse(target, status_code=303) if is_form else JSONResponse({"ok": True, "next": target})
    )
    response.set_cookie(
        service.SESSION_COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request, settings.trusted_proxy_hops),
    )
    return response


@public_route
async def logout(request: Request) -> Response:
    # Like any change: another site's page may not log the owner out with the owner's cookie.
    if not origin_allowed(request, ()):
        return json_error(403, "Log out from this site's own pages.")
    await actions.log_out(services(request), token=request.cookies.get(service.SESSION_COOKIE))
    response: Response = (
        RedirectResponse("/login", status_code=303) if _is_form(request) else JSONResponse({"ok": True})
    )
    response.delete_cookie(service.SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@owner_route(refuse=lambda: json_error(401, "Not logged in."))
async def me(request: Request) -> Response:
    """Who the cookie belongs to: lets scripts and tests check a session without a page."""
    owner = request.state.owner
    return JSONResponse({"email": owner.email, "session_id": owner.session_id}, headers={"Cache-Control": "no-store"})


routes = [
    Route("/api/auth/login", login, methods=["POST"]),
    Route("/api/auth/logout", logout, methods=["POST"]),
    Route("/api/auth/me", me, methods=["GET"]),
]
