"""The owner's plant pages: thin states over plants/service.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypedDict

import reflex as rx
from sqlmodel import Session

from accumulator import routes
from accumulator.api import get_services
from accumulator.db import session_scope, utcnow
from accumulator.notes.markdown import render
from accumulator.plants import reminders, service
from accumulator.plants.models import Plant
from accumulator.ui.live import follow
from accumulator.ui.owner import OwnerState

RULE_EVERY, RULE_CHECK = "every", "check"


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


class EventRow(TypedDict):
    text: str
    day: str


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


def _today() -> date:
    return service.local_today(utcnow(), get_services().settings.zone)


class PlantsBase(OwnerState):
    """What every plant page shares: running a change and telling the other tabs."""

    error: str = ""

    def _act(self, action: Callable[[Session], object]) -> bool:
        """Run a service call in a transaction; a refused input becomes the page's message."""
        try:
            with session_scope() as session:
                action(session)
        except service.PlantError as exc:
            self.error = str(exc)
            return False
        except LookupError:
            self.error = "That plant no longer exists."
            return False
        self.error = ""
        return True

    async def _announce(self, message: str = "") -> None:
        await get_services().bus.publish(service.PLANTS_TOPIC, message)


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

    def _load(self) -> None:
        today = _today()
        with session_scope() as session:
            rows = service.list_plants(session=session, today=today, location=self.location)
            self.locations = service.locations(session=session)
        self.plants = [
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
        ]
        svc = get_services()
        channels = reminders.channels_status(svc.engine, svc.settings)
        self.email_status, self.push_status = channels[reminders.EMAIL], channels[reminders.PUSH]
        self.reminder_time = svc.settings.reminder_time
        self.loaded = True

    def _on_change(self, message: str) -> None:
        self._load()

    @rx.event
    def load_plants(self):
        if not self._verify_owner():
            return self._login_redirect()
        self.error = ""
        follow(self)
        self._load()

    @rx.event
    def filter_location(self, value: str):
        self.location = "" if value == "all" else value
        self._load()

    @rx.event
    def set_adding(self, value: bool):
        self.adding, self.error = value, ""
        self.form_key += 1

    @rx.event
    async def add_plant(self, form: dict):
        if not self._verify_owner():
            return self._login_redirect()
        try:
            data = _form_input(form)
        except service.PlantError as exc:
            self.error = str(exc)
            return
        if not self._act(lambda session: service.create_plant(session=session, data=data, now=utcnow())):
            return
        self.adding = False
        self._load()
        await self._announce()
        return rx.toast(f"{data.name} added.")

    @rx.event
    async def water(self, plant_id: int):
        if not self._verify_owner():
            return self._login_redirect()
        today = _today()
        if self._act(lambda s: service.mark_watered(session=s, plant_id=plant_id, on=today, today=today)):
            self._load()
            await self._announce(str(plant_id))

    @rx.event
    async def snooze(self, plant_id: int, days: int):
        if not self._verify_owner():
            return self._login_redirect()
        today = _today()
        if self._act(lambda s: service.snooze(session=s, plant_id=plant_id, days=int(days), today=today)):
            self._load()
            await self._announce(str(plant_id))

    @rx.event
    async def water_location(self):
        if not self._verify_owner():
            return self._login_redirect()
        today, location = _today(), self.location
        count: list[int] = []
        if self._act(lambda s: count.append(service.water_location(session=s, location=location, today=today))):
            self._load()
            await self._announce()
            return rx.toast(f"Watered {count[0]} plants in {location}.")


