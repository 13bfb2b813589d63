"""The only way plants, their photos and the push subscriptions change: one transaction each (off
the event loop), photo files touched only after it committed, then a PlantsChanged on PLANTS_TOPIC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from starlette.concurrency import run_in_threadpool

from accumulator import push
from accumulator.db import utcnow
from accumulator.plants import photos, reminders, service
from accumulator.runtime import Services, Topic, in_transaction, off_loop, publish
from accumulator.storage import new_file_id


@dataclass(frozen=True)
class PlantsChanged:
    plant_id: int = 0  # 0: several plants, or the list as a whole
    what: str = ""  # "push" when only the reminder channels changed


PLANTS_TOPIC = Topic("update:plants", PlantsChanged)


def today(svc: Services) -> date:
    return service.local_today(utcnow(), svc.settings.zone)


async def _announce(svc: Services, plant_id: int = 0, what: str = "") -> None:
    await publish(svc, PLANTS_TOPIC, PlantsChanged(plant_id=plant_id, what=what))


async def announce(svc: Services) -> None:
    """Tell open plant pages that plants changed elsewhere (e.g. from a notification's button)."""
    await _announce(svc)


async def create_plant(svc: Services, *, data: service.PlantInput) -> int:
    plant = await in_transaction(svc, service.create_plant, data=data, now=utcnow())
    await _announce(svc, plant.id)
    return plant.id


async def update_plant(svc: Services, *, plant_id: int, data: service.PlantInput) -> None:
    await in_transaction(svc, service.update_plant, plant_id=plant_id, data=data)
    await _announce(svc, plant_id)


async def delete_plant(svc: Services, *, plant_id: int) -> None:
    photo_id = await in_transaction(svc, service.delete_plant, plant_id=plant_id)
    if photo_id:
        await run_in_threadpool(svc.photo_store.delete, photo_id)
    await _announce(svc)


async def water(svc: Services, *, plant_id: int, on: date | None = None) -> None:
    """Watered today, or on an earlier day."""
    day = today(svc)
    await in_transaction(svc, service.mark_watered, plant_id=plant_id, on=on or day, today=day)
    await _announce(svc, plant_id)


async def water_location(svc: Services, *, location: str) -> int:
    count = await in_transaction(svc, service.water_location, location=location, today=today(svc))
    await _announce(svc)
    return count


async def snooze(svc: Services, *, plant_id: int, days: int) -> None:
    await in_transaction(svc, service.snooze, plant_id=plant_id, days=days, today=today(svc))
    await _announce(svc, plant_id)


async def still_moist(svc: Services, *, plant_id: int) -> None:
    await in_transaction(svc, service.mark_checked, plant_id=plant_id, today=today(svc))
    await _announce(svc, plant_id)


async def replace_photo(svc: Services, *, plant_id: int, image: bytes) -> str:
    """Store the image as the plant's photo (upright, stripped, resized; PlantError if it is not one)
    and remove the one it replaces. Returns the new photo's id; LookupError if there is no such plant."""
    jpeg = await off_loop(photos.normalise_photo, data=image)
    photo_id = new_file_id()

    async def chunks():
        yield jpeg

    await svc.photo_store.save(photo_id, chunks(), limit=photos.PHOTO_MAX_BYTES)
    try:
        old = await in_transaction(svc, service.set_photo, plant_id=plant_id, photo_id=photo_id)
    except BaseException:
        await run_in_threadpool(svc.photo_store.delete, photo_id)
        raise
    if old:
        await run_in_threadpool(svc.photo_store.delete, old)
    await _announce(svc, plant_id)
    return photo_id


async def subscribe_browser(svc: Services, *, data: dict, user_agent: str) -> None:
    """Remember a browser's push subscription (push.PushError for one that is not valid)."""
    await in_transaction(svc, push.save_subscription, data=data, user_agent=user_agent)
    await _announce(svc, what="push")


async def unsubscribe_browser(svc: Services, *, endpoint: str) -> bool:
    removed = await in_transaction(svc, push.remove_subscription, endpoint=endpoint)
    if removed:
        await _announce(svc, what="push")
    return removed


async def send_reminders(svc: Services) -> reminders.ReminderReport:
    """The reminder job: today's digest on every channel, once per plant, day and channel."""
    return await reminders.send_reminders(engine=svc.engine, settings=svc.settings, now=datetime.now(UTC))
