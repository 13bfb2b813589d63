"""The owner hears of new comments, held comments and contact messages: one digest by e-mail (at a
real local SMTP server) and browser push (at a local push service, decrypted as a browser would),
and under a burst at most one digest per NOTIFY_DIGEST_MINUTES."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from accumulator.comments import moderation
from accumulator.comments.actions import send_digest
from accumulator.db import session_scope, utcnow
from accumulator.runtime import Services, build_services
from tests.comments.helpers import send_comment, send_contact
from tests.plants.push_service import running_push_service
from tests.plants.test_mail import Inbox, make_settings
from tests.plants.test_push import Browser, subscribe


def services_with_mail(tmp_path: Path, engine: Engine, port: int) -> Services:
    settings = make_settings(tmp_path, port, COMMENTS_MIN_SECONDS="0", NOTIFY_DIGEST_MINUTES="5")
    return build_services(settings, engine)


def mails(inbox: Inbox) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(e.original_content, policy=email.policy.default) for e in inbox.envelopes]


async def test_a_burst_becomes_one_digest_by_mail_and_push_then_waits(engine: Engine, tmp_path: Path, smtp) -> None:
    inbox, port = smtp
    svc = services_with_mail(tmp_path, engine, port)
    with session_scope(engine) as session:
        moderation.set_moderation(session=session, site="blog", moderation="publish")
    browser = Browser.new()
    with running_push_service() as pushes:
        subscribe(engine, browser, pushes.endpoint("phone"))
        await send_comment(svc, text="First <b>comment</b>", name="Ann", ip="1")
        with session_scope(engine) as session:
            moderation.set_moderation(session=session, site="blog", moderation="hold_new")
        await send_comment(svc, text="Please approve me", name="Bob", ip="2")
        await send_contact(svc, message="Hire me?", ip="3")
        now = utcnow()
        assert await send_digest(svc, now=now) == 3
        (mail,) = mails(inbox)
        assert mail["Subject"] == "1 new comment, 1 comment waiting for approval, 1 contact message"
        text = mail.get_body(("plain",)).get_content()
        assert "Ann on blog/posts/hello: First <b>comment</b>" in text and "https://acc.example.com/comments" in text
        assert "reader@example.org: Hire me?" in text
        (received,) = pushes.pushes_to("phone")
        message = browser.decrypt(received.body)
        assert message["title"] == mail["Subject"] and message["url"] == "/comments"

        # More arrive at once: nothing until the gap has passed, then one digest of what waited.
        await send_contact(svc, message="Again", ip="4")
        await send_contact(svc, message="And again", ip="5")
        assert await send_digest(svc, now=now + timedelta(minutes=1)) == 0
        assert len(mails(inbox)) == 1
        assert await send_digest(svc, now=now + timedelta(minutes=5, seconds=1)) == 2
        assert len(mails(inbox)) == 2 and len(pushes.pushes_to("phone")) == 2
        assert mails(inbox)[1]["Subject"] == "2 contact messages"
        assert await send_digest(svc, now=now + timedelta(minutes=20)) == 0  # nothing new


async def test_when_every_channel_fails_the_notices_wait_for_the_next_run(engine: Engine, tmp_path: Path, smtp) -> None:
    inbox, port = smtp
    inbox.refuse.add("owner@example.com")
    svc = services_with_mail(tmp_path, engine, port)
    await send_contact(svc, message="Are you there?", ip="1")
    assert await send_digest(svc, now=utcnow()) == 0
    inbox.refuse.clear()
    assert await send_digest(svc, now=utcnow()) == 1
    assert mails(inbox)[0]["Subject"] == "1 contact message"
