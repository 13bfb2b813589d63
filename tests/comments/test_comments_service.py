"""Comments on SQLite and PostgreSQL: publishing or holding, trust after approval, replies two
levels deep, hiding, deleting with replies, blocking, counts; readers never get held or hidden ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from accumulator.comments import moderation, service, spam
from accumulator.comments.models import HELD, HIDDEN, PUBLISHED, Comment, OwnerNotice
from accumulator.db import utcnow

SECRET = "s" * 40
NOW = utcnow()


def write(
    session: Session,
    text: str = "Hello",
    *,
    token: str | None = None,
    parent: int | None = None,
    path: str = "/p",
    name: str = "Ann",
) -> service.Posted:
    data = service.parse_input(
        {"site": "blog", "path": path, "text": text, "name": name, "parent_id": parent, "author": token}
    )
    posted = service.post_comment(session=session, data=data, secret=SECRET, now=NOW)
    session.commit()
    return posted


def publish_site(session: Session) -> None:
    moderation.set_moderation(session=session, site="blog", moderation="publish")
    session.commit()


def test_a_first_time_author_is_held_by_default_and_readers_do_not_see_it(session: Session) -> None:
    posted = write(session, "First!")
    assert posted.comment.status == HELD
    assert service.page_comments(session=session, site="blog", path="/p") == []
    assert [c.id for c in moderation.queue(session=session)] == [posted.comment.id]
    assert session.exec(select(OwnerNotice.kind)).all() == ["held"]


def test_an_approved_author_is_trusted_from_then_on(session: Session) -> None:
    first = write(session, "First!")
    moderation.approve(session=session, comment_id=first.comment.id)
    session.commit()
    second = write(session, "Again", token=first.author_token)
    assert second.comment.status == PUBLISHED
    assert [c["html"] for c in service.page_comments(session=session, site="blog", path="/p")] == [
        "<p>First!</p>",
        "<p>Again</p>",
    ]


def test_a_forged_token_is_a_new_author(session: Session) -> None:
    first = write(session)
    moderation.approve(session=session, comment_id=first.comment.id)
    session.commit()
    author_id = first.author_token.split(".")[0]
    forged = write(session, "Me too", token=f"{author_id}.{'0' * 32}")
    assert forged.comment.status == HELD
    assert forged.author_token != first.author_token


def test_a_site_that_publishes_at_once_holds_nobody(session: Session) -> None:
    publish_site(session)
    assert write(session).comment.status == PUBLISHED
    assert session.exec(select(OwnerNotice.kind)).all() == ["comment"]


def test_replies_nest_two_levels_and_deeper_ones_stay_beside(session: Session) -> None:
    publish_site(session)
    top = write(session, "top").comment
    reply = write(session, "reply", parent=top.id).comment
    deeper = write(session, "deeper", parent=reply.id).comment
    deepest = write(session, "deepest", parent=deeper.id).comment
    assert (reply.parent_id, reply.depth) == (top.id, 1)
    assert (deeper.parent_id, deeper.depth) == (reply.id, 2)
    assert (deepest.parent_id, deepest.depth) == (reply.id, 2)


def test_a_reply_to_a_comment_of_another_page_is_refused(session: Session) -> None:
    publish_site(session)
    other = write(session, "elsewhere", path="/other").comment
    with pytest.raises(spam.Refused, match="not on this page"):
        write(session, "reply", parent=other.id)


def test_hidden_comments_leave_the_page_and_the_counts(session: Session) -> None:
    publish_site(session)
    kept, hidden = write(session, "kept").comment, write(session, "hidden").comment
    moderation.hide(session=session, comment_id=hidden.id)
    session.commit()
    assert [c["id"] for c in service.page_comments(session=session, site="blog", path="/p")] == [kept.id]
    assert service.published_comment(session=session, comment_id=hidden.id) is None
    assert service.page_count(session=session, site="blog", path="/p") == 1
    (counts,) = moderation.page_counts(session=session)
    assert (counts.published, counts.held, counts.hidden) == (1, 0, 1)


def test_deleting_a_comment_deletes_its_replies(session: Session) -> None:
    publish_site(session)
    top = write(session, "top").comment
    reply = write(session, "reply", parent=top.id).comment
    write(session, "deeper", parent=reply.id)
    other = write(session, "other").comment
    changed = moderation.delete_comment(session=session, comment_id=top.id)
    session.commit()
    assert len(changed.removed) == 3
    assert session.exec(select(Comment.id)).all() == [other.id]


def test_the_owner_replies_with_the_author_mark_and_publishes_a_held_question(session: Session) -> None:
    question = write(session, "A question?").comment
    reply = moderation.owner_reply(
        session=session, parent_id=question.id, text="An *answer*.", now=NOW + timedelta(seconds=1)
    )
    session.commit()
    shown = service.page_comments(session=session, site="blog", path="/p")
    assert [(c["author"], c["is_owner"]) for c in shown] == [("Ann", False), ("Author", True)]
    assert shown[1]["html"] == "<p>An <em>answer</em>.</p>" and shown[1]["parent_id"] == question.id
    assert reply.status == PUBLISHED


def test_a_blocked_author_is_refused_and_their_held_comments_hidden(session: Session) -> None:
    first = write(session, "spam one")
    moderation.block_author(session=session, comment_id=first.comment.id, now=NOW)
    session.commit()
    assert session.get(Comment, first.comment.id).status == HIDDEN
    with pytest.raises(spam.Refused, match="no longer comment") as refused:
        write(session, "spam two", token=first.author_token)
    assert refused.value.status == 403
    session.rollback()
    assert len(session.exec(select(Comment)).all()) == 1


def test_the_word_filter_matches_whole_words_only(session: Session) -> None:
    publish_site(session)
    moderation.set_words(session=session, text="bc\nfrak, Bad Word")
    session.commit()
    assert write(session, "abc and bcrypt are fine, so is frakking").comment.status == PUBLISHED
    for text in ("BC!", "what the frak", "a bad   word here"):
        with pytest.raises(spam.Refused, match="word this site does not accept"):
            write(session, text)
        session.rollback()


def test_the_owner_cannot_answer_a_hidden_comment(session: Session) -> None:
    """An answer under a hidden comment would be shown to readers as an answer to nothing."""
    question = write(session, "Spam?").comment
    moderation.hide(session=session, comment_id=question.id)
    session.commit()
    with pytest.raises(spam.Refused, match="hidden"):
        moderation.owner_reply(session=session, parent_id=question.id, text="No.", now=NOW)
    session.rollback()
    assert [c.id for c in session.exec(select(Comment)).all()] == [question.id]
    assert session.get(Comment, question.id).status == HIDDEN
