"""Import the owner's writing: workspaces and notes, pastes and their files. Called by
`phoenix.import_phoenix` in this order (notes need their workspaces)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlmodel import Session, select

from accumulator.db import session_scope
from accumulator.importer.ledger import PLANNED, Entry, Run, batches, copy_into, record
from accumulator.importer.mapping import Unmappable, content_type, expiry_choice, one_line, upload_path, utc
from accumulator.notes import service as notes
from accumulator.notes.models import NOTE_MAX, TITLE_MAX, Workspace
from accumulator.pastes import highlight
from accumulator.pastes import service as pastes
from accumulator.pastes.models import TITLE_MAX as PASTE_TITLE_MAX
from accumulator.pastes.models import Paste, PasteFile


def _without_nul(run: Run, kind: str, source_id: str, text: str) -> str:
    if "\x00" in text:
        run.report.remark(kind, source_id, "NUL characters removed from the text (the database cannot store them)")
        return text.replace("\x00", "")
    return text


# Notes


def _seeded_default(session: Session) -> Workspace | None:
    """This app's own first workspace, made by the migrations, if it is still there."""
    return session.exec(select(Workspace).where(Workspace.title == "default").order_by(Workspace.id)).first()


def import_workspaces(run: Run) -> None:
    kind, report = "workspace", run.report
    rows = run.source.rows("workspaces")
    report.read(kind, len(rows))
    done = run.done(kind)
    targets = {source: entry.target_id for source, entry in done.items()}
    # The original's migration made a workspace "default" that every old note went into; ours did
    # the same. The two become one, so nobody ends up with two workspaces called "default".
    seeded = next((row for row in rows if row["title"] == "default"), None)
    for row in rows:
        source_id = str(row["id"])
        if source_id in done:
            report.already(kind)
            continue
        title, cut = one_line(row["title"], TITLE_MAX)
        if not title:
            title = f"Workspace {source_id}"
            report.remark(kind, source_id, f"had no title: named {title!r}")
        elif cut:
            report.remark(kind, source_id, f"title shortened to {TITLE_MAX} characters")
        is_public = bool(row["is_public"])
        with run.session() as session:
            ours = _seeded_default(session) if row is seeded else None
        if ours is not None:
            report.remark(kind, source_id, "the original's default workspace: merged into this app's own 'default'")
        if run.dry_run:
            targets[source_id] = PLANNED
            report.imported(kind)
            continue
        with session_scope(run.engine) as session:
            if ours is not None:
                workspace = session.get(Workspace, ours.id)
                workspace.is_public = workspace.is_public or is_public
            else:
                workspace = notes.create_workspace(session=session, title=title, is_public=is_public)
                workspace.created_at = utc(row["inserted_at"]) or run.now
            session.add(workspace)
            session.flush()
            record(session, kind, [Entry(source_id, str(workspace.id), workspace.public_id)], run.now)
            targets[source_id] = str(workspace.id)
        report.imported(kind)
    run.targets[kind] = targets


def import_notes(run: Run) -> None:
    kind, report = "note", run.report
    rows = run.source.rows("notes")
    report.read(kind, len(rows))
    done = run.done(kind)
    workspaces = run.targets.get("workspace", {})
    with run.session() as session:
        existing = {str(workspace_id) for workspace_id in session.exec(select(Workspace.id))}
    pending: list[tuple[str, str, str, dict[str, Any]]] = []
    for row in rows:
        source_id = str(row["id"])
        if source_id in done:
            report.already(kind)
            continue
        target = workspaces.get(str(row["workspace_id"]))
        text = row["text"] or ""
        if row["workspace_id"] is None:
            report.fail(kind, source_id, "the note belongs to no workspace")
        elif target is None:
            report.fail(kind, source_id, f"its workspace {row['workspace_id']} was not imported")
        elif target != PLANNED and target not in existing:
            report.fail(kind, source_id, f"its workspace {row['workspace_id']} was deleted here after it was imported")
        elif not text.strip():
            report.fail(kind, source_id, "the note has no text")
        elif len(text) > NOTE_MAX:
            report.fail(kind, source_id, f"the note is longer than {NOTE_MAX:,} characters ({len(text):,})")
        else:
            pending.append((source_id, target, _without_nul(run, kind, source_id, text), row))
    for batch in batches(pending, 500):
        if not run.dry_run:
            with session_scope(run.engine) as session:
                entries = []
                for source_id, target, text, row in batch:
                    created = utc(row["inserted_at"]) or run.now
                    note = notes.add_note(session=session, workspace_id=int(target), text=text, now=created)
                    note.updated_at = max(utc(row["updated_at"]) or created, created)
                    session.add(note)
                    entries.append(Entry(source_id, str(note.id)))
                record(session, kind, entries, run.now)
        report.imported(kind, len(batch))


# Pastes


@dataclass(frozen=True)
class FilePlan:
    old_path: str  # `<uuid>/<name>`: its old link, and its ledger key
    path: Path
    name: str
    content_type: str


