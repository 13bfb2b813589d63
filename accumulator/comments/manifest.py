"""What comments hand the app: the widget's routes, the owner's page, the digest job."""

from functools import partial

from apscheduler.triggers.interval import IntervalTrigger

from accumulator import routes
from accumulator.comments import actions, api, reads, service
from accumulator.feature import Feature, NavEntry
from accumulator.jobs import JobSpec
from accumulator.page_counts import PageCount
from accumulator.runtime import Services

# Published comments per page, as a column of the dashboard's pages table.
COMMENT_COUNTS = PageCount(
    key="comments",
    label="Comments",
    read=service.published_counts,
    topic=actions.COMMENTS_TOPIC,
    page_of=lambda changed: (changed.site, changed.path),
)


def jobs(svc: Services) -> list[JobSpec]:
    # Every 30 s: a notice waits at most that long, or NOTIFY_DIGEST_MINUTES after the last digest.
    return [JobSpec("owner-digest", partial(actions.send_digest, svc), IntervalTrigger(seconds=30))]


FEATURE = Feature(
    name="comments",
    routes=api.routes,
    jobs=jobs,
    topics=(actions.COMMENTS_TOPIC,),
    pages="accumulator.comments.pages",
    nav=NavEntry("Comments", routes.COMMENTS, "message-square", order=60, count=reads.held_count),
    page_counts=(COMMENT_COUNTS,),
)
