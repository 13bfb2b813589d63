"""`/api/v1` for plants: the list with due dates (and how many are due, for dashboards), one plant
with its history, watering (today or an earlier day) and snoozing. plants/reads.py and
plants/actions.py do the work; plants/service.py keeps the rules (dates, snooze lengths)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from accumulator.apiv1.contract import Call, Operation, PathParam
from accumulator.apiv1.shapes import Listing, Page, Strict, Text, not_found, offset_page
from accumulator.plants import actions, reads, service
from accumulator.plants.models import LOCATION_MAX, CareEvent
from accumulator.web import public_origin

PLANT_ID = {"plant_id": PathParam("The plant's id.")}


class PlantOut(BaseModel):
    id: str
    name: str
    species: str
    location: str
    interval_days: int
    check_soil: bool = Field(description="True: check the soil every interval, water when dry.")
    last_watered_on: dt.date | None
    snoozed_until: dt.date | None
    due_on: dt.date
    days_left: int = Field(description="Days until due; negative: overdue by that many.")
    due: bool = Field(description="Due today or overdue.")
    url: str = Field(description="The plant on the owner's pages.")


class CareEventOut(BaseModel):
    kind: Literal["watered", "snoozed", "checked"]
    on: dt.date
    until: dt.date | None = Field(description="For a snooze: the new due date.")


class PlantDetailOut(PlantOut):
    notes: str = Field(description="Care notes (markdown).")
    history: list[CareEventOut] = Field(description="The latest care, newest first.")


class PlantListing(Listing[PlantOut]):
    today: dt.date = Field(description="The owner's today, which due dates count from.")
    due_count: int = Field(description="Plants (of the location asked) due today or overdue, on every page.")


class PlantsQuery(Page):
    location: Text(LOCATION_MAX, single_line=True) = Field("", description="Only this location's plants.")


class WaterIn(Strict):
    on: dt.date | None = Field(None, description="The day it was watered (today or up to a year ago); default today.")


class SnoozeIn(Strict):
    days: Literal[1, 3, 7] = Field(description="Put the care off by this many days.")


def _plant_out(call: Call, row: service.PlantStatus) -> dict[str, Any]:
    plant = row.plant
    return {
        "id": str(plant.id),
        "name": plant.name,
        "species": plant.species,
        "location": plant.location,
        "interval_days": plant.interval_days,
        "check_soil": plant.check_soil,
        "last_watered_on": plant.last_watered_on,
        "snoozed_until": plant.snoozed_until,
        "due_on": row.due_on,
        "days_left": row.days_left,
        "due": row.days_left <= 0,
        "url": f"{public_origin(call.request, call.svc.settings.trusted_proxy_hops)}/plants/{plant.id}",
    }


def _event_out(event: CareEvent) -> dict[str, Any]:
    return {"kind": event.kind, "on": event.on_date, "until": event.until}


async def list_plants(call: Call) -> dict[str, Any]:
    day, rows = await reads.statuses(call.svc, location=call.query.location)
    page = offset_page([_plant_out(call, row) for row in rows], call.query)
    return {**page, "today": day, "due_count": sum(1 for row in rows if row.days_left <= 0)}


async def _detail(call: Call) -> dict[str, Any]:
    found = await reads.status_with_history(call.svc, plant_id=int(call.path["plant_id"]))
    if found is None:
        raise not_found("plant")
    _day, row, history = found
    return {**_plant_out(call, row), "notes": row.plant.notes, "history": [_event_out(e) for e in history]}


async def get_plant(call: Call) -> dict[str, Any]:
    return await _detail(call)


async def water(call: Call) -> dict[str, Any]:
    await actions.water(call.svc, plant_id=int(call.path["plant_id"]), on=call.body.on)
    return await _detail(call)


async def snooze(call: Call) -> dict[str, Any]:
    await actions.snooze(call.svc, plant_id=int(call.path["plant_id"]), days=call.body.days)
    return await _detail(call)


OPERATIONS = [
    Operation(
        "GET",
        "/plants",
        "listPlants",
        "List plants by due date",
        "plants",
        "read",
        list_plants,
        answer=PlantListing,
        query=PlantsQuery,
    ),
    Operation(
        "GET",
        "/plants/{plant_id}",
        "getPlant",
        "Get a plant with its care history",
        "plants",
        "read",
        get_plant,
        answer=PlantDetailOut,
        path_params=PLANT_ID,
    ),
    Operation(
        "POST",
        "/plants/{plant_id}/water",
        "waterPlant",
        "Mark a plant watered",
        "plants",
        "write",
        water,
        answer=PlantDetailOut,
        body=WaterIn,
        path_params=PLANT_ID,
        description="Today, or `on` an earlier day (kept in the history; an earlier day than the last "
        "watering does not move the schedule back).",
    ),
    Operation(
        "POST",
        "/plants/{plant_id}/snooze",
        "snoozePlant",
        "Snooze a plant's care",
        "plants",
        "write",
        snooze,
        answer=PlantDetailOut,
        body=SnoozeIn,
        path_params=PLANT_ID,
    ),
]
