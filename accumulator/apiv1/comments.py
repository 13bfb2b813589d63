"""`/api/v1` for comments: the owner's list (every state, filtered by site, page and state, newest
first), the counts per page, one comment, and moderation (approve, hide, delete with its replies,
reply as the owner, block an author). comments/reads.py and comments/actions.py do the work; the
rules (who is trusted, where a reply goes, what a held comment becomes) stay in comments/moderation.py."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from accumulator.apiv1.contract import Call, Operation, PathParam
from accumulator.apiv1.shapes import (
    ApiError,
    Listing,
    Page,
    Strict,
    Text,
    Timestamp,
    decode_keyset,
    keyset_cursor,
    not_found,
    offset_page,
)
from accumulator.comments import actions, reads, spam
from accumulator.comments.models import BODY_MAX, PATH_MAX, SITE_MAX, Comment
from accumulator.routes import COMMENTS
from accumulator.web import public_origin

COMMENT_ID = {"comment_id": PathParam("The comment's id.")}
Status = Literal["published", "held", "hidden"]


class CommentOut(BaseModel):
    id: str = Field(description="The comment's id.")
    site: str = Field(description="The site it was written on, as its widget names it.")
    path: str = Field(description="The page's path on that site.")
    parent_id: str | None = Field(description="The comment it answers; null for a comment on the page itself.")
    depth: int = Field(description="0: on the page; 1: a reply; 2: a reply to a reply (replies go no deeper).")
    author_name: str = Field(description="The name its author gave; empty when none (readers see 'Anonymous').")
    is_owner: bool = Field(description="Written by the owner (shown to readers with the author mark).")
    author_blockable: bool = Field(description="Written by a reader whose browser can be blocked (blockCommentAuthor).")
    text: str = Field(description="What was written (markdown-lite), as written.")
    html: str = Field(description="The text rendered and sanitised: what readers see.")
    status: Status = Field(description="published: readers see it; held: waiting for approval; hidden: not shown.")
    created_at: Timestamp = Field(description="When it was written.")
    url: str = Field(description="The owner's comments page, where it is moderated.")


class PageCountOut(BaseModel):
    site: str = Field(description="The site.")
    path: str = Field(description="The page's path on that site.")
    published: int = Field(description="Comments readers see.")
    held: int = Field(description="Comments waiting for approval.")
    hidden: int = Field(description="Hidden comments.")


class DeletedOut(BaseModel):
    removed: int = Field(description="How many comments were deleted: this one and every reply under it.")
    ids: list[str] = Field(description="Their ids.")


class CommentsQuery(Page):
    site: Text(SITE_MAX, single_line=True, min_length=1) | None = Field(None, description="Only this site's comments.")
    path: Text(PATH_MAX, single_line=True, min_length=1) | None = Field(
        None, description="Only this page's comments (its path, as /posts/hello)."
    )
    status: Status | None = Field(None, description="Only comments in this state.")


class CountsQuery(Page):
    site: Text(SITE_MAX, single_line=True, min_length=1) | None = Field(None, description="Only this site's pages.")


class ReplyIn(Strict):
    text: Text(BODY_MAX, min_length=1, description="The reply (markdown-lite), up to 5,000 characters.")


def _comment_out(call: Call, comment: Comment) -> dict[str, Any]:
    return {
        "id": str(comment.id),
        "site": comment.site,
        "path": comment.path,
        "parent_id": str(comment.parent_id) if comment.parent_id is not None else None,
        "depth": comment.depth,
        "author_name": comment.author_name,
        "is_owner": comment.is_owner,
        "author_blockable": comment.author_id is not None,
        "text": comment.body,
        "html": comment.body_html,
        "status": comment.status,
        "created_at": comment.created_at,
        "url": f"{public_origin(call.request, call.svc.settings.trusted_proxy_hops)}{COMMENTS}",
    }


def _comment_id(call: Call) -> int:
    return int(call.path["comment_id"])  # digits within 32 bits: contract._path checked them


async def _answer(call: Call) -> dict[str, Any]:
    """The comment as it is now; 404 when there is none (or it was deleted meanwhile)."""
    comment = await reads.comment(call.svc, comment_id=_comment_id(call))
    if comment is None:
        raise not_found("comment")
    return _comment_out(call, comment)


async def list_comments(call: Call) -> dict[str, Any]:
    query: CommentsQuery = call.query
    rows = await reads.owner_comments(
        call.svc,
        site=query.site,
        path=query.path,
        status=query.status,
        before=decode_keyset(query.cursor, int),
        limit=query.limit + 1,
    )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    cursor = keyset_cursor(rows[-1].created_at, rows[-1].id) if more else None
    return {"items": [_comment_out(call, row) for row in rows], "next_cursor": cursor}


async def page_counts(call: Call) -> dict[str, Any]:
    pages = await reads.page_counts(call.svc, site=call.query.site)
    items = [
        {"site": p.site, "path": p.path, "published": p.published, "held": p.held, "hidden": p.hidden} for p in pages
    ]
    return offset_page(items, call.query)


async def get_comment(call: Call) -> dict[str, Any]:
    return await _answer(call)


async def approve(call: Call) -> dict[str, Any]:
    if not await actions.approve(call.svc, comment_id=_comment_id(call)):
        raise not_found("comment")
    return await _answer(call)


async def hide(call: Call) -> dict[str, Any]:
    if not await actions.hide(call.svc, comment_id=_comment_id(call)):
        raise not_found("comment")
    return await _answer(call)


async def delete(call: Call) -> dict[str, Any]:
    removed = await actions.delete(call.svc, comment_id=_comment_id(call))
    if not removed:
        raise not_found("comment")
    return {"removed": len(removed), "ids": [str(comment_id) for comment_id in removed]}


async def reply(call: Call) -> dict[str, Any]:
    try:
        comment = await actions.reply_as_owner(call.svc, parent_id=_comment_id(call), text=call.body.text)
    except spam.Refused as exc:  # the rules' own refusal: a parent that is gone, an empty reply
        raise not_found("comment") if exc.status == 404 else ApiError(400, str(exc)) from None
    return _comment_out(call, comment)


async def block_author(call: Call) -> dict[str, Any]:
    comment = await reads.comment(call.svc, comment_id=_comment_id(call))
    if comment is None:
        raise not_found("comment")
    if not await actions.block_author(call.svc, comment_id=comment.id):
        raise ApiError(409, "This comment has no author to block (the owner's own, or its author is gone).")
    return await _answer(call)


OPERATIONS = [
    Operation(
        "GET",
        "/comments",
        "listComments",
        "List comments, newest first",
        "comments",
        "read",
        list_comments,
        answer=Listing[CommentOut],
        query=CommentsQuery,
        description="Every state unless `status` says one (readers only ever see published ones).",
    ),
    Operation(
        "GET",
        "/comments/pages",
        "listCommentPages",
        "Count comments per page",
        "comments",
        "read",
        page_counts,
        answer=Listing[PageCountOut],
        query=CountsQuery,
        description="Every page with comments, by site and path, with its counts per state.",
    ),
    Operation(
        "GET",
        "/comments/{comment_id}",
        "getComment",
        "Get a comment",
        "comments",
        "read",
        get_comment,
        answer=CommentOut,
        path_params=COMMENT_ID,
    ),
    Operation(
        "POST",
        "/comments/{comment_id}/approve",
        "approveComment",
        "Approve a comment",
        "comments",
        "write",
        approve,
        answer=CommentOut,
        path_params=COMMENT_ID,
        description="Publishes a held or hidden comment; its author's next comments are no longer held.",
    ),
    Operation(
        "POST",
        "/comments/{comment_id}/hide",
        "hideComment",
        "Hide a comment",
        "comments",
        "write",
        hide,
        answer=CommentOut,
        path_params=COMMENT_ID,
        description="Readers no longer see it (open pages drop it at once); approving shows it again.",
    ),
    Operation(
        "DELETE",
        "/comments/{comment_id}",
        "deleteComment",
        "Delete a comment with its replies",
        "comments",
        "write",
        delete,
        answer=DeletedOut,
        path_params=COMMENT_ID,
        description="Deletes the comment and every reply under it, for good; answers how many went.",
    ),
    Operation(
        "POST",
        "/comments/{comment_id}/replies",
        "replyToComment",
        "Reply as the owner",
        "comments",
        "write",
        reply,
        answer=CommentOut,
        status=201,
        body=ReplyIn,
        path_params=COMMENT_ID,
        description="Published at once with the author mark; answering a held comment publishes it too. "
        "A reply to a reply to a reply is placed beside the one it answers.",
    ),
    Operation(
        "POST",
        "/comments/{comment_id}/block-author",
        "blockCommentAuthor",
        "Block a comment's author",
        "comments",
        "write",
        block_author,
        answer=CommentOut,
        path_params=COMMENT_ID,
        errors=(409,),
        description="Their next comments are refused and their held ones hidden; this comment is answered "
        "as it is now. 409 for a comment with no author to block (the owner's own).",
    ),
]
