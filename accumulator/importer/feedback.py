"""Import what readers wrote: the blog's comments (their reply tree, authors and times, each
`blog_slug` mapped to a site and path as the page counts are) and the contact messages. Called by
`phoenix.import_phoenix` after the page counts."""

from __future__ import annotations

from accumulator.comments import markup
from accumulator.comments.models import BODY_MAX, DEPTH_MAX, NAME_MAX, PUBLISHED, Comment
from accumulator.contact.models import EMAIL_MAX, MESSAGE_MAX, ContactMessage
from accumulator.db import session_scope
from accumulator.importer.ledger import PLANNED, Entry, Run, record
from accumulator.importer.mapping import Unmappable, one_line, utc


def _text(run: Run, kind: str, source_id: str, text: str | None, limit: int) -> str:
    text = (text or "").replace("\x00", "")
    if len(text) > limit:
        run.report.remark(kind, source_id, f"text shortened to {limit:,} characters")
        text = text[:limit]
    return text


def import_comments(run: Run) -> None:
    kind, report = "comment", run.report
    rows = run.source.rows("comments")
    report.read(kind, len(rows))
    done = run.done(kind)
    # Our id and depth of every original comment imported (now or before), for their replies.
    placed: dict[str, tuple[str, int]] = {}
    with run.session() as session:
        for source_id, entry in done.items():
            if entry.target_id != PLANNED and (found := session.get(Comment, int(entry.target_id))) is not None:
                placed[source_id] = (str(found.id), found.depth)
    pending = sorted(rows, key=lambda row: row["id"])  # a reply has a larger id than what it answers
    for row in pending:
        source_id = str(row["id"])
        if source_id in done:
            report.already(kind)
            continue
        try:
            site, path = run.pages.page("blog:" + (row["blog_slug"] or ""))
        except Unmappable as exc:
            report.fail(kind, source_id, str(exc))
            continue
        parent_id, depth = None, 0
        if row["parent_id"] is not None:
            parent = placed.get(str(row["parent_id"]))
            if parent is None:
                report.skip(kind, source_id, f"it answers comment {row['parent_id']}, which was not imported")
                continue
            parent_depth = parent[1]
            if parent_depth >= DEPTH_MAX:  # deeper replies sit beside the one they answer, as here
                with run.session() as session:
                    grand = session.get(Comment, int(parent[0])) if parent[0] != PLANNED else None
                parent_id, depth = (grand.parent_id if grand else None), DEPTH_MAX
            else:
                parent_id, depth = (None if parent[0] == PLANNED else int(parent[0])), parent_depth + 1
        body = _text(run, kind, source_id, row["content"], BODY_MAX)
        name, _ = one_line(row["author"], NAME_MAX)
        report.imported(kind)
        if run.dry_run:
            placed[source_id] = (PLANNED, depth)
            continue
        with session_scope(run.engine) as session:
            comment = Comment(
                site=site,
                path=path,
                parent_id=parent_id,
                depth=depth,
                author_name=name,
                body=body,
                body_html=markup.render(body),
                status=PUBLISHED,
                created_at=utc(row["inserted_at"]) or run.now,
            )
            session.add(comment)
            session.flush()
            record(session, kind, [Entry(source_id, str(comment.id))], run.now)
            placed[source_id] = (str(comment.id), depth)


def import_contact_messages(run: Run) -> None:
    kind, report = "contact_message", run.report
    rows = run.source.rows("contact_messages")
    report.read(kind, len(rows))
    done = run.done(kind)
    for row in rows:
        source_id = str(row["id"])
        if source_id in done:
            report.already(kind)
            continue
        email, _ = one_line(row["email"], EMAIL_MAX)
        message = _text(run, kind, source_id, row["message"], MESSAGE_MAX)
        report.imported(kind)
        if run.dry_run:
            continue
        with session_scope(run.engine) as session:
            # Read already: the original had no unread state, and years of old mail are no news.
            moment = utc(row["inserted_at"]) or run.now
            session.add(
                ContactMessage(id=source_id[:36], email=email, message=message, created_at=moment, read_at=moment)
            )
            session.flush()
            record(session, kind, [Entry(source_id, source_id[:36])], run.now)
