"""Many wrong passwords at once from one address: the attempt is reserved before the slow password
check, so at most five are ever checked in a window, whatever the concurrency, with this process's
limiter and with the one shared through Redis. The owner's right password works again after it."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter

import httpx
import pytest
from sqlmodel import Session

from accumulator.api import create_api
from accumulator.auth import service
from accumulator.ratelimit import Limiter, LocalLimiter, RedisLimiter
from accumulator.realtime import RedisOutage
from accumulator.runtime import LOGIN_FAILURES, Services

EMAIL, PASSWORD = "owner@example.com", "correct horse battery"
ATTACKER = ("198.51.100.7", 40000)
LIMITERS = ["local", pytest.param("redis", marks=pytest.mark.redis)]


@pytest.fixture(autouse=True)
def owner(session: Session) -> None:
    service.set_owner(session=session, email=EMAIL, password=PASSWORD)
    session.commit()


def make_limiter(kind: str, window: float) -> Limiter:
    if kind == "local":
        return LocalLimiter(limit=LOGIN_FAILURES, window=window)
    name = f"login-race-{uuid.uuid4().hex[:8]}"  # a window of its own, whatever else uses this Redis
    return RedisLimiter(os.environ["REDIS_URL"], name=name, limit=LOGIN_FAILURES, window=window, outage=RedisOutage())


def client_for(services: Services) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_api(services), client=ATTACKER)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def login(client: httpx.AsyncClient, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": EMAIL, "password": password})


async def burst(client: httpx.AsyncClient, count: int) -> Counter[int]:
    answers = await asyncio.gather(*(login(client, f"wrong password {number}") for number in range(count)))
    for answer in answers:
        if answer.status_code == 429:
            assert 1 <= int(answer.headers["retry-after"]) <= 60
            assert "Too many failed attempts" in answer.json()["error"]
            assert "set-cookie" not in answer.headers
    return Counter(answer.status_code for answer in answers)


@pytest.mark.parametrize("kind", LIMITERS)
async def test_forty_wrong_passwords_at_once_get_at_most_five_checks(services: Services, kind: str) -> None:
    services.login_failures = make_limiter(kind, window=60.0)
    async with client_for(services) as client:
        statuses = await burst(client, 40)
        assert statuses[401] <= LOGIN_FAILURES and statuses[401] + statuses[429] == 40
        assert statuses[429] >= 40 - LOGIN_FAILURES
        # The right password is refused too while the address is locked.
        assert (await login(client, PASSWORD)).status_code == 429
    if isinstance(services.login_failures, RedisLimiter):
        assert not services.login_failures.outage.down  # counted in Redis, not in this process


@pytest.mark.parametrize("kind", LIMITERS)
async def test_the_right_password_works_again_after_the_window(services: Services, kind: str) -> None:
    services.login_failures = make_limiter(kind, window=5.0)
    async with client_for(services) as client:
        statuses = await burst(client, 60)
        assert statuses[401] <= LOGIN_FAILURES and statuses[429] >= 60 - LOGIN_FAILURES
        right = await login(client, PASSWORD)
        if right.status_code == 429:  # still within the window: wait as long as the answer says
            await asyncio.sleep(int(right.headers["retry-after"]) + 0.2)
            right = await login(client, PASSWORD)
        assert right.status_code == 200 and "acc_session=" in right.headers["set-cookie"]
        # A success gives the address its full allowance back.
        statuses = await burst(client, 10)
        assert statuses[401] == LOGIN_FAILURES and statuses[429] == 10 - LOGIN_FAILURES
