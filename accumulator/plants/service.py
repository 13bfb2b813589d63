"""Plants' rules: what a plant is, when it is due, what watering and snoozing do, and which reminders
are still owed today.

Every date here is the owner's calendar date ("today" comes from the caller, computed in TIMEZONE),
so time zones and daylight-saving changes never shift a due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, func, select

from accumulator.inputs import InputError, clean_text, whole_number
from accumulator.plants.due import DuePlant
from accumulator.plants.models import (
    INTERVAL_MAX,
    LOCATION_MAX,
    NAME_MAX,
    NOTES_MAX,
    CareEvent,
    Plant,
    ReminderDelivery,
)

WATERED, SNOOZED, CHECKED = "watered", "snoozed", "checked"
SNOOZE_DAYS = (1, 3, 7)
HISTORY_SIZE = 50


class PlantError(InputError):
    """A refused input; the message is shown to the owner as it is."""


@dataclass(frozen=True)
class PlantInput:
    name: str
    species: str
    location: str
    notes: str
    interval_days: int
    check_soil: bool


@dataclass(frozen=True)
class PlantStatus:
    plant: Plant
    due_on: date
    days_left: int  # negative: overdue by that many days


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def _line(data: dict[str, Any], key: str, limit: int, label: str) -> str:
    return clean_text(data.get(key, ""), field=label, max_length=limit, single_line=True, error=PlantError)


def parse_interval(raw: Any) -> int:
    """A whole number of days from 1 to 365, from a number or its text."""
    if isinstance(raw, bool):
        raise PlantError("The interval must be a whole number of days.")
    if isinstance(raw, str):
        raw = raw.strip()
        if (raw := whole_number(raw, max_digits=6)) is None:
            raise PlantError("The interval must be a whole number of days.")
    if not isinstance(raw, int):
        raise PlantError("The interval must be a whole number of days.")
    if not 1 <= raw <= INTERVAL_MAX:
        raise PlantError(f"The interval must be between 1 and {INTERVAL_MAX} days.")
    return raw


def parse_input(data: dict[str, Any]) -> PlantInput:
    name = _line(data, "name", NAME_MAX, "The name")
    if not name:
        raise PlantError("Give the plant a name.")
    notes = clean_text(data.get("notes", ""), field="Care notes", max_length=NOTES_MAX, error=PlantError)
    return PlantInput(
        name=name,
        species=_line(data, "species", NAME_MAX, "The species"),
        location=_line(data, "location", LOCATION_MAX, "The location"),
        notes=notes.strip(),
        interval_days=parse_interval(data.get("interval_days", 7)),
        check_soil=bool(data.get("check_soil", False)),
    )


def due_on(plant: Plant, today: date) -> date:
    """When the plant next needs care: its last watering (or, for check-the-soil plants, its last
    check) plus the interval, or the snooze if later. A plant never watered is due now."""
    done = [plant.last_watered_on] + ([plant.last_checked_on] if plant.check_soil else [])
    known = [day for day in done if day is not None]
    due = max(known) + timedelta(days=plant.interval_days) if known else today
    if plant.snoozed_until is not None and plant.snoozed_until > due:
        due = plant.snoozed_until
    return due


def status(plant: Plant, today: date) -> PlantStatus:
    due = due_on(plant, today)
    return PlantStatus(plant=plant, due_on=due, days_left=(due - today).days)


def list_plants(*, session: Session, today: date, location: str = "") -> list[PlantStatus]:
    """Plants by due date (most overdue first), then name; optionally one location's."""
    statement = select(Plant)
    if location:
        statement = statement.where(Plant.location == location)
    rows = [status(plant, today) for plant in session.exec(statement).all()]
    return sorted(rows, key=lambda row: (row.due_on, row.plant.name.lower()))


def locations(*, session: Session) -> list[str]:
    found = session.exec(select(Plant.location).where(Plant.location != "").distinct()).all()
    return sorted(found, key=str.lower)


def get_plant(*, session: Session, plant_id: int) -> Plant | None:
    return session.get(Plant, plant_id)


def _require(session: Session, plant_id: int) -> Plant:
    plant = session.get(Plant, plant_id)
    if plant is None:
        raise LookupError(plant_id)
    return plant


def create_plant(*, session: Session, data: PlantInput, now: datetime) -> Plant:
    plant = Plant(**data.__dict__, created_at=now)
    session.add(plant)
    session.flush()
    return plant


def update_plant(*, session: Session, plant_id: int, data: PlantInput) -> Plant:
    plant = _require(session, plant_id)
    for key, value in data.__dict__.items():
        setattr(plant, key, value)
    session.add(plant)
    session.flush()
    return plant


def delete_plant(*, session: Session, plant_id: int) -> str | None:
    """Remove a plant with its history; returns its photo's file id, to delete after commit."""
    plant = _require(session, plant_id)
    photo = plant.photo_id
    session.exec(delete(CareEvent).where(CareEvent.plant_id == plant_id))
    session.exec(delete(ReminderDelivery).where(ReminderDelivery.plant_id == plant_id))
    session.delete(plant)
    return photo