def _form_input(form: dict) -> service.PlantInput:
    """The add/edit form's fields as the service wants them (raises PlantError with a message)."""
    return service.parse_input(
        {
            "name": form.get("name", ""),
            "species": form.get("species", ""),
            "location": form.get("location", ""),
            "notes": form.get("notes", ""),
            "interval_days": form.get("interval_days", ""),
            "check_soil": form.get("rule") == RULE_CHECK,
        }
    )


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

    def _load(self) -> None:
        today = _today()
        with session_scope() as session:
            plant = service.get_plant(session=session, plant_id=self.shown_id)
            events = service.history(session=session, plant_id=self.shown_id) if plant else []
        self.found = plant is not None
        if plant is None:
            return
        row = service.status(plant, today)
        self.name, self.species, self.location = plant.name, plant.species, plant.location
        self.notes, self.notes_html = plant.notes, render(plant.notes) if plant.notes else ""
        self.interval_days, self.check_soil = plant.interval_days, plant.check_soil
        self.rule = rule_text(plant)
        self.due_text, self.overdue = due_text(row.days_left), row.days_left < 0
        self.next_date = f"{row.due_on:%A %-d %B %Y}"
        self.last_watered = f"{plant.last_watered_on:%-d %B %Y}" if plant.last_watered_on else "never"
        self.photo_url = photo_url(plant)
        self.today = today.isoformat()
        self.history = [
            EventRow(
                text={
                    service.WATERED: "Watered",
                    service.CHECKED: "Soil checked, still moist",
                    service.SNOOZED: f"Snoozed until {event.until:%-d %B}" if event.until else "Snoozed",
                }.get(event.kind, event.kind),
                day=f"{event.on_date:%-d %B %Y}",
            )
            for event in events
        ]

    def _on_change(self, message: str) -> None:
        if message in ("", str(self.shown_id)):
            self._load()

    @rx.event
    def load_plant(self):
        if not self._verify_owner():
            return self._login_redirect()
        raw = str(self.plant_id)
        self.shown_id = int(raw) if raw.isdigit() and len(raw) < 12 else 0
        self.error, self.editing = "", False
        follow(self)
        self._load()

    @rx.event
    async def water_on(self, form: dict):
        """Watered today, or on the date the form gives."""
        if not self._verify_owner():
            return self._login_redirect()
        today = _today()
        try:
            on = date.fromisoformat(form.get("on") or today.isoformat())
        except ValueError:
            self.error = "That is not a date."
            return
        plant_id = self.shown_id
        if self._act(lambda s: service.mark_watered(session=s, plant_id=plant_id, on=on, today=today)):
            self._load()
            await self._announce(str(plant_id))
            return rx.toast("Watered today." if on == today else f"Watered on {on:%-d %B}.")

    @rx.event
    async def snooze(self, days: int):
        if not self._verify_owner():
            return self._login_redirect()
        today, plant_id = _today(), self.shown_id
        if self._act(lambda s: service.snooze(session=s, plant_id=plant_id, days=int(days), today=today)):
            self._load()
            await self._announce(str(plant_id))

    @rx.event
    async def still_moist(self):
        if not self._verify_owner():
            return self._login_redirect()
        today, plant_id = _today(), self.shown_id
        if self._act(lambda s: service.mark_checked(session=s, plant_id=plant_id, today=today)):
            self._load()
            await self._announce(str(plant_id))

    @rx.event
    def set_editing(self, value: bool):
        self.editing, self.error = value, ""
        self.form_key += 1

    @rx.event
    async def save(self, form: dict):
        if not self._verify_owner():
            return self._login_redirect()
        plant_id = self.shown_id
        try:
            data = _form_input(form)
        except service.PlantError as exc:
            self.error = str(exc)
            return
        if self._act(lambda s: service.update_plant(session=s, plant_id=plant_id, data=data)):
            self.editing = False
            self._load()
            await self._announce(str(plant_id))

    @rx.event
    async def delete(self):
        if not self._verify_owner():
            return self._login_redirect()
        plant_id, photo = self.shown_id, []
        if self._act(lambda s: photo.append(service.delete_plant(session=s, plant_id=plant_id))):
            if photo and photo[0]:
                get_services().photo_store.delete(photo[0])
            await self._announce()
            return [rx.redirect(routes.PLANTS), rx.toast(f"{self.name} deleted.")]
