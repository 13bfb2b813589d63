"""What Spotify hands the app."""

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.triggers.interval import IntervalTrigger

from accumulator import routes
from accumulator.feature import Feature, NavEntry
from accumulator.jobs import JobSpec
from accumulator.runtime import Services, off_loop
from accumulator.spotify import actions, api, history_api, listenbrainz_api


def jobs(svc: Services) -> list[JobSpec]:
    now_playing, top_lists = partial(actions.poll_now_playing, svc), partial(actions.poll_top_lists, svc)
    recent = partial(actions.sync_recent, svc)
    return [
        JobSpec("spotify-now-playing", now_playing, IntervalTrigger(seconds=10)),
        # Soon after start (fills in what played while the app was down), then every 5 minutes:
        # Spotify remembers 50 plays, hours of listening, so nothing is lost between runs.
        JobSpec(
            "spotify-recently-played",
            recent,
            IntervalTrigger(minutes=5, start_date=datetime.now(UTC) + timedelta(seconds=5)),
        ),
        # Hourly, but each list is fetched only once it is a day old (or failed): daily, whoever leads.
        JobSpec(
            "spotify-top-lists",
            top_lists,
            IntervalTrigger(hours=1, start_date=datetime.now(UTC) + timedelta(seconds=15)),
        ),
    ]


@contextlib.asynccontextmanager
async def client_open(svc: Services) -> AsyncIterator[None]:
    # Built now, on a worker thread: its HTTP client loads the system's certificates, which blocked
    # the event loop for up to half a second when the first poll built it there.
    await off_loop(actions.sync, svc=svc)
    try:
        yield
    finally:
        await actions.close(svc)


FEATURE = Feature(
    name="spotify",
    routes=[*api.routes, *history_api.routes, *listenbrainz_api.routes],
    jobs=jobs,
    topics=(actions.SPOTIFY_TOPIC,),
    pages="accumulator.spotify.pages",
    nav=NavEntry("Spotify", routes.SPOTIFY, "music", order=40),
    background=client_open,
)
