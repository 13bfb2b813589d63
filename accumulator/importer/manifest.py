"""What the move from the Phoenix app hands the app: the original's public addresses."""

from accumulator.feature import Feature
from accumulator.importer import api

FEATURE = Feature(name="importer", routes=api.routes)
