"""Plants' rules on SQLite and PostgreSQL: input, due dates in the owner's zone (DST included),
watering, snoozing, checks, history, and reminder claims that two racing jobs cannot both win."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from accumulator.db import session_scope
from accumulator.plants import service
from accumulator.plants.models import Plant

PARIS = ZoneInfo("Europe/Paris")
AUCKLAND = ZoneInfo("Pacific/Auckland")
TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def add(session: Session, name: str = "Monstera", **fields) -> Plant:
    data = service.parse_input({"name": name, "interval_days": 7, **fields})
    plant = service.create_plant(session=session, data=data, now=NOW)
    session.commit()
    return plant


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "Give the plant a name."),
        ({"interval_days": 0}, "between 1 and 365"),
        ({"interval_days": 366}, "between 1 and 365"),
        ({"interval_days": -3}, "between 1 and 365"),
        ({"interval_days": "2.5"}, "whole number"),
        ({"interval_days": "seven"}, "whole number"),
        ({"interval_days": 1.5}, "whole number"),
        ({"interval_days": True}, "whole number"),
        ({"name": "x" * 101}, "longer than 100"),
        ({"notes": "n" * 20_001}, "longer than 20,000"),
    ],
)
def test_bad_input_is_refused_with_a_reason(fields: dict, message: str) -> None:
    with pytest.raises(service.PlantError, match=message):
        service.parse_input({"name": "Fern", **fields})


def test_the_interval_accepts_text_from_a_form() -> None:
    assert service.parse_input({"name": "Fern", "interval_days": " 14 "}).interval_days == 14


def test_a_new_plant_is_due_now_and_watering_schedules_the_next(session: Session) -> None:
    plant = add(session)
    assert service.status(plant, TODAY).days_left == 0
    service.mark_watered(session=session, plant_id=plant.id, on=TODAY, today=TODAY)
    session.commit()
    row = service.status(plant, TODAY)
    assert (row.due_on, row.days_left) == (TODAY + timedelta(days=7), 7)


def test_overdue_plants_come_first_with_how_many_days(session: Session) -> None:
    late = add(session, "Fern", interval_days=3)
    service.mark_watered(session=session, plant_id=late.id, on=TODAY - timedelta(days=5), today=TODAY)
    fine = add(session, "Cactus", interval_days=30)
    service.mark_watered(session=session, plant_id=fine.id, on=TODAY, today=TODAY)
    session.commit()
    rows = service.list_plants(session=session, today=TODAY)
    assert [(r.plant.name, r.days_left) for r in rows] == [("Fern", -2), ("Cactus", 30)]
    assert [(p.name, p.overdue_days) for p in service.due_plants(session=session, today=TODAY)] == [("Fern", 2)]


def test_a_watering_date_in_the_future_is_refused_and_nothing_changes(session: Session) -> None:
    plant = add(session)
    with pytest.raises(service.PlantError, match="in the future"):
        service.mark_watered(session=session, plant_id=plant.id, on=TODAY + timedelta(days=1), today=TODAY)
    session.rollback()
    assert service.history(session=session, plant_id=plant.id) == []


def test_an_earlier_watering_is_recorded_without_moving_the_schedule_back(session: Session) -> None:
    plant = add(session)
    service.mark_watered(session=session, plant_id=plant.id, on=TODAY, today=TODAY)
    service.mark_watered(session=session, plant_id=plant.id, on=TODAY - timedelta(days=3), today=TODAY)
    session.commit()
    assert plant.last_watered_on == TODAY
    assert [e.on_date for e in service.history(session=session, plant_id=plant.id)] == [TODAY, TODAY - timedelta(3)]


def test_snoozing_puts_off_the_due_date_and_watering_ends_the_snooze(session: Session) -> None:
    plant = add(session, interval_days=2)
    service.mark_watered(session=session, plant_id=plant.id, on=TODAY - timedelta(days=4), today=TODAY)
    service.snooze(session=session, plant_id=plant.id, days=3, today=TODAY)
    session.commit()
    assert service.status(plant, TODAY).due_on == TODAY + timedelta(days=3)
    assert service.due_plants(session=session, today=TODAY) == []
    with pytest.raises(service.PlantError):
        service.snooze(session=session, plant_id=plant.id, days=2, today=TODAY)
    service.mark_watered(session=session, plant_id=plant.id, on=TODAY, today=TODAY)
    session.commit()
    assert service.status(plant, TODAY).due_on == TODAY + timedelta(days=2)
    kinds = [(e.kind, e.until) for e in service.history(session=session, plant_id=plant.id)]
    assert kinds[:2] == [("watered", None), ("snoozed", TODAY + timedelta(days=3))]


def test_check_the_soil_plants_move_on_when_the_soil_is_still_moist(session: Session) -> None:
    plant = add(session, "Calathea", interval_days=4, check_soil=True)
    service.mark_watered(session=session, plant_id=plant.id, on=TODAY - timedelta(days=4), today=TODAY)
    session.commit()
    assert service.status(plant, TODAY).days_left == 0
    service.mark_checked(session=session, plant_id=plant.id, today=TODAY)
    session.commit()
    assert service.status(plant, TODAY).due_on == TODAY + timedelta(days=4)  # the schedule holds, not broken
    scheduled = add(session, "Pothos")
    with pytest.raises(service.PlantError):
        service.mark_checked(session=session, plant_id=scheduled.id, today=TODAY)


def test_watering_everything_in_one_location(session: Session) -> None:
    for name in ("Fern", "Ivy"):
        add(session, name, location="Bathroom")
    add(session, "Cactus", location="Office")
    with session_scope(session.get_bind()) as other:
        assert service.water_location(session=other, location="Bathroom", today=TODAY) == 2
    session.expire_all()
    by_name = {row.plant.name: row.days_left for row in service.list_plants(session=session, today=TODAY)}
    assert by_name == {"Fern": 7, "Ivy": 7, "Cactus": 0}
    assert service.locations(session=session) == ["Bathroom", "Office"]
    assert [r.plant.name for r in service.list_plants(session=session, today=TODAY, location="Office")] == ["Cactus"]


@pytest.mark.parametrize(
    ("utc_moment", "zone", "local_day"),
    [
        (datetime(2026, 11, 27, 23, 30, tzinfo=UTC), PARIS, date(2026, 11, 28)),  # past midnight in Paris
        (datetime(2026, 11, 27, 10, 30, tzinfo=UTC), AUCKLAND, date(2026, 11, 27)),  # 23:30 in Auckland
        (datetime(2026, 11, 27, 11, 30, tzinfo=UTC), AUCKLAND, date(2026, 11, 28)),  # 00:30 next day there
    ],
)
def test_today_is_the_owners_day_in_their_zone(utc_moment: datetime, zone: ZoneInfo, local_day: date) -> None:
    assert service.local_today(utc_moment, zone) == local_day


def test_due_dates_are_calendar_days_across_a_dst_change(session: Session) -> None:
    # Paris leaves summer time on 25 October 2026: that day has 25 hours, and is still one day.
    plant = add(session, interval_days=1)
    watered = date(2026, 10, 24)
    service.mark_watered(session=session, plant_id=plant.id, on=watered, today=watered)
    session.commit()
    assert service.due_on(plant, watered) == date(2026, 10, 25)
    just_after_midnight = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)  # 00:30 on the 25th, summer time
    late_that_day = datetime(2026, 10, 25, 22, 30, tzinfo=UTC)  # 23:30 on the 25th, winter time
    assert service.local_today(just_after_midnight, PARIS) == date(2026, 10, 25)
    assert service.local_today(late_that_day, PARIS) == date(2026, 10, 25)


@pytest.mark.parametrize(
    ("utc_moment", "expected"),
    [
        (datetime(2026, 7, 1, 6, 59, tzinfo=UTC), False),  # 08:59 summer time
        (datetime(2026, 7, 1, 7, 0, tzinfo=UTC), True),  # 09:00 summer time
        (datetime(2026, 12, 1, 7, 59, tzinfo=UTC), False),  # 08:59 winter time
        (datetime(2026, 12, 1, 8, 0, tzinfo=UTC), True),  # 09:00 winter time
    ],
)
def test_reminders_start_at_the_reminder_time_in_the_owners_zone(utc_moment: datetime, expected: bool) -> None:
    assert service.reminder_due(utc_moment, PARIS, "09:00") is expected


def test_a_plant_is_claimed_once_per_day_and_channel(session: Session) -> None:
    plant = add(session)
    first = service.claim_reminders(session=session, plant_ids=[plant.id], day=TODAY, channel="email")
    again = service.claim_reminders(session=session, plant_ids=[plant.id], day=TODAY, channel="email")
    push = service.claim_reminders(session=session, plant_ids=[plant.id], day=TODAY, channel="push")
    tomorrow = service.claim_reminders(session=session, plant_ids=[plant.id], day=TODAY + timedelta(1), channel="email")
    session.commit()
    assert (first, again, push, tomorrow) == ([plant.id], [], [plant.id], [plant.id])
    service.release_reminders(session=session, plant_ids=[plant.id], day=TODAY, channel="email")
    session.commit()
    assert service.claim_reminders(session=session, plant_ids=[plant.id], day=TODAY, channel="email") == [plant.id]


@pytest.mark.parametrize("attempt", range(3))
def test_two_jobs_racing_split_the_plants_and_never_both_claim_one(engine: Engine, attempt: int) -> None:
    with Session(engine) as setup:
        ids = [add(setup, f"Plant {n}").id for n in range(20)]
    start = threading.Barrier(2)
    won: list[list[int]] = []

    def job() -> None:
        with session_scope(engine) as session:
            start.wait()
            won.append(service.claim_reminders(session=session, plant_ids=ids, day=TODAY, channel="email"))

    jobs = [threading.Thread(target=job) for _ in range(2)]
    for thread in jobs:
        thread.start()
    for thread in jobs:
        thread.join(timeout=30)
    assert len(won) == 2
    assert sorted(won[0] + won[1]) == sorted(ids)  # every plant once, whoever won it
