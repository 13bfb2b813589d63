"""A plant that needs care today, as reminders describe it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DuePlant:
    id: int
    name: str
    location: str
    due_on: date
    overdue_days: int  # 0: due today; 3: due three days ago
    check_soil: bool  # True: "check the soil" rather than "water"
