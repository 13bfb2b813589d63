"""Every feature of the app, in the order their routes are matched (the busiest first). Adding a
feature: its folder, with a manifest, and one line here. Only the app assembly imports this."""

from accumulator.analytics.manifest import FEATURE as ANALYTICS
from accumulator.auth.manifest import FEATURE as AUTH
from accumulator.feature import Feature
from accumulator.importer.manifest import FEATURE as IMPORTER
from accumulator.notes.manifest import FEATURE as NOTES
from accumulator.pastes.manifest import FEATURE as PASTES
from accumulator.plants.manifest import FEATURE as PLANTS
from accumulator.spotify.manifest import FEATURE as SPOTIFY

FEATURES: tuple[Feature, ...] = (ANALYTICS, AUTH, NOTES, PASTES, SPOTIFY, PLANTS, IMPORTER)
