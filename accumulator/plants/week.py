"""What the weekly digest reads from plants: the waterings of a span of days and what is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from accumulator.plants.due import DuePlant
from accumulator.plants.models import CareEvent
from accumulator.plants.service import due_plants


@dataclass(frozen=True)
class PlantsWeek:
    waterings: int  # "watered" care events dated in the span
    plants_watered: int  # distinct plants among them
    overdue: list[DuePlant]  # due before today and not yet cared for, most overdue first


def week_of(*, session: Session, first: date, last: date, today: date) -> PlantsWeek:
    watered = (CareEvent.kind == "watered", col(CareEvent.on_date) >= first, col(CareEvent.on_date) <= last)
    count, plants = session.exec(
        select(sa.func.count(), sa.func.count(sa.distinct(CareEvent.plant_id))).where(*watered)
    ).one()
    overdue = [plant for plant in due_plants(session=session, today=today) if plant.overdue_days > 0]
    return PlantsWeek(int(count), int(plants), overdue)
