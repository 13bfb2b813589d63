"""Every feature of the app, in the order their routes are matched (the busiest first). Adding a
feature: its folder (with `manifest.py`, and `models.py` if it has tables) and its name in
`feature.FEATURE_NAMES`. Only the app assembly imports this module."""

import importlib

from accumulator.feature import FEATURE_NAMES, Feature

FEATURES: tuple[Feature, ...] = tuple(
    importlib.import_module(f"accumulator.{name}.manifest").FEATURE for name in FEATURE_NAMES
)
