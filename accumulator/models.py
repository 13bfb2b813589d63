"""Imports every feature's tables (`accumulator/<feature>/models.py`), so Alembic and the tests see
the whole schema."""

import importlib
from pathlib import Path

from accumulator.feature import FEATURE_NAMES

for _name in FEATURE_NAMES:
    if (Path(__file__).parent / _name / "models.py").exists():
        importlib.import_module(f"accumulator.{_name}.models")

# Search indexes kept beside the tables but outside the models (PostgreSQL's tsvector column,
# SQLite's FTS5 table): Alembic leaves them alone when comparing the schema with the models.
SEARCH_INDEX_TABLES = {"note_fts", "note_fts_config", "note_fts_data", "note_fts_docsize", "note_fts_idx"}
SEARCH_INDEX_COLUMNS = {("note", "search_vector")}
SEARCH_INDEX_INDEXES = {"ix_note_search_vector"}


def include_in_comparison(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: skip the search indexes the models do not describe."""
    if type_ == "table" and name in SEARCH_INDEX_TABLES:
        return False
    if type_ == "column" and (obj.table.name, name) in SEARCH_INDEX_COLUMNS:
        return False
    return not (type_ == "index" and name in SEARCH_INDEX_INDEXES)
