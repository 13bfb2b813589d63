"""What notifications hand the app: the retry job, the traffic watch, the settings page and the
routes a notification's buttons and links act through."""

from functools import partial

from apscheduler.triggers.interval import IntervalTrigger

from accumulator import routes
from accumulator.feature import Feature, NavEntry
from accumulator.jobs import JobSpec
from accumulator.notify import actions, traffic, weekly
from accumulator.runtime import Services


def jobs(svc: Services) -> list[JobSpec]:
    return [
        # Every 30 s: a retry is at most that late after its backoff, a held alert after quiet hours.
        JobSpec("notify-dispatch", partial(actions.dispatch, svc), IntervalTrigger(seconds=30)),
        JobSpec("notify-traffic", partial(traffic.check_traffic, svc), IntervalTrigger(minutes=5)),
        # Every 5 min: the weekly digest goes out within 5 minutes of the owner's chosen time.
        JobSpec("notify-weekly", partial(weekly.send_weekly, svc), IntervalTrigger(minutes=5)),
        JobSpec("notify-prune", partial(actions.prune, svc), IntervalTrigger(hours=6)),
    ]


FEATURE = Feature(
    name="notify",
    jobs=jobs,
    pages="accumulator.notify.pages",
    nav=NavEntry("Notifications", routes.NOTIFICATIONS, "bell", order=92),
)
