"""`?before=` is typed by anyone: moments at the very ends of the calendar (0001-01-01, 9999-12-31,
with any offset) give a page, never an overflow. Far in the past there is nothing older; far in the
future is the same as now. The owner's day view takes any day the same way."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from accumulator.notes import service
from accumulator.notes.models import Workspace

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
# West of UTC, east of UTC by the most any zone is, and UTC itself.
ZONES = [ZoneInfo("America/New_York"), ZoneInfo("Pacific/Kiritimati"), ZoneInfo("UTC")]
FAR_PAST = ["0001-01-01", "0001-01-01T00:00:00+23:59", "0001-01-01T00:00:00-23:59", "1000-06-01T12:00:00"]
FAR_FUTURE = ["9999-12-31", "9999-12-31T23:59:59.999999-23:59", "9999-12-31T23:59:59+23:59", "3000-01-01"]


@pytest.fixture
def workspace(session: Session) -> Workspace:
    created = service.create_workspace(session=session, title="Journal", is_public=True)
    for days in (0, 1, 45):
        service.add_note(session=session, workspace_id=created.id, text=f"{days} days ago", now=NOW - timedelta(days))
    session.commit()
    return created


def aware(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def texts(page: service.PublicPage) -> list[str]:
    return [note.text for group in page.days for note in group.notes]


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize("raw", FAR_PAST)
def test_a_moment_far_in_the_past_gives_an_empty_page_with_nothing_older(
    session: Session, workspace: Workspace, zone: ZoneInfo, raw: str
) -> None:
    before = service.parse_before(raw)
    page = service.public_page(session=session, workspace_id=workspace.id, zone=zone, now=NOW, before=before)
    assert page.days == [] and page.older_before is None
    # The service copes without the parser's help too (a caller may pass any aware moment).
    page = service.public_page(session=session, workspace_id=workspace.id, zone=zone, now=NOW, before=aware(raw))
    assert page.days == [] and page.older_before is None


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize("raw", FAR_FUTURE)
def test_a_moment_far_in_the_future_is_the_same_as_now(
    session: Session, workspace: Workspace, zone: ZoneInfo, raw: str
) -> None:
    latest = service.public_page(session=session, workspace_id=workspace.id, zone=zone, now=NOW)
    for before in (service.parse_before(raw), aware(raw)):
        page = service.public_page(session=session, workspace_id=workspace.id, zone=zone, now=NOW, before=before)
        assert texts(page) == texts(latest) == ["0 days ago", "1 days ago"]
        assert page.older_before is not None  # the note of 45 days ago is on the next page


@pytest.mark.parametrize("raw", ["", None, "yesterday", "2026-13-01", "2026-11-27T25:00", "9" * 5000, "\x00"])
def test_text_that_is_not_a_moment_means_no_before(raw: str | None) -> None:
    assert service.parse_before(raw) is None


def test_a_readable_moment_is_kept_and_a_naive_one_is_taken_as_utc() -> None:
    assert service.parse_before("2026-11-01T10:00:00+01:00") == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    assert service.parse_before("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize("day", [date.min, date(1, 1, 2), date(1899, 12, 31), date(9999, 12, 31), date.max])
@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_the_owners_day_view_takes_any_day(session: Session, workspace: Workspace, day: date, zone: ZoneInfo) -> None:
    page = service.notes_by_day(session=session, workspace_id=workspace.id, zone=zone, now=NOW, through=day)
    assert page.days == []
    if day < NOW.date():
        assert page.older_from is None  # nothing is older than the start of the calendar
