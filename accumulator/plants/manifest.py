"""What plants hand the app."""

from functools import partial

from apscheduler.triggers.interval import IntervalTrigger

from accumulator import routes
from accumulator.feature import Feature, NavEntry
from accumulator.jobs import JobSpec
from accumulator.plants import actions, api, quick_api
from accumulator.runtime import Services


def jobs(svc: Services) -> list[JobSpec]:
    # Every 5 minutes, not once at REMINDER_TIME: the first run at or after that time sends what is
    # owed today, whichever process leads and however often it restarted (deliveries are recorded).
    return [JobSpec("plant-reminders", partial(actions.send_reminders, svc), IntervalTrigger(minutes=5))]


FEATURE = Feature(
    name="plants",
    routes=[*quick_api.routes, *api.routes],
    jobs=jobs,
    topics=(actions.PLANTS_TOPIC,),
    pages="accumulator.plants.pages",
    nav=NavEntry("Plants", routes.PLANTS, "sprout", order=50),
)
