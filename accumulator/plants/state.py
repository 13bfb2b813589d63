"""The owner's plant pages: thin states over plants/actions.py and plants/reads.py."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import Annotated, ClassVar

import reflex as rx

from accumulator import routes
from accumulator.inputs import whole_number
from accumulator.plants import actions, reads, service
from accumulator.plants.actions import PLANTS_TOPIC, PlantsChanged
from accumulator.plants.models import NOTES_MAX
from accumulator.plants.reads import EventRow, PlantRow
from accumulator.runtime import get_services
from accumulator.ui.access import MaxLength, owner
from accumulator.ui.live import follow
from accumulator.ui.owner import OwnerState

RULE_EVERY, RULE_CHECK = "every", "check"
PlantForm = Annotated[dict, MaxLength(NOTES_MAX)]
Line = Annotated[str, MaxLength(200)]

__all__ = ["RULE_CHECK", "RULE_EVERY", "EventRow", "PlantRow", "PlantState", "PlantsState"]


def _form_input(form: dict) -> service.PlantInput:
    """The add/edit form's fields as the service wants them (raises PlantError with a message)."""
    return service.parse_input(
        {
            "name": form.get("name") or "",
            "species": form.get("species") or "",
            "location": form.get("location") or "",
            "notes": form.get("notes") or "",
            "interval_days": form.get("interval_days") or "",
            "check_soil": form.get("rule") == RULE_CHECK,
        }
    )


class PlantsBase(OwnerState):
    """What every plant page shares: running a change, a refused input becoming the page's message."""

    follows: ClassVar[tuple] = (PLANTS_TOPIC,)

    error: str = ""

    async def _act(self, change: Awaitable[object]) -> bool:
        try:
            await change
        except service.PlantError as exc:
            self.error = str(exc)
            return False
        except LookupError:
            self.error = "That plant no longer exists."
            return False
        self.error = ""
        return True


class PlantsState(PlantsBase):
    """/plants: every plant by due date, a location filter, adding, and the reminder channels."""

    plants: list[PlantRow] = []
    locations: list[str] = []
    location: str = ""
    loaded: bool = False
    email_status: str = ""
    push_status: str = ""
    reminder_time: str = ""
    adding: bool = False
    form_key: int = 0

    async def _load(self) -> None:
        svc = get_services()
        shown = await reads.plant_list(svc, location=self.location)
        self.plants, self.locations = shown["plants"], shown["locations"]
        self.email_status, self.push_status = shown["email_status"], shown["push_status"]
        self.reminder_time = svc.settings.reminder_time
        self.loaded = True

    async def _on_change(self, message: PlantsChanged) -> None:
        await self._load()

    @owner
    async def load_plants(self):
        self.error = ""
        follow(self)
        await self._load()

    @owner
    async def filter_location(self, value: Line):
        self.location = "" if value == "all" else value
        await self._load()

    @owner
    async def set_adding(self, value: bool):
        self.adding, self.error = value, ""
        self.form_key += 1

    @owner
    async def add_plant(self, form: PlantForm):
        try:
            data = _form_input(form)
        except service.PlantError as exc:
            self.error = str(exc)
            return None
        if not await self._act(actions.create_plant(get_services(), data=data)):
            return None
        self.adding = False
        await self._load()
        return rx.toast(f"{data.name} added.")

    @owner
    async def water(self, plant_id: int):
        if await self._act(actions.water(get_services(), plant_id=plant_id)):
            await self._load()

    @owner
    async def snooze(self, plant_id: int, days: int):
        if await self._act(actions.snooze(get_services(), plant_id=plant_id, days=days)):
            await self._load()

    @owner
    async def water_location(self):
        location = self.location
        count: list[int] = []

        async def water_all() -> None:
            count.append(await actions.water_location(get_services(), location=location))

        if await self._act(water_all()):
            await self._load()
            return rx.toast(f"Watered {count[0]} plants in {location}.")
        return None


class PlantState(PlantsBase):
    """/plants/<id>: one plant, its care notes, actions and history."""

    found: bool = True
    shown_id: int = 0
    name: str = ""
    species: str = ""
    location: str = ""
    notes_html: str = ""
    notes: str = ""
    interval_days: int = 7
    check_soil: bool = False
    rule: str = ""
    due_text: str = ""
    overdue: bool = False
    next_date: str = ""
    last_watered: str = ""
    photo_url: str = ""
    today: str = ""
    history: list[EventRow] = []
    editing: bool = False
    form_key: int = 0

    async def _load(self) -> None:
        detail = await reads.plant_detail(get_services(), plant_id=self.shown_id)
        self.found = detail is not None
        if detail is None:
            return
        self.name, self.species, self.location = detail["name"], detail["species"], detail["location"]
        self.notes, self.notes_html = detail["notes"], detail["notes_html"]
        self.interval_days, self.check_soil, self.rule = detail["interval_days"], detail["check_soil"], detail["rule"]
        self.due_text, self.overdue, self.next_date = detail["due_text"], detail["overdue"], detail["next_date"]
        self.last_watered, self.photo_url, self.today = detail["last_watered"], detail["photo_url"], detail["today"]
        self.history = detail["history"]

    async def _on_change(self, message: PlantsChanged) -> None:
        if message.what != "push" and message.plant_id in (0, self.shown_id):
            await self._load()

    @owner
    async def load_plant(self):
        raw = str(self.plant_id)
        self.shown_id = whole_number(raw, max_digits=11) or 0
        self.error, self.editing = "", False
        follow(self)
        await self._load()

    @owner
    async def water_on(self, form: dict):
        """Watered today, or on the date the form gives."""
        day = actions.today(get_services())
        try:
            on = date.fromisoformat(str(form.get("on") or day.isoformat()))
        except ValueError:
            self.error = "That is not a date."
            return None
        if await self._act(actions.water(get_services(), plant_id=self.shown_id, on=on)):
            await self._load()
            return rx.toast("Watered today." if on == day else f"Watered on {on:%-d %B}.")
        return None

    @owner
    async def snooze(self, days: int):
        if await self._act(actions.snooze(get_services(), plant_id=self.shown_id, days=days)):
            await self._load()

    @owner
    async def still_moist(self):
        if await self._act(actions.still_moist(get_services(), plant_id=self.shown_id)):
            await self._load()

    @owner
    async def set_editing(self, value: bool):
        self.editing, self.error = value, ""
        self.form_key += 1

    @owner
    async def save(self, form: PlantForm):
        try:
            data = _form_input(form)
        except service.PlantError as exc:
            self.error = str(exc)
            return
        if await self._act(actions.update_plant(get_services(), plant_id=self.shown_id, data=data)):
            self.editing = False
            await self._load()

    @owner
    async def delete(self):
        name = self.name
        if await self._act(actions.delete_plant(get_services(), plant_id=self.shown_id)):
            return [rx.redirect(routes.PLANTS), rx.toast(f"{name} deleted.")]
        return None
