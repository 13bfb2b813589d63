"""The ListenBrainz-compatible endpoints other players scrobble to: `POST /1/submit-listens` and
`GET /1/validate-token`, authorised by one of the owner's API tokens (made on /tokens), which
these clients send as `Authorization: Token <token>`. Point the player's ListenBrainz server
setting at this hub (e.g. `https://hub.example.com`) and give it a write token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accumulator.auth.access import token_route
from accumulator.db import utcnow
from accumulator.inputs import parse_json
from accumulator.runtime import off_loop
from accumulator.spotify import actions
from accumulator.spotify.listenbrainz import BadSubmission, Submission, parse_submission
from accumulator.web import BadRequest, BodyTooLarge, api_error, read_body, services

SUBMISSION_MAX = 2 * 1024 * 1024  # bytes: an import of 1,000 listens with generous metadata


def _parse(body: bytes) -> Submission:
    return parse_submission(parse_json(body, error=BadSubmission), now=utcnow())


@token_route(scope="write")
async def submit_listens(request: Request) -> Response:
    try:
        body = await read_body(request, limit=SUBMISSION_MAX)
        # Off the loop: up to 2 MB of JSON and 1,000 listens to check.
        submission = await off_loop(_parse, body=body)
    except BodyTooLarge:
        return api_error(413, "too_large", f"A submission is at most {SUBMISSION_MAX // 1024 // 1024} MB.")
    except (BadRequest, BadSubmission) as error:
        return api_error(400, "invalid_submission", str(error))
    if submission.plays:
        await actions.record_scrobbles(services(request), plays=submission.plays)
    return JSONResponse({"status": "ok"})


@token_route(scope="read")
async def validate_token(request: Request) -> Response:
    # The answer ListenBrainz gives, which clients check before they send anything.
    return JSONResponse({"code": 200, "message": "Token valid.", "valid": True, "user_name": "owner"})


routes = [
    Route("/1/submit-listens", submit_listens, methods=["POST"]),
    Route("/1/validate-token", validate_token, methods=["GET"]),
]
