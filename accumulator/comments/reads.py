"""What the widget and the owner's pages read, in one transaction off the event loop."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from sqlmodel import Session

from accumulator.comments import moderation, service
from accumulator.comments.models import Comment
from accumulator.runtime import Services, in_transaction
from accumulator.timefmt import local_text


async def page_comments(svc: Services, *, site: str, path: str) -> list[dict[str, Any]]:
    return await in_transaction(svc, service.page_comments, site=site, path=path)


async def published_comment(svc: Services, *, comment_id: int) -> dict[str, Any] | None:
    return await in_transaction(svc, service.published_comment, comment_id=comment_id)


async def page_count(svc: Services, *, site: str, path: str) -> int:
    return await in_transaction(svc, service.page_count, site=site, path=path)


async def published_counts(svc: Services) -> dict[tuple[str, str], int]:
    return await in_transaction(svc, service.published_counts)


class CommentRow(TypedDict):
    id: int
    page: str
    site: str
    path: str
    author: str
    is_owner: bool
    status: str
    html: str
    when: str
    depth: int
    blockable: bool


class PageRow(TypedDict):
    key: str
    site: str
    path: str
    published: int
    held: int
    hidden: int


class SiteRow(TypedDict):
    site: str
    moderation: str


class Overview(TypedDict):
    queue: list[CommentRow]
    pages: list[PageRow]
    sites: list[SiteRow]
    words: str


def _row(comment: Comment, zone) -> CommentRow:
    return CommentRow(
        id=comment.id or 0,
        page=f"{comment.site} {comment.path}",
        site=comment.site,
        path=comment.path,
        author=comment.author_name or ("You" if comment.is_owner else "Anonymous"),
        is_owner=comment.is_owner,
        status=comment.status,
        html=comment.body_html,
        when=local_text(comment.created_at, zone),
        depth=comment.depth,
        blockable=bool(comment.author_id),
    )


async def overview(svc: Services) -> Overview:
    zone = svc.settings.zone

    def read(session: Session) -> Overview:
        return Overview(
            queue=[_row(comment, zone) for comment in moderation.queue(session=session)],
            pages=[
                PageRow(
                    key=f"{p.site}\n{p.path}",
                    site=p.site,
                    path=p.path,
                    published=p.published,
                    held=p.held,
                    hidden=p.hidden,
                )
                for p in moderation.page_counts(session=session)
            ],
            sites=[SiteRow(site=site, moderation=mode) for site, mode in moderation.sites(session=session)],
            words="\n".join(service.filter_words(session)),
        )

    return await in_transaction(svc, read)


async def page_all(svc: Services, *, site: str, path: str) -> list[CommentRow]:
    zone = svc.settings.zone

    def read(session: Session) -> list[CommentRow]:
        return [_row(comment, zone) for comment in moderation.page_all(session=session, site=site, path=path)]

    return await in_transaction(svc, read)


# The token API's reads (apiv1/comments.py): the rows themselves, which it shapes as it describes.


async def owner_comments(
    svc: Services,
    *,
    site: str | None = None,
    path: str | None = None,
    status: str | None = None,
    before: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[Comment]:
    return await in_transaction(
        svc, moderation.owner_comments, site=site, path=path, status=status, before=before, limit=limit
    )


async def comment(svc: Services, *, comment_id: int) -> Comment | None:
    return await in_transaction(svc, moderation.comment, comment_id=comment_id)


async def page_counts(svc: Services, *, site: str | None = None) -> list[moderation.PageCount]:
    return await in_transaction(svc, moderation.page_counts, site=site)


async def held_count(svc: Services) -> int:
    return await in_transaction(svc, service.held_count)
