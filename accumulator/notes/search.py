"""Finding notes: ranked full-text search, case-insensitive, every word a prefix, with an escaped
snippet around the first match. PostgreSQL reads its generated tsvector column; SQLite its FTS5
index, which notes/service.py keeps in step with every write."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from accumulator.notes.models import Note, Workspace
from accumulator.notes.service import is_postgres

SEARCH_TERMS_MAX = 10
SNIPPET_RADIUS = 60


@dataclass(frozen=True)
class SearchHit:
    note_id: int
    workspace_id: int
    workspace_title: str
    day: date
    snippet_html: str  # escaped text with the matches in <mark>


def search_terms(query: str) -> list[str]:
    """Words of the query, lower-cased; punctuation and operators are not syntax here."""
    return re.findall(r"\w+", query.lower())[:SEARCH_TERMS_MAX]


def snippet(text: str, terms: list[str]) -> str:
    """A short escaped excerpt around the first match, every match (as a word prefix) in <mark>."""
    pattern = re.compile(r"\b(" + "|".join(re.escape(term) for term in terms) + r")\w*", re.IGNORECASE)
    first = pattern.search(text)
    center = first.start() if first else 0
    start, end = max(0, center - SNIPPET_RADIUS), min(len(text), center + SNIPPET_RADIUS * 2)
    excerpt = " ".join(text[start:end].split())
    parts, position = [], 0
    for match in pattern.finditer(excerpt):
        parts.append(html.escape(excerpt[position : match.start()]))
        parts.append(f"<mark>{html.escape(match.group(0))}</mark>")
        position = match.end()
    parts.append(html.escape(excerpt[position:]))
    return ("…" if start else "") + "".join(parts) + ("…" if end < len(text) else "")


def search(
    *, session: Session, query: str, zone: ZoneInfo, workspace_id: int | None = None, limit: int = 50
) -> list[SearchHit]:
    """Ranked full-text search, case-insensitive, every word matched as a prefix."""
    terms = search_terms(query)
    if not terms:
        return []
    if is_postgres(session):
        tsquery = func.to_tsquery("simple", " & ".join(f"{term}:*" for term in terms))
        vector = sa.literal_column("note.search_vector")
        rank = func.ts_rank(vector, tsquery)
        statement = select(Note, Workspace.title).join(Workspace).where(vector.op("@@")(tsquery))
        statement = statement.order_by(rank.desc(), col(Note.created_at).desc())
    else:
        match = " AND ".join(f'"{term}"*' for term in terms)
        fts = sa.table("note_fts", sa.column("rowid"), sa.column("note_fts"))
        statement = (
            select(Note, Workspace.title)
            .join(Workspace)
            .join(fts, fts.c.rowid == Note.id)
            .where(fts.c.note_fts.op("MATCH")(match))
            .order_by(sa.text("bm25(note_fts)"), col(Note.created_at).desc())
        )
    if workspace_id is not None:
        statement = statement.where(Note.workspace_id == workspace_id)
    return [
        SearchHit(
            note_id=note.id,
            workspace_id=note.workspace_id,
            workspace_title=title,
            day=note.created_at.astimezone(zone).date(),
            snippet_html=snippet(note.text, terms),
        )
        for note, title in session.exec(statement.limit(limit))
    ]
