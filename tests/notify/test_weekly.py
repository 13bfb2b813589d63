"""The weekly digest: what it says about a week the test made (numbers the test counts), as it
arrives at a real SMTP server on loopback (text and HTML parts), once per week with two jobs racing,
never when off, at the owner's weekday and time in TIMEZONE, hostile text escaped in the HTML."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from accumulator.analytics.depth_models import DailySiteDepth
from accumulator.analytics.models import DailyPageStat, DailySiteDimension, DailySiteStat
from accumulator.comments.models import HELD, Comment
from accumulator.db import session_scope
from accumulator.notes.models import Note, Workspace
from accumulator.notify import actions, weekly
from accumulator.plants import service as plants
from accumulator.spotify.models import SpotifyPlay, SpotifyTrack
from tests.notify.helpers import NOW, services
from tests.plants.test_mail import Inbox

PARIS = ZoneInfo("Europe/Paris")
# NOW is Wednesday 2 December 2026, 10:00 in Paris: the digest covers Wed 25 Nov to Tue 1 Dec.
FIRST, LAST = date(2026, 11, 25), date(2026, 12, 1)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), PARIS).astimezone(UTC)


def seed(engine: Engine, *, path: str = "/posts/a", track: str = "Song A") -> None:
    with session_scope(engine) as db:
        for day, views in ((FIRST, 20), (LAST, 10), (FIRST - timedelta(days=3), 20)):  # 30 this week, 20 before
            db.add(DailyPageStat(day=day, site="blog", path=path, views=views))
        db.add(DailyPageStat(day=FIRST + timedelta(days=2), site="blog", path="/about", views=5))
        db.add(DailyPageStat(day=LAST + timedelta(days=1), site="blog", path="/today", views=99))  # after the week
        db.add(DailySiteStat(day=FIRST, site="blog", views=25, visitors=9))
        db.add(DailySiteStat(day=LAST, site="blog", views=10, visitors=4))
        db.add(DailySiteStat(day=FIRST - timedelta(days=3), site="blog", views=20, visitors=7))
        db.add(DailySiteDepth(day=FIRST, site="blog", timed=4, seconds=360, t5=4))  # 90 s on average
        for day, host in ((FIRST, "news.example"), (FIRST, "old.example"), (FIRST - timedelta(days=20), "old.example")):
            db.add(DailySiteDimension(day=day, site="blog", kind="referrer", value=host, views=3))
        for when, status in ((at(FIRST), "published"), (at(LAST), HELD), (at(LAST + timedelta(days=1)), "published")):
            db.add(
                Comment(
                    site="blog", path=path, author_name="Ann", body="hi", body_html="hi", status=status, created_at=when
                )
            )
        db.add(Comment(site="blog", path=path, is_owner=True, body="me", body_html="me", created_at=at(FIRST)))
        space = Workspace(title="w", public_id="p" * 32)
        db.add(space)
        db.flush()
        for when in (at(FIRST), at(FIRST + timedelta(days=1)), at(FIRST - timedelta(days=1))):
            db.add(Note(workspace_id=space.id, text="n", created_at=when, updated_at=when))
        fern = plants.create_plant(
            session=db, data=plants.parse_input({"name": "Fern <i>", "interval_days": 3}), now=NOW
        )
        basil = plants.create_plant(
            session=db, data=plants.parse_input({"name": "Basil", "interval_days": 30}), now=NOW
        )
        plants.mark_watered(session=db, plant_id=basil.id, on=FIRST, today=LAST)
        plants.mark_watered(session=db, plant_id=fern.id, on=FIRST + timedelta(days=1), today=LAST)  # due on the 29th
        songs = [
            SpotifyTrack(key=f"k{n}", name=name, artists="Band", artist="Band", album="LP")
            for n, name in enumerate((track, "Song B"))
        ]
        db.add_all(songs)
        db.flush()
        for n, (song, day) in enumerate(
            [(songs[0], FIRST), (songs[0], LAST), (songs[1], LAST), (songs[1], FIRST - timedelta(days=2))]
        ):
            start = at(day, 8) + timedelta(minutes=n)
            local = start.astimezone(PARIS)
            db.add(
                SpotifyPlay(
                    played_at=start,
                    ended_at=start + timedelta(minutes=3),
                    track_id=song.id,
                    listened_ms=180000,
                    source="poll",
                    local_day=local.date(),
                    local_hour=local.hour,
                    local_weekday=local.weekday(),
                )
            )


def received(inbox: Inbox) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(item.content, policy=email.policy.default) for item in inbox.envelopes]


async def test_the_digest_tells_the_week_once_whatever_the_number_of_jobs(
    engine: Engine, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = services(tmp_path, engine, port)
    seed(engine)
    assert await weekly.send_weekly(svc, now=NOW) is False  # off by default
    await actions.set_weekly(svc, on=True, weekday=2, at="09:30")  # Wednesdays, 09:30 in Paris
    results = await asyncio.gather(weekly.send_weekly(svc, now=NOW), weekly.send_weekly(svc, now=NOW))
    assert True in results
    assert await weekly.send_weekly(svc, now=NOW + timedelta(hours=3)) is False  # later that day: sent already

    (message,) = received(inbox)
    assert message["Subject"] == "Your week: 25 Nov to 01 Dec"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    assert "35 page views (+75% on the week before, 20), 13 visitors." in text
    assert "  blog/posts/a: 30 (+50%)" in text and "  blog/about: 5 (new)" in text and "/today" not in text
    assert "Average reading time 1 min 30 s" in text and "over 4 page views" in text
    assert "  news.example: 3 views" in text and "old.example" not in text
    assert "2 comments received (1 waiting for your approval)." in text  # the owner's own reply left out
    assert "You wrote 2 notes." in text
    assert "Watered 2 times (2 plants)." in text and "  Fern <i>: 3 days late" in text
    assert "  Song A \u2014 Band: 2 plays" in text and "  Song B \u2014 Band: 1 play" in text
    assert "https://acc.example.com/dashboard" in text
    for figure in ("blog/posts/a", "30 (+50%)", "news.example", "You wrote 2 notes.", "Fern &lt;i&gt;", "Song A"):
        assert figure in page
    assert 'style="max-width:600px' in page and 'name="viewport"' in page


async def test_it_goes_out_on_the_chosen_weekday_and_time_only(
    engine: Engine, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = services(tmp_path, engine, port)
    await actions.set_weekly(svc, on=True, weekday=2, at="10:30")
    assert await weekly.send_weekly(svc, now=NOW + timedelta(minutes=29)) is False  # 10:29 in Paris
    assert await weekly.send_weekly(svc, now=NOW - timedelta(days=1, minutes=-45)) is False  # Tuesday 10:45
    assert await weekly.send_weekly(svc, now=NOW + timedelta(minutes=31)) is True  # 10:31
    assert await weekly.send_weekly(svc, now=NOW + timedelta(days=7, minutes=30)) is True  # the next week
    assert len(inbox.envelopes) == 2
    first, second = received(inbox)
    assert "A quiet week: nothing to report." in first.get_body(("plain",)).get_content()  # empty sections left out
    assert "Top pages" not in first.get_body(("plain",)).get_content()
    assert second["Subject"] == "Your week: 02 Dec to 08 Dec"
    await actions.set_weekly(svc, on=False, weekday=2, at="10:30")
    assert await weekly.send_weekly(svc, now=NOW + timedelta(days=14, minutes=30)) is False  # off again


async def test_hostile_paths_and_track_names_are_escaped(
    engine: Engine, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    svc = services(tmp_path, engine, port)
    seed(engine, path="/<script>alert(1)</script>", track='<img src=x onerror="alert(2)">')
    outcomes = await weekly.send_preview(svc, now=NOW)  # the "send it now" button: at once, for this week
    assert outcomes["email"].status == "sent"
    (message,) = received(inbox)
    page = message.get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page and "<img" not in page
    assert "<link" not in page and "<style" not in page and "src=" not in page.replace("img src=x", "")
    assert "<script>alert(1)</script>" in message.get_body(("plain",)).get_content()  # plain text is text
    # The preview does not use up the week: the real digest still goes out on its day.
    await actions.set_weekly(svc, on=True, weekday=2, at="09:00")
    assert await weekly.send_weekly(svc, now=NOW) is True
