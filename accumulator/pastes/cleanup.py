"""Reclaiming what the paste bin no longer shows: expired pastes and their files, uploads never
attached to a paste, files on disk that no record points to, and half-written uploads. Each step is
safe to run again at any time: it only removes what is still there. The records go in one
transaction and the files only after it commits (actions.clean_up), so a crash in between leaves
orphans, which the next run removes, never a record without its file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, delete, select

from accumulator.pastes.models import Paste, PasteFile
from accumulator.pastes.service import ORPHAN_GRACE_SECONDS, UNATTACHED_UPLOAD_TTL
from accumulator.storage import FileStore

log = logging.getLogger(__name__)


@dataclass
class CleanupReport:
    pastes: int = 0
    files: int = 0
    unattached_uploads: int = 0
    orphaned_files: int = 0
    partial_uploads: int = 0
    missing_on_disk: list[str] = field(default_factory=list)

    @property
    def removed_anything(self) -> bool:
        return any((self.pastes, self.files, self.unattached_uploads, self.orphaned_files, self.partial_uploads))


def remove_records(*, session: Session, now: datetime) -> tuple[CleanupReport, list[str]]:
    """Delete the records of expired pastes, their files and uploads never attached: (what was
    removed, the ids of the files to delete from disk once this commits)."""
    report = CleanupReport()
    expired = list(
        session.exec(select(Paste.id).where(col(Paste.expires_at).is_not(None), col(Paste.expires_at) <= now)).all()
    )
    doomed = list(session.exec(select(PasteFile.id).where(col(PasteFile.paste_id).in_(expired))).all())
    report.files = len(doomed)
    if expired:
        session.exec(delete(PasteFile).where(col(PasteFile.paste_id).in_(expired)))
        report.pastes = session.exec(delete(Paste).where(col(Paste.id).in_(expired))).rowcount
    unattached = list(
        session.exec(
            select(PasteFile.id).where(
                col(PasteFile.paste_id).is_(None), col(PasteFile.created_at) <= now - UNATTACHED_UPLOAD_TTL
            )
        ).all()
    )
    if unattached:
        session.exec(delete(PasteFile).where(col(PasteFile.id).in_(unattached)))
    report.unattached_uploads = len(unattached)
    return report, doomed + unattached


def known_files(*, session: Session) -> set[str]:
    return set(session.exec(select(PasteFile.id)).all())


def remove_files(report: CleanupReport, *, store: FileStore, doomed: list[str], known: set[str]) -> CleanupReport:
    """Delete from disk the files whose records are gone, files older than the grace period that no
    record names (`known`: read after the records' commit), and abandoned partial uploads."""
    for file_id in doomed:
        if not store.delete(file_id):
            report.missing_on_disk.append(file_id)
    for file_id in list(store.stored(older_than=ORPHAN_GRACE_SECONDS)):
        if file_id not in known and store.delete(file_id):
            report.orphaned_files += 1
    for partial in store.abandoned_incoming(older_than=UNATTACHED_UPLOAD_TTL.total_seconds()):
        partial.unlink(missing_ok=True)
        report.partial_uploads += 1
    if report.removed_anything:
        log.info(
            "paste cleanup: %d expired pastes, %d of their files, %d unattached uploads, %d orphaned files, "
            "%d partial uploads removed",
            report.pastes,
            report.files,
            report.unattached_uploads,
            report.orphaned_files,
            report.partial_uploads,
        )
    if report.missing_on_disk:
        log.warning("paste cleanup: %d files were already missing on disk", len(report.missing_on_disk))
    return report