def set_photo(*, session: Session, plant_id: int, photo_id: str | None) -> str | None:
    """Give the plant a new photo (or none); returns the old photo's id, to delete after commit."""
    plant = _require(session, plant_id)
    old, plant.photo_id = plant.photo_id, photo_id
    session.add(plant)
    return old


def mark_watered(*, session: Session, plant_id: int, on: date, today: date) -> Plant:
    """Watered on `on` (today or earlier). Ends any snooze; an earlier date than the last watering
    is kept in the history without moving the schedule back."""
    if on > today:
        raise PlantError("The watering date is in the future.")
    if on < today - timedelta(days=INTERVAL_MAX):
        raise PlantError("The watering date is more than a year ago.")
    plant = _require(session, plant_id)
    if plant.last_watered_on is None or on >= plant.last_watered_on:
        plant.last_watered_on = on
        plant.snoozed_until = None
    session.add(plant)
    session.add(CareEvent(plant_id=plant_id, kind=WATERED, on_date=on))
    session.flush()
    return plant


def water_location(*, session: Session, location: str, today: date) -> int:
    """'Watered all in this location' today; returns how many plants."""
    if not location:
        raise PlantError("Choose a location first.")
    ids = session.exec(select(Plant.id).where(Plant.location == location)).all()
    for plant_id in ids:
        mark_watered(session=session, plant_id=plant_id, on=today, today=today)
    return len(ids)


def snooze(*, session: Session, plant_id: int, days: int, today: date) -> Plant:
    """Put off this plant's care: due `days` from today (or from its due date, if that is later)."""
    if days not in SNOOZE_DAYS:
        raise PlantError(f"Snooze for {', '.join(map(str, SNOOZE_DAYS))} days.")
    plant = _require(session, plant_id)
    until = max(today, due_on(plant, today)) + timedelta(days=days)
    plant.snoozed_until = until
    session.add(plant)
    session.add(CareEvent(plant_id=plant_id, kind=SNOOZED, on_date=today, until=until))
    session.flush()
    return plant


def mark_checked(*, session: Session, plant_id: int, today: date) -> Plant:
    """A check-the-soil plant whose soil is still moist: check again after the interval."""
    plant = _require(session, plant_id)
    if not plant.check_soil:
        raise PlantError("This plant is watered on a schedule, not by checking the soil.")
    plant.last_checked_on = today
    plant.snoozed_until = None
    session.add(plant)
    session.add(CareEvent(plant_id=plant_id, kind=CHECKED, on_date=today))
    session.flush()
    return plant


def history(*, session: Session, plant_id: int) -> list[CareEvent]:
    return list(
        session.exec(
            select(CareEvent)
            .where(CareEvent.plant_id == plant_id)
            .order_by(col(CareEvent.on_date).desc(), col(CareEvent.id).desc())
            .limit(HISTORY_SIZE)
        ).all()
    )


# Reminders


def due_plants(*, session: Session, today: date) -> list[DuePlant]:
    """Every plant due today or overdue, most overdue first."""
    return [
        DuePlant(
            id=row.plant.id,
            name=row.plant.name,
            location=row.plant.location,
            due_on=row.due_on,
            overdue_days=-row.days_left,
            check_soil=row.plant.check_soil,
        )
        for row in list_plants(session=session, today=today)
        if row.days_left <= 0
    ]


def claim_reminders(*, session: Session, plant_ids: list[int], day: date, channel: str) -> list[int]:
    """Record that these plants are being reminded today on `channel`; returns the ones this caller
    won. A plant already claimed today (by another process, or before a restart) is left out: the
    unique key decides, so two jobs racing never both send."""
    if not plant_ids:
        return []
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = ReminderDelivery.__table__
    statement = (
        dialect.insert(table)
        .values(
            [{"plant_id": plant_id, "day": day, "channel": channel, "sent_at": func.now()} for plant_id in plant_ids]
        )
        .on_conflict_do_nothing(index_elements=["plant_id", "day", "channel"])
        .returning(table.c.plant_id)
    )
    return sorted(session.execute(statement).scalars().all())


def release_reminders(*, session: Session, plant_ids: list[int], day: date, channel: str) -> None:
    """Undo claims whose sending failed, so the next run tries again."""
    if plant_ids:
        session.exec(
            delete(ReminderDelivery).where(
                col(ReminderDelivery.plant_id).in_(plant_ids),
                ReminderDelivery.day == day,
                ReminderDelivery.channel == channel,
            )
        )


def reminded_today(*, session: Session, day: date) -> dict[str, int]:
    """How many plants each channel has reminded on `day`."""
    rows = session.exec(
        select(ReminderDelivery.channel, func.count())
        .where(ReminderDelivery.day == day)
        .group_by(ReminderDelivery.channel)
    ).all()
    return dict(rows)


def reminder_due(now: datetime, zone: ZoneInfo, reminder_time: str) -> bool:
    """Whether today's reminders may go out: it is REMINDER_TIME or later in the owner's zone."""
    hours, minutes = (int(part) for part in reminder_time.split(":"))
    local = now.astimezone(zone)
    return (local.hour, local.minute) >= (hours, minutes)
