"""The job runner and its leader lock: alone, on real Redis with several runners, and with Redis gone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from accumulator.jobs import JobRunner, JobSpec, LocalLeadership, RedisLeadership
from tests.conftest import REDIS_URL

UTC = ZoneInfo("UTC")
UNREACHABLE = "redis://127.0.0.1:1/0"


def counting_job(runs: list[str], label: str, *, fail: bool = False) -> JobSpec:
    async def run() -> None:
        runs.append(label)
        if fail:
            raise RuntimeError("the job broke")

    return JobSpec(name="count", run=run, trigger=IntervalTrigger(seconds=0.2))


@contextlib.asynccontextmanager
async def running(runner: JobRunner) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(runner.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def unique_key() -> str:
    return f"test:jobs:leader:{uuid.uuid4().hex}"  # Redis is shared: each test keeps to its own lock


@pytest.fixture
async def leaderships() -> AsyncIterator[Callable[..., RedisLeadership]]:
    """Makes Redis leaderships (one per would-be process) and closes their connections afterwards."""
    made: list[RedisLeadership] = []

    def make(key: str, ttl: float = 0.5) -> RedisLeadership:
        made.append(RedisLeadership(REDIS_URL, key=key, ttl=ttl))
        return made[-1]

    yield make
    for leadership in made:
        await leadership.aclose()


async def test_a_lone_process_runs_its_job_again_and_again_until_stopped() -> None:
    runs: list[str] = []
    runner = JobRunner(LocalLeadership(), [counting_job(runs, "me")], UTC)
    async with running(runner):
        await asyncio.sleep(1.1)
        assert runner.is_leader
    assert len(runs) >= 4
    stopped_at = len(runs)
    await asyncio.sleep(0.5)
    assert len(runs) == stopped_at  # cancelling the runner stopped the scheduler
    assert not runner.is_leader


async def test_a_failing_job_is_logged_and_keeps_its_schedule(caplog: pytest.LogCaptureFixture) -> None:
    runs: list[str] = []
    runner = JobRunner(LocalLeadership(), [counting_job(runs, "me", fail=True)], UTC)
    with caplog.at_level(logging.ERROR, logger="accumulator.jobs"):
        async with running(runner):
            await asyncio.sleep(1.1)
    assert len(runs) >= 4
    failures = [record for record in caplog.records if record.message == "job count failed"]
    assert len(failures) == len(runs)
    assert all(record.exc_info and "the job broke" in str(record.exc_info[1]) for record in failures)


async def test_run_once_runs_a_job_now_leader_or_not_and_knows_only_its_jobs() -> None:
    runs: list[str] = []
    runner = JobRunner(LocalLeadership(), [counting_job(runs, "me")], UTC)
    assert not runner.is_leader  # never started
    await runner.run_once("count")
    assert runs == ["me"]
    with pytest.raises(KeyError):
        await runner.run_once("no-such-job")


def test_job_names_are_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        JobRunner(LocalLeadership(), [counting_job([], "a"), counting_job([], "b")], UTC)


@pytest.mark.redis
async def test_one_process_holds_the_lock_and_renewing_keeps_it(leaderships) -> None:
    key = unique_key()
    one, two = leaderships(key), leaderships(key)
    assert await one.hold() is True
    assert await two.hold() is False
    for _ in range(5):  # 1 s, twice the ttl: renewals keep the lease alive
        await asyncio.sleep(0.2)
        assert await one.hold() is True
        assert await two.hold() is False


@pytest.mark.redis
async def test_only_the_holder_can_release_and_then_the_other_takes_over(leaderships) -> None:
    key = unique_key()
    one, two = leaderships(key, ttl=10), leaderships(key, ttl=10)
    assert await one.hold() is True
    await two.release()  # not ours: the holder's key stays
    assert await two.hold() is False
    assert await one.hold() is True
    await one.release()
    assert await two.hold() is True
    assert await one.hold() is False


@pytest.mark.redis
async def test_a_holder_that_stops_renewing_loses_the_lock_when_the_ttl_passes(leaderships) -> None:
    key = unique_key()
    one, two = leaderships(key), leaderships(key)
    assert await one.hold() is True
    await asyncio.sleep(0.25)
    assert await two.hold() is False  # still within the lease
    await asyncio.sleep(0.35)
    assert await two.hold() is True
    assert await one.hold() is False  # a late renewal does not steal it back


@pytest.mark.redis
async def test_of_two_runners_only_the_leader_runs_jobs_and_the_other_takes_over(leaderships) -> None:
    key = unique_key()
    runs: list[str] = []
    runners = {label: JobRunner(leaderships(key, ttl=0.6), [counting_job(runs, label)], UTC) for label in ("a", "b")}
    async with running(runners["a"]) as task_a, running(runners["b"]) as task_b:
        await asyncio.sleep(1.5)
        assert len(runs) >= 5 and len(set(runs)) == 1  # only one runner's job ran
        leader = runs[0]
        follower = "b" if leader == "a" else "a"
        assert runners[leader].is_leader and not runners[follower].is_leader

        leader_task = task_a if leader == "a" else task_b
        leader_task.cancel()  # the leader shuts down
        with contextlib.suppress(asyncio.CancelledError):
            await leader_task
        await wait_until(lambda: runners[follower].is_leader, timeout=0.6)
        runs.clear()
        await asyncio.sleep(1.0)
        assert len(runs) >= 3 and set(runs) == {follower}


async def test_with_redis_unreachable_nobody_leads_and_the_outage_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    leadership = RedisLeadership(UNREACHABLE, key=unique_key(), ttl=0.5)
    with caplog.at_level(logging.WARNING, logger="accumulator.jobs"):
        started = time.monotonic()
        for _ in range(3):
            assert await leadership.hold() is False
        await leadership.release()
        assert time.monotonic() - started < 1.0  # fails fast, no backing-off retries
    assert [record.levelno for record in caplog.records] == [logging.WARNING]
    await leadership.aclose()


async def test_a_runner_without_redis_runs_no_job() -> None:
    runs: list[str] = []
    leadership = RedisLeadership(UNREACHABLE, key=unique_key(), ttl=0.6)
    runner = JobRunner(leadership, [counting_job(runs, "me")], UTC)
    async with running(runner):
        await asyncio.sleep(0.7)
        assert not runner.is_leader
    assert runs == []
    await leadership.aclose()
