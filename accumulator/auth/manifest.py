"""What the owner's login hands the app."""

from accumulator import routes
from accumulator.auth import api
from accumulator.feature import Feature, NavEntry

FEATURE = Feature(
    name="auth",
    routes=api.routes,
    pages="accumulator.auth.pages",
    nav=NavEntry("Sessions", routes.SESSIONS, "monitor-smartphone", order=90),
)
