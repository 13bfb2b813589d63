"""Comments: the rules for taking one, and what readers are shown. No Reflex, no HTTP: the
session, the clock and the secret key are passed in.

Readers only ever get `published` comments (held and hidden ones are filtered in the queries
themselves, whatever asks). Replies nest two levels: a reply to a reply to a reply is placed beside
the one it answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from accumulator.comments import authors, markup, spam
from accumulator.comments.models import (
    BODY_MAX,
    DEPTH_MAX,
    HELD,
    HOLD_NEW,
    NAME_MAX,
    PATH_MAX,
    PUBLISH,
    PUBLISHED,
    SITE_MAX,
    Comment,
    CommentSite,
    CommentWord,
    OwnerNotice,
)
from accumulator.inputs import InputError, clean_name, clean_text, is_clean

PAGE_COMMENTS_MAX = 1000  # what one page shows at most (the newest)


@dataclass(frozen=True)
class CommentInput:
    site: str
    path: str
    text: str
    name: str = ""
    parent_id: int | None = None
    author_token: str | None = None
    honeypot: str | None = None
    stamp: str | None = None


@dataclass(frozen=True)
class Posted:
    comment: Comment
    author_token: str


def check_page(site: object, path: object) -> tuple[str, str]:
    """A site name and a page path, checked; InputError (Refused) otherwise."""
    try:
        site = clean_name(site, field="'site'", max_length=SITE_MAX, error=spam.Refused)
        path = clean_name(path, field="'path'", max_length=PATH_MAX, error=spam.Refused)
    except InputError as exc:
        raise spam.Refused(str(exc)) from None
    if not site.strip():
        raise spam.Refused("Give 'site' (up to 64 characters).")
    if not path.startswith("/"):
        raise spam.Refused("'path' must start with / (up to 512 characters).")
    return site, path


def parse_input(data: dict[str, Any]) -> CommentInput:
    """The fields of a posted comment, each checked (text, size); Refused says which is wrong."""
    site, path = check_page(data.get("site"), data.get("path"))
    text = clean_text(data.get("text", ""), field="The comment", max_length=BODY_MAX, error=spam.Refused).strip()
    if not text:
        raise spam.Refused("The comment is empty.")
    name = clean_text(
        data.get("name") or "", field="The name", max_length=NAME_MAX, single_line=True, error=spam.Refused
    )
    parent = data.get("parent_id")
    if parent is not None and (isinstance(parent, bool) or not isinstance(parent, int) or not 0 < parent < 2**63):
        raise spam.Refused("'parent_id' must be the id of a comment.")
    token = data.get("author")
    honeypot = data.get("website")
    stamp = data.get("stamp")
    return CommentInput(
        site=site,
        path=path,
        text=text,
        name=name,
        parent_id=parent,
        author_token=token if isinstance(token, str) else None,
        honeypot=honeypot if isinstance(honeypot, str) or honeypot is None else "x",
        stamp=stamp if isinstance(stamp, str) else None,
    )


def check_content(data: CommentInput, *, secret: str, now: datetime, min_seconds: int) -> None:
    """The rules that need no database: honeypot, stamp, links."""
    spam.check_honeypot(data.honeypot)
    spam.check_stamp(data.stamp, secret=secret, now=now, min_seconds=min_seconds)
    spam.check_links(data.text)


def filter_words(session: Session) -> list[str]:
    return list(session.exec(select(CommentWord.word).order_by(CommentWord.word)).all())


def moderation_of(session: Session, site: str) -> str:
    row = session.get(CommentSite, site)
    return row.moderation if row is not None else HOLD_NEW


def _placement(session: Session, data: CommentInput) -> tuple[int | None, int]:
    """(parent id, depth) of a new comment; a parent must be a published comment of the same page."""
    if data.parent_id is None:
        return None, 0
    parent = session.get(Comment, data.parent_id)
    if parent is None or parent.status != PUBLISHED or (parent.site, parent.path) != (data.site, data.path):
        raise spam.Refused("The comment you reply to is not on this page.", status=404)
    if parent.depth >= DEPTH_MAX:
        return parent.parent_id, parent.depth
    return parent.id, parent.depth + 1


def post_comment(*, session: Session, data: CommentInput, secret: str, now: datetime) -> Posted:
    """Store a reader's comment (published, or held when the site holds first-time authors), with a
    notice for the owner, in the caller's transaction. Refused for blocked authors and filtered words."""
    spam.check_words(f"{data.name}\n{data.text}", filter_words(session))
    author = authors.author_for(session, token=data.author_token, secret=secret, now=now)
    if author.blocked_at is not None:
        raise spam.Refused("You can no longer comment here.", status=403)
    parent_id, depth = _placement(session, data)
    held = moderation_of(session, data.site) == HOLD_NEW and not author.trusted
    comment = Comment(
        site=data.site,
        path=data.path,
        parent_id=parent_id,
        depth=depth,
        author_name=data.name,
        author_id=author.id,
        body=data.text,
        body_html=markup.render(data.text),
        status=HELD if held else PUBLISHED,
        created_at=now,
    )
    session.add(comment)
    session.flush()
    who = data.name or "Someone"
    summary = f"{who} on {data.site}{data.path}: {' '.join(data.text.split())}"[:290]
    session.add(OwnerNotice(kind="held" if held else "comment", summary=summary, url="/comments", created_at=now))
    session.flush()
    return Posted(comment=comment, author_token=authors.token_for(secret, author.id))


