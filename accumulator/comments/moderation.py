"""The owner's side of comments: the queue, every page with its counts, approve, hide, delete (a
comment with its replies), reply as the owner, block an author, the per-site setting and the word
filter. Pure rules and queries over the session passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, and_, col, delete, func, or_, select

from accumulator.comments import markup, spam
from accumulator.comments.models import (
    BODY_MAX,
    DEPTH_MAX,
    HELD,
    HIDDEN,
    HOLD_NEW,
    PUBLISH,
    PUBLISHED,
    Comment,
    CommentAuthor,
    CommentSite,
    CommentWord,
)
from accumulator.inputs import clean_text

QUEUE_MAX = 200


@dataclass(frozen=True)
class PageCount:
    site: str
    path: str
    published: int
    held: int
    hidden: int


@dataclass(frozen=True)
class Changed:
    """What an owner action changed, for the live widgets: the page and the comments affected."""

    site: str
    path: str
    published: list[int]
    removed: list[int]


def queue(*, session: Session) -> list[Comment]:
    return list(
        session.exec(
            select(Comment)
            .where(Comment.status == HELD)
            .order_by(col(Comment.created_at), col(Comment.id))
            .limit(QUEUE_MAX)
        ).all()
    )


def page_counts(*, session: Session, site: str | None = None) -> list[PageCount]:
    """Every page with comments (of one site, when given) and its counts per state, by site and path."""
    statement = select(Comment.site, Comment.path, Comment.status, func.count())
    if site is not None:
        statement = statement.where(Comment.site == site)
    rows = session.exec(statement.group_by(Comment.site, Comment.path, Comment.status)).all()
    pages: dict[tuple[str, str], dict[str, int]] = {}
    for site, path, status, count in rows:
        pages.setdefault((site, path), {})[status] = int(count)
    return [
        PageCount(site, path, counts.get(PUBLISHED, 0), counts.get(HELD, 0), counts.get(HIDDEN, 0))
        for (site, path), counts in sorted(pages.items())
    ]


def page_all(*, session: Session, site: str, path: str) -> list[Comment]:
    """Every comment of a page, whatever its state, oldest first."""
    return list(
        session.exec(
            select(Comment)
            .where(Comment.site == site, Comment.path == path)
            .order_by(col(Comment.created_at), col(Comment.id))
        ).all()
    )


def comment(*, session: Session, comment_id: int) -> Comment | None:
    """One comment, whatever its state (the owner sees them all)."""
    return session.get(Comment, comment_id)


def owner_comments(
    *,
    session: Session,
    site: str | None,
    path: str | None,
    status: str | None,
    before: tuple[datetime, int] | None,
    limit: int,
) -> list[Comment]:
    """Up to `limit` comments of every state (or of one; of a site, a page), newest first, older
    than the comment `before` (its time and id): pages that stay right while comments arrive."""
    statement = select(Comment)
    for column, wanted in ((Comment.site, site), (Comment.path, path), (Comment.status, status)):
        if wanted is not None:
            statement = statement.where(column == wanted)
    if before is not None:
        moment, comment_id = before
        statement = statement.where(
            or_(col(Comment.created_at) < moment, and_(col(Comment.created_at) == moment, col(Comment.id) < comment_id))
        )
    statement = statement.order_by(col(Comment.created_at).desc(), col(Comment.id).desc()).limit(limit)
    return list(session.exec(statement).all())


def _subtree(session: Session, comment: Comment) -> list[int]:
    ids, frontier = [comment.id], [comment.id]
    for _ in range(DEPTH_MAX):
        frontier = list(session.exec(select(Comment.id).where(col(Comment.parent_id).in_(frontier))).all())
        ids += frontier
    return ids


def approve(*, session: Session, comment_id: int) -> Changed | None:
    """Publish a held (or hidden) comment; its author is trusted from now on (no longer held)."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        return None
    comment.status = PUBLISHED
    if comment.author_id and (author := session.get(CommentAuthor, comment.author_id)) is not None:
        author.trusted = True
        session.add(author)
    session.add(comment)
    session.flush()
    return Changed(comment.site, comment.path, published=[comment.id], removed=[])


def hide(*, session: Session, comment_id: int) -> Changed | None:
    comment = session.get(Comment, comment_id)
    if comment is None:
        return None
    comment.status = HIDDEN
    session.add(comment)
    session.flush()
    return Changed(comment.site, comment.path, published=[], removed=[comment.id])


def delete_comment(*, session: Session, comment_id: int) -> Changed | None:
    """Delete a comment and every reply under it (explicitly: SQLite may run without cascades)."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        return None
    ids = _subtree(session, comment)
    site, path = comment.site, comment.path
    session.exec(delete(Comment).where(col(Comment.id).in_(ids)))
    return Changed(site, path, published=[], removed=ids)


def owner_reply(*, session: Session, parent_id: int, text: str, now: datetime) -> Comment:
    """The owner's reply, published at once and marked as the author's."""
    text = clean_text(text, field="The reply", max_length=BODY_MAX, error=spam.Refused).strip()
    if not text:
        raise spam.Refused("The reply is empty.")
    parent = session.get(Comment, parent_id)
    if parent is None:
        raise spam.Refused("That comment is gone.", status=404)
    if parent.status == HIDDEN:  # readers would see an answer to nothing
        raise spam.Refused("That comment is hidden: show it again before answering it.")
    placed_under = parent.parent_id if parent.depth >= DEPTH_MAX else parent.id
    reply = Comment(
        site=parent.site,
        path=parent.path,
        parent_id=placed_under,
        depth=min(parent.depth + 1, DEPTH_MAX),
        author_name="",
        is_owner=True,
        body=text,
        body_html=markup.render(text),
        status=PUBLISHED,
        created_at=now,
    )
    if parent.status == HELD:  # answering a held comment publishes it: the answer needs its question
        parent.status = PUBLISHED
        session.add(parent)
    session.add(reply)
    session.flush()
    return reply


def block_author(*, session: Session, comment_id: int, now: datetime) -> Changed | None:
    """Revoke the token of the comment's author: their next comment is refused; their held
    comments are hidden."""
    comment = session.get(Comment, comment_id)
    if comment is None or not comment.author_id:
        return None
    author = session.get(CommentAuthor, comment.author_id)
    if author is None:
        return None
    author.blocked_at, author.trusted = now, False
    session.add(author)
    held = session.exec(select(Comment).where(Comment.author_id == author.id, Comment.status == HELD)).all()
    for item in held:
        item.status = HIDDEN
        session.add(item)
    session.flush()
    return Changed(comment.site, comment.path, published=[], removed=[])


def sites(*, session: Session) -> list[tuple[str, str]]:
    """Every site with comments or a setting, and its moderation (hold first-time authors by default)."""
    known = {row.site: row.moderation for row in session.exec(select(CommentSite)).all()}
    for site in session.exec(select(Comment.site).distinct()).all():
        known.setdefault(site, HOLD_NEW)
    return sorted(known.items())


def set_moderation(*, session: Session, site: str, moderation: str) -> None:
    if moderation not in (PUBLISH, HOLD_NEW):
        raise spam.Refused("Moderation is 'publish' or 'hold_new'.")
    row = session.get(CommentSite, site) or CommentSite(site=site)
    row.moderation = moderation
    session.add(row)
    session.flush()


def set_words(*, session: Session, text: str) -> list[str]:
    words = spam.clean_words(text)
    session.exec(delete(CommentWord))
    for word in words:
        session.add(CommentWord(word=word))
    session.flush()
    return words
