"""HTTP routes of plants: photos (uploaded over HTTP, not the websocket) and the browser's push
subscription. All are the owner's: anyone else gets 404, as for a plant that does not exist."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accumulator import push
from accumulator.auth.access import owner_route
from accumulator.plants import actions, photos, reads, service
from accumulator.web import BadRequest, BodyTooLarge, json_error, parse_json_object, path_id, read_body, services


def _no_plant() -> Response:
    return json_error(404, "No such plant.")


@owner_route(refuse=_no_plant)
async def photo(request: Request) -> Response:
    """GET the plant's photo; POST a new one (the image file as the body, up to 10 MB)."""
    svc = services(request)
    plant_id = path_id(request, "plant_id")
    if plant_id is None:
        return _no_plant()
    if request.method == "GET":
        jpeg = await reads.photo(svc, plant_id=plant_id)
        if jpeg is None:
            return json_error(404, "This plant has no photo.")
        return Response(
            jpeg,
            media_type="image/jpeg",
            headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
        )
    try:
        image = await read_body(request, limit=photos.PHOTO_MAX_BYTES)
        photo_id = await actions.replace_photo(svc, plant_id=plant_id, image=image)
    except BodyTooLarge:
        return json_error(413, "The photo is larger than 10 MB.")
    except (BadRequest, service.PlantError) as exc:
        return json_error(400, str(exc))
    except LookupError:
        return _no_plant()
    return JSONResponse({"photo_url": f"/api/plants/{plant_id}/photo?v={photo_id}"})


def _not_found() -> Response:
    return json_error(404, "Not found.")


@owner_route(refuse=_not_found)
async def push_key(request: Request) -> Response:
    key = await reads.push_key(services(request))
    return JSONResponse({"public_key": key}, headers={"Cache-Control": "no-store"})


@owner_route(refuse=_not_found)
async def push_subscriptions(request: Request) -> Response:
    """POST the browser's subscription (PushSubscription.toJSON()); DELETE {"endpoint"} to stop."""
    svc = services(request)
    try:
        data = parse_json_object(await read_body(request, limit=8192))
    except BodyTooLarge:
        return json_error(413, "The subscription is too large.")
    except BadRequest as exc:
        return json_error(400, str(exc))
    if request.method == "DELETE":
        endpoint = data.get("endpoint")
        removed = isinstance(endpoint, str) and await actions.unsubscribe_browser(svc, endpoint=endpoint)
        return JSONResponse({"removed": bool(removed)})
    try:
        await actions.subscribe_browser(svc, data=data, user_agent=request.headers.get("user-agent", ""))
    except push.PushError as exc:
        return json_error(400, str(exc))
    return JSONResponse({"subscribed": True}, status_code=201)


routes = [
    Route("/api/plants/push/key", push_key, methods=["GET"]),
    Route("/api/plants/push/subscriptions", push_subscriptions, methods=["POST", "DELETE"]),
    Route("/api/plants/{plant_id}/photo", photo, methods=["GET", "POST"]),
]
