"""Assembles the app from the features' manifests: pages, navigation, HTTP routes, background work,
jobs and live updates. No logic lives here."""

import contextlib
import importlib
import logging

import reflex as rx
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from accumulator.api import create_api, in_front_of, run_jobs, running
from accumulator.features import FEATURES
from accumulator.runtime import get_services
from accumulator.ui import misc_pages  # noqa: F401  (declares pages)
from accumulator.ui.layout import PAGES, set_navigation
from accumulator.ui.live import follow_topics
from accumulator.ui.owner import AccessMiddleware, OwnerState, _descendants

# Our own messages (job leadership, cleanups, reminders sent, outages) at INFO, on stderr, whatever
# level Reflex's server logs at.
_handler = logging.StreamHandler()
_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
_logger = logging.getLogger("accumulator")
_logger.setLevel(logging.INFO)
_logger.addHandler(_handler)
_logger.propagate = False


def _without_cors(app: Starlette) -> None:
    """Reflex wraps its apps in a CORS layer that echoes any Origin with credentials allowed; ours
    grants none (the security headers drop any that slips through)."""
    app.user_middleware = [entry for entry in app.user_middleware if entry.cls is not CORSMiddleware]


class AccumulatorApp(rx.App):
    def __call__(self) -> ASGIApp:
        top = super().__call__()
        for inner in (top, self._api):
            if isinstance(inner, Starlette):
                _without_cors(inner)
        return top


services = get_services()
set_navigation([feature.nav for feature in FEATURES if feature.nav is not None])
for feature in FEATURES:
    if feature.pages:
        importlib.import_module(feature.pages)  # its @page declarations

app = AccumulatorApp(
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
app.add_middleware(AccessMiddleware())
for declared in PAGES:
    app.add_page(**declared)


@contextlib.asynccontextmanager
async def background_work():
    async with running(services):
        yield


async def scheduled_jobs() -> None:
    await run_jobs(services)


async def live_updates(app: rx.App) -> None:
    await follow_topics(app, services, _descendants(OwnerState))


app.register_lifespan_task(background_work)
app.register_lifespan_task(scheduled_jobs)
app.register_lifespan_task(live_updates)
