"""The only way comments change. Each action: the rate limits, one transaction (off the event
loop), then one CommentChanged per comment on COMMENTS_TOPIC. Only published comments are ever
announced; a live widget reads the comment again (published only) before sending it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from accumulator.comments import moderation, notices, service, spam
from accumulator.comments.models import HELD, Comment
from accumulator.db import utcnow
from accumulator.notify import actions as notify
from accumulator.notify.alerts import Alert
from accumulator.ratelimit import Limiter, create_limiter
from accumulator.runtime import Services, Topic, in_transaction, publish

log = logging.getLogger(__name__)

PER_ADDRESS = (5, 60.0)  # comments (and contact messages) from one address per minute
PER_PAGE = (30, 600.0)  # comments on one page per ten minutes, whoever writes them


@dataclass(frozen=True)
class CommentChanged:
    site: str
    path: str
    comment_id: int
    change: str  # "published" | "removed"


COMMENTS_TOPIC = Topic("update:comments", CommentChanged)


@dataclass(frozen=True)
class Limits:
    address: Limiter
    page: Limiter


def limits(svc: Services) -> Limits:
    def build() -> Limits:
        url, outage = svc.settings.redis_url, svc.redis_outage
        return Limits(
            address=create_limiter(
                url, name="comment-address", limit=PER_ADDRESS[0], window=PER_ADDRESS[1], outage=outage
            ),
            page=create_limiter(url, name="comment-page", limit=PER_PAGE[0], window=PER_PAGE[1], outage=outage),
        )

    return svc.component("comments.limits", build)


async def check_address(svc: Services, ip: str) -> None:
    wait = await limits(svc).address.take(ip)
    if wait > 0:
        raise spam.Refused("Too many messages from your address: try again in a minute.", 429, int(wait) + 1)


async def _announce(svc: Services, changed: moderation.Changed | None) -> None:
    if changed is None:
        return
    for comment_id in changed.published:
        await publish(svc, COMMENTS_TOPIC, CommentChanged(changed.site, changed.path, comment_id, "published"))
    for comment_id in changed.removed:
        await publish(svc, COMMENTS_TOPIC, CommentChanged(changed.site, changed.path, comment_id, "removed"))


async def post_comment(svc: Services, *, data: dict[str, Any], ip: str) -> tuple[dict[str, Any] | None, str, str]:
    """Take a reader's comment: (what readers now see of it, or None when held; "published" or
    "held"; the author token for the widget to keep). Raises spam.Refused saying why."""
    now = utcnow()
    parsed = service.parse_input(data)
    service.check_content(
        parsed, secret=svc.settings.secret_key, now=now, min_seconds=svc.settings.comments_min_seconds
    )
    await check_address(svc, ip)
    wait = await limits(svc).page.take(f"{parsed.site}\n{parsed.path}")
    if wait > 0:
        raise spam.Refused(
            "This page is getting many comments right now: try again in a few minutes.", 429, int(wait) + 1
        )
    posted = await in_transaction(svc, service.post_comment, data=parsed, secret=svc.settings.secret_key, now=now)
    comment = posted.comment
    if comment.status == "published":
        await _announce(svc, moderation.Changed(comment.site, comment.path, [comment.id], []))
        return service.public_view(comment), "published", posted.author_token
    return None, "held", posted.author_token


async def approve(svc: Services, *, comment_id: int) -> bool:
    changed = await in_transaction(svc, moderation.approve, comment_id=comment_id)
    await _announce(svc, changed)
    return changed is not None


async def hide(svc: Services, *, comment_id: int) -> bool:
    changed = await in_transaction(svc, moderation.hide, comment_id=comment_id)
    await _announce(svc, changed)
    return changed is not None


async def delete(svc: Services, *, comment_id: int) -> list[int]:
    """Delete a comment with its replies; the ids removed (none: there was no such comment)."""
    changed = await in_transaction(svc, moderation.delete_comment, comment_id=comment_id)
    await _announce(svc, changed)
    return changed.removed if changed is not None else []


async def reply_as_owner(svc: Services, *, parent_id: int, text: str) -> Comment:
    """The owner's reply, published (with a held parent); raises spam.Refused saying why not."""

    def reply(session: Session) -> tuple[Comment, moderation.Changed]:
        parent = session.get(Comment, parent_id)
        was_held = parent is not None and parent.status == HELD
        comment = moderation.owner_reply(session=session, parent_id=parent_id, text=text, now=utcnow())
        ids = ([parent_id] if was_held else []) + [comment.id]
        return comment, moderation.Changed(comment.site, comment.path, published=ids, removed=[])

    comment, changed = await in_transaction(svc, reply)
    await _announce(svc, changed)
    return comment


async def block_author(svc: Services, *, comment_id: int) -> bool:
    changed = await in_transaction(svc, moderation.block_author, comment_id=comment_id, now=utcnow())
    return changed is not None


async def set_moderation(svc: Services, *, site: str, moderation_mode: str) -> None:
    await in_transaction(svc, moderation.set_moderation, site=site, moderation=moderation_mode)


async def set_words(svc: Services, *, text: str) -> list[str]:
    return await in_transaction(svc, moderation.set_words, text=text)


# Telling the owner


async def send_digest(svc: Services, *, now: datetime | None = None) -> int:
    """Hand the unsent notices to the notification layer as one digest (on every channel the
    "comments" kind is routed to); the number of notices it took. A channel failing for now is
    retried by the layer; when every channel refused for good, the notices are
    given back and the next run tries again, as a new digest."""
    now = now or utcnow()
    gap = timedelta(minutes=svc.settings.notify_digest_minutes)
    claimed = await in_transaction(svc, notices.claim_digest, now=now, gap=gap)
    if not claimed:
        return 0
    subject, text = notices.digest_text(claimed, svc.settings.base_url)
    body = claimed[0].summary[:200] + (f" (+{len(claimed) - 1} more)" if len(claimed) > 1 else "")
    url = "/messages" if all(notice.kind == "contact" for notice in claimed) else "/comments"
    # One key per claim: notices given back and claimed again make a new digest, not a duplicate.
    key = f"comments:{claimed[0].id}-{claimed[-1].id}:{now.isoformat()}"
    alert = Alert(kind="comments", key=key, title=subject, body=text, summary=body, link=url, tag="owner-digest")
    outcomes = await notify.notify(svc, alert, now=now)
    # No channel at all (none set up, or all routed off): the notices are read on the pages instead.
    if outcomes and all(outcome.status == "failed" for outcome in outcomes.values()):
        await in_transaction(svc, notices.release, ids=[notice.id for notice in claimed])
        return 0
    return len(claimed)
