"""The anti-spam rules comments and contact messages share; pure functions of the input, the
secret key and the clock. Each refusal is a `Refused` whose message says why in one line.

- a honeypot field (`website`), invisible to people, that bots fill in;
- a signed form-open stamp: the form is sent at least `min_seconds` after it was opened (and within
  a day), and the stamp cannot be forged without the app's secret key;
- at most `LINKS_MAX` links;
- the owner's word filter, matched on whole words only, case-insensitively ("bc" refuses "bc" and
  "BC!", never "abc" or "bcrypt").
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import datetime

from accumulator.inputs import whole_number

LINKS_MAX = 3
STAMP_MAX_AGE = 86400  # seconds: a form left open a day is opened again
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)|\]\(|mailto:")


class Refused(ValueError):
    """A submission that is not taken; `status` is the HTTP status that says so."""

    def __init__(self, message: str, status: int = 400, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def _signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), f"form-open:{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def form_stamp(secret: str, now: datetime) -> str:
    """A stamp saying "this form was opened at `now`", signed with the app's secret."""
    moment = str(int(now.timestamp()))
    return f"{moment}.{_signature(secret, moment)}"


def check_stamp(stamp: object, *, secret: str, now: datetime, min_seconds: int) -> None:
    if not isinstance(stamp, str) or not stamp:
        raise Refused("The form is missing its opening stamp: reload the page and try again.")
    moment, _, signature = stamp.partition(".")
    if whole_number(moment, max_digits=12) is None or not hmac.compare_digest(signature, _signature(secret, moment)):
        raise Refused("The form's opening stamp is not valid: reload the page and try again.")
    age = now.timestamp() - int(moment)
    if age < min_seconds:
        raise Refused(f"Sent too fast: wait {min_seconds} seconds after opening the form.", status=429)
    if age > STAMP_MAX_AGE:
        raise Refused("The form was opened too long ago: reload the page and try again.")


def check_honeypot(value: object) -> None:
    if value not in (None, ""):
        raise Refused("Refused: a field meant to stay empty was filled in.")


def link_count(text: str) -> int:
    return len(_LINK.findall(text))


def check_links(text: str, *, limit: int = LINKS_MAX) -> None:
    if link_count(text) > limit:
        raise Refused(f"Too many links: at most {limit}.")


def word_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation of the words between word boundaries (longest first), or None."""
    chosen = sorted({word.casefold() for word in words if word.strip()}, key=len, reverse=True)
    if not chosen:
        return None
    # A phrase matches with any run of spaces between its words.
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in word.split()) for word in chosen)
    return re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)", re.IGNORECASE)


def check_words(text: str, words: Iterable[str]) -> None:
    pattern = word_pattern(words)
    if pattern is not None and pattern.search(text):
        raise Refused("Refused: the text contains a word this site does not accept.")


def clean_words(text: str, *, max_words: int = 500, max_length: int = 64) -> list[str]:
    """The owner's list as typed (one per line or comma-separated), lower-cased, without repeats."""
    found: dict[str, None] = {}
    for item in re.split(r"[\n,]+", text):
        word = " ".join(item.split()).casefold()
        if word and len(word) <= max_length:
            found[word] = None
    return list(found)[:max_words]
