"""Tokens made the way the owner makes them (the page's action), and a client of the HTTP API."""

from __future__ import annotations

import asyncio

import pytest

from accumulator.runtime import Services
from accumulator.tokens import actions


def make_token(svc: Services, scope: str = "write", name: str = "test", expires_days: int | None = None) -> str:
    return asyncio.run(actions.create_token(svc, name=name, scope=scope, expires_days=expires_days))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def write_token(services: Services) -> dict[str, str]:
    return bearer(make_token(services, "write", "script"))


@pytest.fixture
def read_token(services: Services) -> dict[str, str]:
    return bearer(make_token(services, "read", "dashboard"))
