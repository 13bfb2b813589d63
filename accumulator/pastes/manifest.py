"""What the paste bin hands the app."""

from functools import partial

from apscheduler.triggers.interval import IntervalTrigger

from accumulator import routes
from accumulator.feature import Feature, NavEntry
from accumulator.jobs import JobSpec
from accumulator.pastes import actions, api
from accumulator.runtime import Services


def jobs(svc: Services) -> list[JobSpec]:
    return [JobSpec("paste-cleanup", partial(actions.clean_up, svc), IntervalTrigger(minutes=10))]


FEATURE = Feature(
    name="pastes",
    routes=api.routes,
    jobs=jobs,
    topics=(actions.PASTES_TOPIC,),
    pages="accumulator.pastes.pages",
    nav=NavEntry("Pastes", routes.PASTES, "clipboard-list", order=30),
)
