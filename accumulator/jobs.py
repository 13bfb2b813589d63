"""Scheduled work shared by every feature, and the lock that lets only one process run it.

Every backend process starts a `JobRunner`: the scheduler fires everywhere, but a job's body runs only
in the process that holds the job-leader lock. Alone, a process is always the leader; with `REDIS_URL`
the lock is a Redis key that the leader renews and that expires if it dies. Jobs stay idempotent all
the same: a leader that stalls past its lease may finish a run its successor also starts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

log = logging.getLogger(__name__)

# A run may start this late (event loop busy, machine asleep) and still happen; coalesce=True makes
# a backlog of missed runs one run. Beyond this, the next regular time is soon enough.
MISFIRE_GRACE = 60


@dataclass(frozen=True)
class JobSpec:
    name: str
    run: Callable[[], Awaitable[object]]
    trigger: BaseTrigger


class Leadership(Protocol):
    ttl: float  # seconds a lease lasts; the runner renews it three times as often

    async def hold(self) -> bool:
        """Take the lock if it is free, renew it if it is ours; True if this process leads now. Never raises."""
        ...

    async def release(self) -> None: ...


class LocalLeadership:
    """One process and nobody to share with: always the leader."""

    ttl = 5.0

    async def hold(self) -> bool:
        return True

    async def release(self) -> None:
        return None


# One round trip, atomic: renew if the lock is ours, take it if nobody holds it, else leave it.
_HOLD = """
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2]); return 1
elseif not current then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]); return 1
end
return 0"""

# Only the holder may delete: a process whose lease ran out must not free its successor's lock.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0"""


class RedisLeadership:
    """A lease on a Redis key (`SET NX PX` semantics), shared by every process that names the same key.

    The key's value says who holds it (host, pid, random part), so `GET` on it answers "who is leader".
    Redis being down means nobody can prove they lead: `hold` says False, and warns once per outage."""

    def __init__(self, url: str, key: str = "accumulator:jobs:leader", ttl: float = 15.0) -> None:
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self.key = key
        self.ttl = ttl
        self.holder_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(8)}"
        # A call must end well within the lease, so no long timeouts and no backing-off retries (the
        # client's default sleeps seconds): one immediate retry covers a pooled connection gone stale.
        timeout = max(ttl / 3, 0.1)
        self._redis = aioredis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
        )
        self._hold = self._redis.register_script(_HOLD)
        self._release = self._redis.register_script(_RELEASE)
        self._unreachable = False

    async def hold(self) -> bool:
        try:
            held = await self._hold(keys=[self.key], args=[self.holder_id, max(int(self.ttl * 1000), 1)])
        except Exception as exc:  # any failure of Redis or the network: not leader, and try again next tick
            self._report_outage(exc)
            return False
        if self._unreachable:
            self._unreachable = False
            log.info("job leader lock: Redis reachable again")
        return bool(held)

    async def release(self) -> None:
        try:
            await self._release(keys=[self.key], args=[self.holder_id])
        except Exception as exc:  # the lease expires by itself
            self._report_outage(exc)

    async def aclose(self) -> None:
        await self._redis.aclose()

    def _report_outage(self, exc: Exception) -> None:
        if not self._unreachable:
            self._unreachable = True
            log.warning("job leader lock: Redis unavailable (%s); no jobs run here until it is back", exc)


def create_leadership(redis_url: str | None) -> Leadership:
    return RedisLeadership(redis_url) if redis_url else LocalLeadership()


class JobRunner:
    """Schedules every job in this process and runs their bodies only while this process leads."""

    def __init__(self, leadership: Leadership, jobs: Sequence[JobSpec], timezone: ZoneInfo) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.leadership = leadership
        self.jobs = {job.name: job for job in jobs}
        self.timezone = timezone
        self._leader = False
        self._lease_until = 0.0  # monotonic time the last confirmed lease runs out

    @property
    def is_leader(self) -> bool:
        # A renewal that hangs must not leave us believing we lead after the lease could have passed
        # to someone else, so the answer also runs out with the lease.
        return self._leader and time.monotonic() < self._lease_until

    async def run(self) -> None:
        """Schedule the jobs and keep the lease until cancelled; then stop and free the lock."""
        scheduler = AsyncIOScheduler(timezone=self.timezone)
        for job in self.jobs.values():
            scheduler.add_job(
                self._guarded(job),
                job.trigger,
                id=job.name,
                name=job.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=MISFIRE_GRACE,
            )
        scheduler.start()
        try:
            while True:
                await self._renew()
                await asyncio.sleep(self.leadership.ttl / 3)
        finally:
            scheduler.shutdown(wait=False)  # also cancels job runs in progress
            self._leader = False
            await self.leadership.release()

    async def run_once(self, name: str) -> None:
        """Run one job now, leader or not; its exception, if any, reaches the caller."""
        await self.jobs[name].run()

    async def _renew(self) -> None:
        started = time.monotonic()
        try:
            leader = await self.leadership.hold()
        except Exception:  # the protocol says hold never raises; if one does, keep the runner alive
            log.exception("job leader lock failed")
            leader = False
        if leader:
            self._lease_until = started + self.leadership.ttl
        if leader != self._leader:
            log.info("became job leader" if leader else "lost job leadership")
        self._leader = leader

    def _guarded(self, job: JobSpec) -> Callable[[], Awaitable[None]]:
        async def run_if_leader() -> None:
            if not self.is_leader:
                return
            try:
                await job.run()
            except Exception:  # one failed run must not stop this job's schedule or any other's
                log.exception("job %s failed", job.name)

        return run_if_leader