def _file_plans(run: Run, paste_id: str, entries: list[Any], done: set[str], seen: set[str]) -> list[FilePlan]:
    kind, report = "paste_file", run.report
    plans = []
    for entry in entries:
        if not isinstance(entry, dict):
            report.fail(kind, f"of paste {paste_id}", "a file entry that is not a JSON object")
            continue
        try:
            old_path = upload_path(entry)
        except Unmappable as exc:
            report.fail(kind, f"{entry.get('id') or '?'} of paste {paste_id}", str(exc))
            continue
        if old_path in done:
            report.already(kind)
            continue
        if old_path in seen:
            report.skip(kind, old_path, "listed twice (the original overwrote files of the same name): imported once")
            continue
        seen.add(old_path)
        name = entry.get("name") if isinstance(entry.get("name"), str) else ""
        try:
            name = pastes.check_file_name(name)
        except pastes.PasteError:
            name = PurePosixPath(old_path).name
        try:
            path = run.original_file(old_path)
        except FileNotFoundError as exc:
            report.fail(kind, old_path, str(exc))
            continue
        plans.append(FilePlan(old_path, path, name, content_type(entry.get("type"), name)))
    return plans


def _label(entry: Any) -> str:
    """How the report names a file entry: its old path when it has a usable one."""
    try:
        return upload_path(entry) if isinstance(entry, dict) else "?"
    except Unmappable:
        return str(entry.get("id") or "?")


def _new_paste(run: Run, source_id: str, row: dict[str, Any]) -> Paste:
    title, cut = one_line(row["title"], PASTE_TITLE_MAX)
    if cut:
        run.report.remark("paste", source_id, f"title shortened to {PASTE_TITLE_MAX} characters")
    content = _without_nul(run, "paste", source_id, row["content"] or "")
    size = len(content.encode("utf-8", "surrogatepass"))
    created = utc(row["inserted_at"]) or run.now
    expires = utc(row["expire_at"])
    return Paste(
        id=pastes.new_id(),
        slug=pastes.new_id(),
        title=title,
        content=content,
        size=size,
        language=highlight.AUTO,
        shown_as=highlight.shown_as(highlight.AUTO, content),
        is_shared=False,  # the original's pastes were the owner's alone (their files: see the routes)
        expiry=expiry_choice(expires - created) if expires is not None else "never",
        expires_at=expires,
        created_at=created,
        updated_at=created,
    )


def _store_paste(run: Run, source_id: str, paste: Paste | None, paste_id: str, plans: list[FilePlan]) -> int:
    """Copy the files in, then write the paste (if new), its file rows and their ledger entries in
    one transaction. Returns how many files were imported."""
    copied: list[tuple[FilePlan, str, int]] = []
    try:
        for plan in plans:
            try:
                file_id, size = copy_into(run.file_store, plan.path)
            except OSError as exc:
                run.report.fail("paste_file", plan.old_path, f"cannot be read: {exc.strerror or exc}")
                continue
            copied.append((plan, file_id, size))
        with session_scope(run.engine) as session:
            if paste is not None:
                session.add(paste)
                session.flush()
                record(session, "paste", [Entry(source_id, paste.id)], run.now)
            for plan, file_id, size in copied:
                session.add(
                    PasteFile(
                        id=file_id,
                        paste_id=paste_id,
                        name=plan.name,
                        content_type=plan.content_type,
                        size=size,
                        created_at=paste.created_at if paste is not None else run.now,
                    )
                )
            record(session, "paste_file", [Entry(plan.old_path, file_id) for plan, file_id, _ in copied], run.now)
    except BaseException:
        for _plan, file_id, _size in copied:
            run.file_store.delete(file_id)
        raise
    return len(copied)


def import_pastes(run: Run) -> None:
    report = run.report
    rows = run.source.rows("pastes")
    report.read("paste", len(rows))
    done, files_done = run.done("paste"), set(run.done("paste_file"))
    seen: set[str] = set()
    for row in rows:
        source_id = str(row["id"])
        entries = row["files"] if isinstance(row["files"], list) else []
        report.read("paste_file", len(entries))
        if row["files"] is not None and not isinstance(row["files"], list):
            report.read("paste_file")
            report.fail("paste_file", f"of paste {source_id}", "the files column is not a JSON array")
        expires = utc(row["expire_at"])
        earlier = done.get(source_id)
        if earlier is None and expires is not None and expires <= run.now:
            report.skip("paste", source_id, f"expired on {expires:%Y-%m-%d %H:%M} UTC")
            for entry in entries:
                report.skip("paste_file", _label(entry), f"its paste {source_id} expired")
            continue
        if earlier is None:
            paste: Paste | None = _new_paste(run, source_id, row)
            paste_id = paste.id
            report.imported("paste")
        else:
            # Imported before; bring the files an earlier run could not (no --files, missing file).
            report.already("paste")
            paste, paste_id = None, earlier.target_id
            with run.session() as session:
                live = pastes.get_paste(session=session, paste_id=paste_id, now=run.now) is not None
            if not live:
                for entry in entries:
                    label = _label(entry)
                    if label in files_done:
                        report.already("paste_file")
                    else:
                        report.skip("paste_file", label, "its paste was deleted here, or expired")
                continue
        plans = _file_plans(run, source_id, entries, files_done, seen)
        if run.dry_run:
            report.imported("paste_file", len(plans))
        elif paste is not None or plans:
            report.imported("paste_file", _store_paste(run, source_id, paste, paste_id, plans))
