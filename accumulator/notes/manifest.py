"""What notes hand the app."""

from accumulator import routes
from accumulator.feature import Feature, NavEntry
from accumulator.notes import api
from accumulator.notes.actions import NOTES_TOPIC

FEATURE = Feature(
    name="notes",
    routes=api.routes,
    topics=(NOTES_TOPIC,),
    pages="accumulator.notes.pages",
    nav=NavEntry("Notes", routes.NOTES, "notebook-pen", order=20),
)
