"""Comment authors: a random id, handed to the reader's browser signed (it keeps it in
localStorage) and recognised by the signature, not by IP address. Blocking an author is revoking
their token: it is refused from then on."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlmodel import Session

from accumulator.comments.models import CommentAuthor

TOKEN_MAX = 80


def _signature(secret: str, author_id: str) -> str:
    return hmac.new(secret.encode(), f"comment-author:{author_id}".encode(), hashlib.sha256).hexdigest()[:32]


def token_for(secret: str, author_id: str) -> str:
    return f"{author_id}.{_signature(secret, author_id)}"


def author_id_of(token: object, *, secret: str) -> str | None:
    """The author id a token carries if its signature holds; None for anything else."""
    if not isinstance(token, str) or not 0 < len(token) <= TOKEN_MAX:
        return None
    author_id, _, signature = token.partition(".")
    if not author_id.isalnum() or not hmac.compare_digest(signature, _signature(secret, author_id)):
        return None
    return author_id


def author_for(session: Session, *, token: object, secret: str, now: datetime) -> CommentAuthor:
    """The author behind a valid token, or a new one (first comment, or a token that does not hold)."""
    author_id = author_id_of(token, secret=secret)
    author = session.get(CommentAuthor, author_id) if author_id else None
    if author is None:
        author = CommentAuthor(id=secrets.token_hex(12), created_at=now)
        session.add(author)
        session.flush()
    return author
