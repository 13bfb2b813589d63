"""The traffic alert's "N times the usual for this hour": the same hour's average over the last 7 or
14 days (days without views count as 0), never below the owner's floor, with a frozen clock on both
databases; the absolute threshold still works beside it, and an hour is told once whichever rule."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from accumulator.notify import actions, traffic
from accumulator.notify.service import NotifyError
from tests.notify.helpers import NOW, add_apprise, services
from tests.notify.servers import Receiver
from tests.notify.test_alerts import views

HOUR = NOW.replace(minute=0)  # 10:00 in Paris
LATER = NOW + timedelta(minutes=20)


def history(engine: Engine, per_day: list[int], *, hour_offset: int = 0) -> None:
    """`per_day[0]` views at this hour yesterday, `per_day[1]` the day before, and so on."""
    for back, count in enumerate(per_day, start=1):
        if count:
            views(engine, HOUR - timedelta(days=back, hours=hour_offset), count)


async def test_it_alerts_at_three_times_the_usual_for_the_hour(
    engine: Engine, tmp_path: Path, webhook: Receiver
) -> None:
    svc = services(tmp_path, engine)
    add_apprise(engine, "Hook", f"json://127.0.0.1:{webhook.port}/hook")
    history(engine, [10, 10, 10, 10, 10, 10, 10, 500])  # the 8th day back is outside the 7 days
    history(engine, [400] * 7, hour_offset=2)  # another hour of the day: not this hour's usual
    await actions.set_spike_usual(svc, factor=3, floor=20, days=7)
    views(engine, HOUR, 29)
    assert await traffic.check_traffic(svc, now=LATER) == 0  # usual 10: 30 makes a spike, 29 does not
    views(engine, HOUR, 1, site="www")  # every site counts: 30
    assert await traffic.check_traffic(svc, now=LATER) == 1
    assert await traffic.check_traffic(svc, now=LATER + timedelta(minutes=5)) == 1  # the same hour's alert…
    (message,) = webhook.to("/hook")  # …is sent once
    assert message["title"] == "Traffic spike: 30 page views since 10:00"
    assert (
        "3 times or more the usual 10.0 for this hour (the average of the last 7 days; threshold 30)"
        in message["message"]
    )


async def test_the_floor_keeps_a_quiet_site_quiet(engine: Engine, tmp_path: Path) -> None:
    svc = services(tmp_path, engine)
    history(engine, [2] * 7)
    views(engine, HOUR, 6)  # three times 2: under the floor of 20
    await actions.set_spike_usual(svc, factor=3, floor=20, days=7)
    assert await traffic.check_traffic(svc, now=LATER) == 0
    views(engine, HOUR, 14, site="www")  # 20 reaches the floor
    assert await traffic.check_traffic(svc, now=LATER) == 1


async def test_fourteen_days_average_over_fourteen(engine: Engine, tmp_path: Path) -> None:
    svc = services(tmp_path, engine)
    history(engine, [20] * 7)  # 140 over 14 days: a usual of 10 (over 7 it would be 20)
    views(engine, HOUR, 30)
    await actions.set_spike_usual(svc, factor=3, floor=0, days=7)
    assert await traffic.check_traffic(svc, now=LATER) == 0  # 30 < 3 times 20
    await actions.set_spike_usual(svc, factor=3, floor=0, days=14)
    assert await traffic.check_traffic(svc, now=LATER) == 1


async def test_the_absolute_threshold_still_works_and_bad_settings_are_refused(engine: Engine, tmp_path: Path) -> None:
    svc = services(tmp_path, engine)
    history(engine, [100] * 7)
    views(engine, HOUR, 150)
    await actions.set_spike_usual(svc, factor=3, floor=20, days=7)
    assert await traffic.check_traffic(svc, now=LATER) == 0
    await actions.set_spike(svc, views=150)
    assert await traffic.check_traffic(svc, now=LATER) == 1
    for factor, floor, days in ((0.5, 20, 7), (3, -1, 7), (3, 20, 10), (1000, 20, 7)):
        with pytest.raises(NotifyError):
            await actions.set_spike_usual(svc, factor=factor, floor=floor, days=days)
