"""The slower beat of a dashboard's breakdowns and charts: a lone change shows at once, a burst
moves them at most once an interval, and its last change is shown when the interval is over."""

from __future__ import annotations

from accumulator.analytics.cadence import Cadence


def test_a_lone_change_moves_at_once_and_a_burst_once_an_interval_then_its_end() -> None:
    now = [100.0]
    cadence = Cadence(2.0, clock=lambda: now[0])
    cadence.changed()
    assert cadence.epoch == 1 and not cadence.due()  # the first change after a quiet time: at once
    for _ in range(10):  # a burst within the interval: kept for later
        now[0] += 0.1
        cadence.changed()
    assert cadence.epoch == 1 and not cadence.due()
    now[0] = 102.0
    assert cadence.due()  # the interval is over: the burst's last change is to be shown
    cadence.renew()
    assert cadence.epoch == 2 and not cadence.due()
    now[0] = 110.0
    assert not cadence.due()  # nothing changed since
    cadence.changed()
    assert cadence.epoch == 3
