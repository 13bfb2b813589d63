"""What has been imported from the original app, so that a second run brings nothing in twice and
old links can find the new rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from accumulator.db import UTCDateTime, utcnow

KIND_MAX = 32
SOURCE_ID_MAX = 512  # a paste file's old path: `<uuid>/<name>`, names up to 255 bytes
TARGET_ID_MAX = 600  # a page: `<site> <path>`


class ImportLedger(SQLModel, table=True):
    """One row of the original database (or one of its files) that was brought in, and what it became."""

    __tablename__ = "import_ledger"
    __table_args__ = (
        UniqueConstraint("kind", "source_id", name="uq_import_ledger_source"),
        # Old links and the public file route look rows up by what they became.
        Index("ix_import_ledger_target", "kind", "target_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=KIND_MAX)  # "note", "paste_file", … (see importer.report.KINDS)
    source_id: str = Field(max_length=SOURCE_ID_MAX)  # the original's id (or file path)
    target_id: str = Field(default="", max_length=TARGET_ID_MAX)  # our id, or the page the counts went to
    # For a workspace: its public id when it was imported. Its old link leads there only while the
    # workspace still has that id ("New link" retires the old links too).
    link_target: str = Field(default="", max_length=64)
    imported_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