def public_view(comment: Comment) -> dict[str, Any]:
    """What a reader is sent of a comment: never its author id, address or source text."""
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "author": "Author" if comment.is_owner and not comment.author_name else (comment.author_name or "Anonymous"),
        "is_owner": comment.is_owner,
        "html": comment.body_html,
        "created": comment.created_at.isoformat().replace("+00:00", "Z"),
    }


def page_comments(*, session: Session, site: str, path: str) -> list[dict[str, Any]]:
    """A page's published comments, oldest first (the widget orders the top level as asked)."""
    rows = session.exec(
        select(Comment)
        .where(Comment.site == site, Comment.path == path, Comment.status == PUBLISHED)
        .order_by(col(Comment.created_at).desc(), col(Comment.id).desc())
        .limit(PAGE_COMMENTS_MAX)
    ).all()
    return [public_view(comment) for comment in reversed(rows)]


def published_comment(*, session: Session, comment_id: int) -> dict[str, Any] | None:
    comment = session.get(Comment, comment_id)
    return public_view(comment) if comment is not None and comment.status == PUBLISHED else None


def page_count(*, session: Session, site: str, path: str) -> int:
    if not (is_clean(site) and is_clean(path)):  # text no database can hold names no stored page
        return 0
    return int(
        session.exec(
            select(func.count())
            .select_from(Comment)
            .where(Comment.site == site, Comment.path == path, Comment.status == PUBLISHED)
        ).one()
    )


def published_counts(*, session: Session, pages: Sequence[tuple[str, str]] | None = None) -> dict[tuple[str, str], int]:
    """Published comments per (site, path), for the dashboard: of every page, or of `pages` only
    (a page without any is left out)."""
    statement = select(Comment.site, Comment.path, func.count()).where(Comment.status == PUBLISHED)
    if pages is not None:
        wanted = [page for page in pages if is_clean(page[0]) and is_clean(page[1])]
        if not wanted:
            return {}
        statement = statement.where(sa.tuple_(Comment.site, Comment.path).in_(wanted))
    rows = session.exec(statement.group_by(Comment.site, Comment.path)).all()
    return {(site, path): int(count) for site, path, count in rows}


MODERATIONS = (PUBLISH, HOLD_NEW)


def held_count(*, session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Comment).where(Comment.status == HELD)).one())
