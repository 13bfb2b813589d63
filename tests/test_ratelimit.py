"""The sliding window: the limit per key, the wait it reports, and memory that stays bounded."""

from __future__ import annotations

import pytest

from accumulator.ratelimit import SlidingWindowLimiter


def test_it_allows_the_limit_then_says_how_long_to_wait() -> None:
    limiter = SlidingWindowLimiter(limit=3, window=10.0)
    for second in (0.0, 1.0, 2.0):
        assert limiter.retry_after("a", second) == 0
        limiter.hit("a", second)
    assert limiter.retry_after("a", 2.5) == 7.5  # the first hit leaves the window at 10.0
    assert limiter.retry_after("b", 2.5) == 0  # other keys are not affected
    assert limiter.retry_after("a", 10.01) == 0


def test_keys_with_nothing_left_in_the_window_are_forgotten() -> None:
    limiter = SlidingWindowLimiter(limit=30, window=1.0)
    for number in range(10_000):  # a flood of distinct addresses, 1,000 a second
        limiter.hit(f"10.0.{number // 256}.{number % 256}", number / 1000)
    # Only about one window's worth of keys is kept, not all 10,000.
    assert len(limiter) <= 1_100


def test_take_counts_a_hit_only_when_one_is_allowed() -> None:
    limiter = SlidingWindowLimiter(limit=2, window=10.0)
    assert [limiter.take("a", second) for second in (0.0, 1.0)] == [0.0, 0.0]
    assert limiter.take("a", 4.0) == 6.0  # refused: and not counted, so the wait does not grow
    assert limiter.take("a", 4.0) == 6.0
    assert limiter.take("b", 4.0) == 0.0
    assert limiter.take("a", 10.5) == 0.0  # the first hit left the window
    assert limiter.take("a", 10.6) == pytest.approx(0.4)  # the second leaves it at 11.0
