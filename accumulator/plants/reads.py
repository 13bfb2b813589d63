"""What the plant pages and routes show, read in one transaction off the event loop (care notes
rendered there too)."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from sqlmodel import Session

from accumulator import push
from accumulator.notes.markdown import render
from accumulator.plants import reminders, service
from accumulator.plants.actions import today
from accumulator.plants.models import CareEvent, Plant
from accumulator.runtime import Services, in_transaction


class PlantRow(TypedDict):
    id: int
    name: str
    species: str
    location: str
    due_text: str
    overdue: bool
    due_today: bool
    rule: str
    photo_url: str


class PlantList(TypedDict):
    plants: list[PlantRow]
    locations: list[str]
    email_status: str
    push_status: str


class EventRow(TypedDict):
    text: str
    day: str


class PlantDetail(TypedDict):
    name: str
    species: str
    location: str
    notes: str
    notes_html: str
    interval_days: int
    check_soil: bool
    rule: str
    due_text: str
    overdue: bool
    next_date: str
    last_watered: str
    photo_url: str
    today: str
    history: list[EventRow]


def due_text(days_left: int) -> str:
    if days_left < 0:
        return f"{-days_left} day{'s' if days_left != -1 else ''} overdue"
    if days_left == 0:
        return "due today"
    if days_left == 1:
        return "due tomorrow"
    return f"due in {days_left} days"


def rule_text(plant: Plant) -> str:
    every = {1: "every day", 7: "every week", 14: "every two weeks"}.get(
        plant.interval_days, f"every {plant.interval_days} days"
    )
    return f"Check the soil {every}" if plant.check_soil else f"Water {every}"


def photo_url(plant: Plant) -> str:
    return f"/api/plants/{plant.id}/photo?v={plant.photo_id}" if plant.photo_id else ""


def _event_text(event) -> str:
    return {
        service.WATERED: "Watered",
        service.CHECKED: "Soil checked, still moist",
        service.SNOOZED: f"Snoozed until {event.until:%-d %B}" if event.until else "Snoozed",
    }.get(event.kind, event.kind)


async def plant_list(svc: Services, *, location: str) -> PlantList:
    """/plants: every plant (of a location, or all) by due date, the locations, the channels."""
    day = today(svc)

    def load(session: Session) -> PlantList:
        rows = service.list_plants(session=session, today=day, location=location)
        channels = reminders.channels_status(session, svc.settings)
        return PlantList(
            plants=[
                PlantRow(
                    id=row.plant.id,
                    name=row.plant.name,
                    species=row.plant.species,
                    location=row.plant.location,
                    due_text=due_text(row.days_left),
                    overdue=row.days_left < 0,
                    due_today=row.days_left == 0,
                    rule=rule_text(row.plant),
                    photo_url=photo_url(row.plant),
                )
                for row in rows
            ],
            locations=service.locations(session=session),
            email_status=channels[reminders.EMAIL],
            push_status=channels[reminders.PUSH],
        )

    return await in_transaction(svc, load)


async def plant_detail(svc: Services, *, plant_id: int) -> PlantDetail | None:
    day = today(svc)

    def load(session: Session) -> PlantDetail | None:
        plant = service.get_plant(session=session, plant_id=plant_id)
        if plant is None:
            return None
        row = service.status(plant, day)
        return PlantDetail(
            name=plant.name,
            species=plant.species,
            location=plant.location,
            notes=plant.notes,
            notes_html=render(plant.notes) if plant.notes else "",
            interval_days=plant.interval_days,
            check_soil=plant.check_soil,
            rule=rule_text(plant),
            due_text=due_text(row.days_left),
            overdue=row.days_left < 0,
            next_date=f"{row.due_on:%A %-d %B %Y}",
            last_watered=f"{plant.last_watered_on:%-d %B %Y}" if plant.last_watered_on else "never",
            photo_url=photo_url(plant),
            today=day.isoformat(),
            history=[
                EventRow(text=_event_text(event), day=f"{event.on_date:%-d %B %Y}")
                for event in service.history(session=session, plant_id=plant_id)
            ],
        )

    return await in_transaction(svc, load)


async def photo(svc: Services, *, plant_id: int) -> bytes | None:
    """The plant's photo (JPEG), or None when there is no such plant or it has none."""

    def load(session: Session) -> bytes | None:
        plant = service.get_plant(session=session, plant_id=plant_id)
        if plant is None or not plant.photo_id:
            return None
        path = svc.photo_store.path(plant.photo_id)
        return path.read_bytes() if path.is_file() else None

    return await in_transaction(svc, load)


async def push_key(svc: Services) -> str:
    """The VAPID public key browsers subscribe with (made on first use)."""
    return await in_transaction(svc, push.vapid_public_key)


async def statuses(svc: Services, *, location: str = "") -> tuple[date, list[service.PlantStatus]]:
    """Today (the owner's) and every plant's status by due date, as stored (for the JSON API)."""
    day = today(svc)
    return day, await in_transaction(svc, service.list_plants, today=day, location=location)


async def status_with_history(
    svc: Services, *, plant_id: int
) -> tuple[date, service.PlantStatus, list[CareEvent]] | None:
    day = today(svc)

    def load(session: Session) -> tuple[date, service.PlantStatus, list[CareEvent]] | None:
        plant = service.get_plant(session=session, plant_id=plant_id)
        if plant is None:
            return None
        return day, service.status(plant, day), service.history(session=session, plant_id=plant_id)

    return await in_transaction(svc, load)
