"""Time left and time ago as the owner reads them, on a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accumulator.pastes.service import expires_at
from accumulator.timefmt import ago_text, left_text

NOW = datetime(2026, 11, 27, 14, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expiry", "text"),
    [("10m", "10 minutes"), ("1h", "1 hour"), ("1d", "1 day"), ("1w", "7 days"), ("1mo", "30 days")],
)
def test_it_says_the_chosen_lifetime_right_after_it_is_chosen(expiry: str, text: str) -> None:
    until = expires_at(expiry, NOW)
    assert until is not None
    for later in (timedelta(0), timedelta(seconds=1), timedelta(seconds=20)):
        assert left_text(until, NOW + later) == text


def test_a_day_an_hour_on_has_23_hours_left_while_the_seconds_tick() -> None:
    until = expires_at("1d", NOW)
    assert until is not None
    for later in (timedelta(hours=1), timedelta(hours=1, seconds=1), timedelta(hours=1, minutes=10)):
        assert left_text(until, NOW + later) == "23 hours"


def test_a_week_a_day_on_has_6_days_left() -> None:
    until = expires_at("1w", NOW)
    assert until is not None
    assert left_text(until, NOW + timedelta(days=1, seconds=5)) == "6 days"


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (timedelta(hours=23, minutes=50), "1 day"),  # 24 hours, rounded, is a day
        (timedelta(hours=20), "20 hours"),
        (timedelta(hours=1, minutes=29), "1 hour"),
        (timedelta(hours=1, minutes=30), "2 hours"),  # halves go up
        (timedelta(days=2, hours=12), "3 days"),
        (timedelta(minutes=59, seconds=40), "1 hour"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(seconds=45), "1 minute"),
        (timedelta(seconds=20), "less than a minute"),
        (timedelta(0), "no time"),
        (timedelta(seconds=-5), "no time"),
    ],
)
def test_it_rounds_to_the_nearest_of_the_largest_unit(left: timedelta, text: str) -> None:
    assert left_text(NOW + left, NOW) == text


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=30), "just now"),
        (timedelta(minutes=5), "5 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(days=3, hours=23), "3 days ago"),
    ],
)
def test_time_ago_still_counts_whole_units(ago: timedelta, text: str) -> None:
    assert ago_text(NOW - ago, NOW) == text
