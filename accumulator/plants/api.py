"""HTTP routes of plants: photos (uploaded over HTTP, not the websocket) and the browser's push
subscription. All are the owner's: anyone else gets 404, as for a plant that does not exist."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accumulator.auth.api import is_owner_request
from accumulator.plants import photos, push, service
from accumulator.storage import new_file_id
from accumulator.web import (
    BadRequest,
    BodyTooLarge,
    in_session,
    json_error,
    parse_json_object,
    read_body,
    services,
)


def _plant_id(request: Request) -> int | None:
    raw = request.path_params["plant_id"]
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


async def _announce(request: Request, plant_id: int) -> None:
    await services(request).bus.publish(service.PLANTS_TOPIC, str(plant_id))


async def photo(request: Request) -> Response:
    """GET the plant's photo; POST a new one (the image file as the body, up to 10 MB)."""
    changes = request.method == "POST"
    plant_id = _plant_id(request)
    if plant_id is None or not await is_owner_request(request, changes=changes):
        return json_error(404, "No such plant.")
    svc = services(request)
    plant = await in_session(request, service.get_plant, plant_id=plant_id)
    if plant is None:
        return json_error(404, "No such plant.")
    if not changes:
        if not plant.photo_id or not svc.photo_store.path(plant.photo_id).is_file():
            return json_error(404, "This plant has no photo.")
        return Response(
            await run_in_threadpool(svc.photo_store.path(plant.photo_id).read_bytes),
            media_type="image/jpeg",
            headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
        )
    try:
        data = await read_body(request, limit=photos.PHOTO_MAX_BYTES)
        jpeg = await run_in_threadpool(photos.normalise_photo, data)
    except BodyTooLarge:
        return json_error(413, "The photo is larger than 10 MB.")
    except (BadRequest, service.PlantError) as exc:
        return json_error(400, str(exc))
    photo_id = new_file_id()

    async def chunks():
        yield jpeg

    await svc.photo_store.save(photo_id, chunks(), limit=photos.PHOTO_MAX_BYTES)
    try:
        old = await in_session(request, service.set_photo, plant_id=plant_id, photo_id=photo_id)
    except LookupError:
        svc.photo_store.delete(photo_id)
        return json_error(404, "No such plant.")
    if old:
        svc.photo_store.delete(old)
    await _announce(request, plant_id)
    return JSONResponse({"photo_url": f"/api/plants/{plant_id}/photo?v={photo_id}"})


async def push_key(request: Request) -> Response:
    if not await is_owner_request(request):
        return json_error(404, "Not found.")
    key = await in_session(request, push.vapid_public_key)
    return JSONResponse({"public_key": key}, headers={"Cache-Control": "no-store"})


async def push_subscriptions(request: Request) -> Response:
    """POST the browser's subscription (PushSubscription.toJSON()); DELETE {"endpoint"} to stop."""
    if not await is_owner_request(request, changes=True):
        return json_error(404, "Not found.")
    try:
        data = parse_json_object(await read_body(request, limit=8192))
    except BodyTooLarge:
        return json_error(413, "The subscription is too large.")
    except BadRequest as exc:
        return json_error(400, str(exc))
    if request.method == "DELETE":
        endpoint = data.get("endpoint")
        removed = isinstance(endpoint, str) and await in_session(request, push.remove_subscription, endpoint=endpoint)
        return JSONResponse({"removed": bool(removed)})
    try:
        await in_session(request, push.save_subscription, data=data, user_agent=request.headers.get("user-agent", ""))
    except push.PushError as exc:
        return json_error(400, str(exc))
    await services(request).bus.publish(service.PLANTS_TOPIC, "push")
    return JSONResponse({"subscribed": True}, status_code=201)


routes = [
    Route("/api/plants/push/key", push_key, methods=["GET"]),
    Route("/api/plants/push/subscriptions", push_subscriptions, methods=["POST", "DELETE"]),
    Route("/api/plants/{plant_id}/photo", photo, methods=["GET", "POST"]),
]
