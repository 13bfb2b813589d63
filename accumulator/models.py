"""Imports every feature's tables, so Alembic and the tests see the whole schema."""

from accumulator.analytics.models import DailyDimension, DailyPageStat, DailySalt, DailyVisitor, PageStat
from accumulator.auth.models import Owner, OwnerSession
from accumulator.importer.models import ImportLedger
from accumulator.notes.models import Note, Workspace
from accumulator.pastes.models import Paste, PasteFile
from accumulator.plants.models import AppSecret, CareEvent, Plant, PushSubscription, ReminderDelivery
from accumulator.spotify.models import SpotifyAccount, SpotifySnapshot

__all__ = [
    "AppSecret",
    "CareEvent",
    "DailyDimension",
    "DailyPageStat",
    "DailySalt",
    "DailyVisitor",
    "ImportLedger",
    "Note",
    "Owner",
    "OwnerSession",
    "PageStat",
    "Paste",
    "PasteFile",
    "Plant",
    "PushSubscription",
    "ReminderDelivery",
    "SpotifyAccount",
    "SpotifySnapshot",
    "Workspace",
]

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
