"""Assembles the app: pages, HTTP routes, background tasks, theme. No logic lives here."""

import contextlib
import logging

import reflex as rx

from accumulator.analytics import pages as analytics_pages  # noqa: F401  (declares pages)
from accumulator.analytics.state import refresh_open_dashboards
from accumulator.api import create_api, get_services, in_front_of, run_jobs, running
from accumulator.auth import pages as auth_pages  # noqa: F401  (declares pages)
from accumulator.notes import pages as notes_pages  # noqa: F401  (declares pages)
from accumulator.notes.service import NOTES_TOPIC
from accumulator.notes.state import NotesState
from accumulator.pastes import pages as pastes_pages  # noqa: F401  (declares pages)
from accumulator.pastes.service import PASTES_TOPIC
from accumulator.pastes.state import PastesState, PasteViewState
from accumulator.plants import pages as plants_pages  # noqa: F401  (declares pages)
from accumulator.plants.service import PLANTS_TOPIC
from accumulator.plants.state import PlantsState, PlantState
from accumulator.spotify import pages as spotify_pages  # noqa: F401  (declares pages)
from accumulator.spotify.service import SPOTIFY_TOPIC
from accumulator.spotify.state import SpotifyState
from accumulator.ui import misc_pages  # noqa: F401  (declares pages)
from accumulator.ui.layout import PAGES
from accumulator.ui.live import follow_topic

# Our own messages (job leadership, cleanups, reminders sent, outages) at INFO, on stderr, whatever
# level Reflex's server logs at.
_handler = logging.StreamHandler()
_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
_logger = logging.getLogger("accumulator")
_logger.setLevel(logging.INFO)
_logger.addHandler(_handler)
_logger.propagate = False

services = get_services()

app = rx.App(
    api_transformer=in_front_of(create_api(services)),
    # In the document head, so they listen before the page hydrates: a fast submit is never lost.
    head_components=[
        rx.el.script(src="/js/login.js", defer=True),
        rx.el.script(src="/js/composer.js", defer=True),
        rx.el.script(src="/js/paste_editor.js", defer=True),
        rx.el.script(src="/js/spotify.js", defer=True),
        rx.el.script(src="/js/plants.js", defer=True),
    ],
)
for declared in PAGES:
    app.add_page(**declared)


@contextlib.asynccontextmanager
async def background_work():
    async with running(services):
        yield


async def live_dashboards(app: rx.App) -> None:
    await services.dashboard_feed.run(lambda: refresh_open_dashboards(app))


async def live_notes(app: rx.App) -> None:
    await follow_topic(app, NOTES_TOPIC, (NotesState,))


app.register_lifespan_task(background_work)
app.register_lifespan_task(live_dashboards)


async def live_pastes(app: rx.App) -> None:
    await follow_topic(app, PASTES_TOPIC, (PastesState, PasteViewState))


async def live_spotify(app: rx.App) -> None:
    await follow_topic(app, SPOTIFY_TOPIC, (SpotifyState,))


async def live_plants(app: rx.App) -> None:
    await follow_topic(app, PLANTS_TOPIC, (PlantsState, PlantState))


async def scheduled_jobs() -> None:
    await run_jobs(services)


app.register_lifespan_task(live_notes)
app.register_lifespan_task(scheduled_jobs)
app.register_lifespan_task(live_pastes)
app.register_lifespan_task(live_spotify)
app.register_lifespan_task(live_plants)
