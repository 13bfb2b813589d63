"""Read receipts of shared pastes: who (as a kind of reader, never as a person) opened one, and
when the owner hears of it. Functions of (session, now); no Reflex, no global settings.

What is kept: per paste, UTC day, view and reader label, a count and the last time. The label comes
from the User-Agent through READER_LABELS below (the one list, tested); the header itself and the
IP address are never stored. People cannot be told apart without keeping something that
identifies them, so "read by N" counts the opens of people, not distinct people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from accumulator.pastes.models import PasteOpen

VIEWS = ("page", "raw", "embed")
PERSON = "browser"
UNKNOWN_CLIENT = "no user agent"
KEEP_DAYS = 90
# An open by a person raises an alert when no person opened the paste for this long before (the
# first read, or a new reader after a quiet spell); the alert's key is the hour, so two processes
# noticing the same open raise one alert.
QUIET_GAP = timedelta(hours=1)
USER_AGENT_SCAN = 512  # characters of the header looked at: bounds the regex work on junk

# (pattern, label, is a bot): the first match wins, case-insensitive. Link previews first (they
# are named, so the owner sees "Slack preview" rather than "crawler"; Telegram's says "like
# TwitterBot", so it comes before Twitter's), then search engines and tools, then anything calling
# itself a bot. WhatsApp's preview fetcher is a bot even though its name has no "bot" in it.
READER_LABELS: tuple[tuple[str, str, bool], ...] = (
    (r"slackbot|slack-imgproxy", "Slack preview", True),
    (r"telegrambot", "Telegram preview", True),
    (r"twitterbot", "X/Twitter preview", True),
    (r"facebookexternalhit|facebookcatalog|meta-externalagent", "Facebook preview", True),
    (r"discordbot", "Discord preview", True),
    (r"whatsapp", "WhatsApp preview", True),
    (r"linkedinbot", "LinkedIn preview", True),
    (r"skypeuripreview|microsoftpreview|teams", "Microsoft Teams/Skype preview", True),
    (r"mastodon|pleroma|misskey", "Fediverse preview", True),
    (r"googlebot|google-inspectiontool|googleother", "Googlebot", True),
    (r"bingbot|bingpreview", "Bingbot", True),
    (r"^curl/|\bwget/|python-requests|python-httpx|go-http-client|\bhttpie/|libwww-perl|okhttp", "script", True),
    (r"bot\b|bot/|crawler|spider|preview|slurp|scraper|headlesschrome", "crawler", True),
)
_COMPILED = tuple((re.compile(pattern, re.IGNORECASE), label, bot) for pattern, label, bot in READER_LABELS)
LABELS = frozenset({label for _, label, _ in READER_LABELS} | {PERSON, UNKNOWN_CLIENT})


@dataclass(frozen=True)
class Reader:
    label: str
    bot: bool


def classify(user_agent: str | None) -> Reader:
    """The kind of reader a User-Agent header names. An empty header is a program, not a person."""
    agent = (user_agent or "")[:USER_AGENT_SCAN].strip()
    if not agent:
        return Reader(UNKNOWN_CLIENT, True)
    for pattern, label, bot in _COMPILED:
        if pattern.search(agent):
            return Reader(label, bot)
    return Reader(PERSON, False)


def _insert(session: Session):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def last_person_open(*, session: Session, paste_id: str) -> datetime | None:
    return session.exec(
        select(sa.func.max(PasteOpen.last_at)).where(PasteOpen.paste_id == paste_id, col(PasteOpen.bot).is_(False))
    ).one()


def record_open(*, session: Session, paste_id: str, view: str, reader: Reader, now: datetime) -> bool:
    """Count one open; True when it is a person's after QUIET_GAP without one (the owner is told)."""
    if view not in VIEWS or reader.label not in LABELS:
        raise ValueError(f"unknown view or reader: {view!r}, {reader.label!r}")
    before = None if reader.bot else last_person_open(session=session, paste_id=paste_id)
    statement = _insert(session)(PasteOpen.__table__).values(
        paste_id=paste_id, day=now.date(), view=view, reader=reader.label, bot=reader.bot, opens=1, last_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["paste_id", "day", "view", "reader"],
            set_={"opens": PasteOpen.__table__.c.opens + 1, "last_at": now},
        )
    )
    return not reader.bot and (before is None or now - before >= QUIET_GAP)


@dataclass(frozen=True)
class BotOpens:
    label: str
    opens: int
    last_at: datetime


@dataclass(frozen=True)
class Receipts:
    reads: int  # opens by people (not bots), over the days kept
    last_read_at: datetime | None
    by_view: dict[str, int]  # people's opens per view
    bots: list[BotOpens]  # link previews, crawlers and scripts, most recent first


def receipts_of(*, session: Session, paste_id: str) -> Receipts:
    rows = session.exec(
        select(
            PasteOpen.reader,
            PasteOpen.view,
            PasteOpen.bot,
            sa.func.sum(PasteOpen.opens),
            sa.func.max(PasteOpen.last_at),
        )
        .where(PasteOpen.paste_id == paste_id)
        .group_by(PasteOpen.reader, PasteOpen.view, PasteOpen.bot)
    ).all()
    reads, last, by_view, bots = 0, None, {}, {}
    for label, view, bot, opens, last_at in rows:
        if bot:
            count, seen = bots.get(label, (0, last_at))
            bots[label] = (count + int(opens), max(seen, last_at))
            continue
        reads += int(opens)
        by_view[view] = by_view.get(view, 0) + int(opens)
        last = last_at if last is None else max(last, last_at)
    listed = [BotOpens(label, count, seen) for label, (count, seen) in bots.items()]
    listed.sort(key=lambda item: (item.last_at, item.label), reverse=True)
    return Receipts(reads=reads, last_read_at=last, by_view=by_view, bots=listed)


def forget_old(*, session: Session, now: datetime) -> None:
    session.exec(delete(PasteOpen).where(col(PasteOpen.day) < (now - timedelta(days=KEEP_DAYS)).date()))
