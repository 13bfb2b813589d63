"""Acting on a plant reminder from the notification itself: "Watered" and "Snooze a day" for the
plants of a digest. The buttons of a push notification post their token (assets/sw.js); an
e-mail links to a page that asks for one confirming click (link scanners open links; they do not
submit forms). Tokens: `accumulator.notify.tokens` (signed, short-lived, single-use)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from sqlmodel import Session

from accumulator.db import utcnow
from accumulator.notify import tokens
from accumulator.notify.alerts import Action
from accumulator.plants import service
from accumulator.plants.due import DuePlant
from accumulator.runtime import Services, in_transaction
from accumulator.settings import Settings

# No "/plants/" in it: a digest links each plant as /plants/<id>, and readers count those.
ACT_PATH = "/api/plant-actions"
LABELS = {"water": "Watered", "snooze": "Snooze a day"}
DONE = {"water": "marked watered", "snooze": "snoozed for a day"}


def for_digest(plants: Sequence[DuePlant], *, settings: Settings, now: datetime) -> tuple[Action, ...]:
    ids = [plant.id for plant in plants][: tokens.IDS_MAX]
    found = []
    for action, label in LABELS.items():
        token = tokens.sign(secret=settings.secret_key, action=action, ids=ids, now=now)
        found.append(Action(action, label, token, f"{settings.base_url}{ACT_PATH}?t={quote(token)}"))
    return tuple(found)


@dataclass(frozen=True)
class Preview:
    action: str
    names: list[str]


def _names(session: Session, ids: Sequence[int]) -> list[str]:
    return [plant.name for plant in (service.get_plant(session=session, plant_id=i) for i in ids) if plant]


async def preview(svc: Services, *, token: object, now: datetime | None = None) -> Preview:
    """What the token would do (TokenRefused if it is not valid, at `now`: by default the clock's);
    nothing changes."""
    grant = tokens.verify(token, secret=svc.settings.secret_key, now=now or utcnow())
    if grant.action not in LABELS:
        raise tokens.TokenRefused("This link is not valid.")
    return Preview(grant.action, await in_transaction(svc, _names, ids=grant.ids))


def _act(session: Session, *, grant: tokens.ActionGrant, today: date, now: datetime) -> list[str]:
    tokens.use(session=session, grant=grant, now=now)
    done = []
    for plant_id in grant.ids:
        try:
            if grant.action == "water":
                plant = service.mark_watered(session=session, plant_id=plant_id, on=today, today=today)
            else:
                plant = service.snooze(session=session, plant_id=plant_id, days=1, today=today)
        except LookupError:  # deleted since the reminder: nothing to do for it
            continue
        done.append(plant.name)
    return done


async def act(svc: Services, *, token: object) -> tuple[str, list[str]]:
    """Do what the token says, once: (what was done, to which plants). TokenRefused otherwise."""
    now = utcnow()
    grant = tokens.verify(token, secret=svc.settings.secret_key, now=now)
    if grant.action not in LABELS:
        raise tokens.TokenRefused("This link is not valid.")
    today = service.local_today(now, svc.settings.zone)
    names = await in_transaction(svc, _act, grant=grant, today=today, now=now)
    return DONE[grant.action], names
