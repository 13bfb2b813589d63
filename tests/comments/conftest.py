"""What the comment and contact tests share: settings with the owner's blog in ALLOWED_ORIGINS, a
way to post as the widget does (with a form opened long enough ago), and the real local SMTP
server of the plant tests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from accumulator.comments import spam
from accumulator.db import utcnow
from accumulator.runtime import Services
from accumulator.settings import Settings, load_settings
from tests.plants.test_mail import smtp as smtp

BLOG = "https://blog.example.com"
PAGE = {"site": "blog", "path": "/posts/hello"}


@pytest.fixture
def settings(tmp_path: Path, database: str) -> Settings:
    return load_settings(
        {
            "DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": database,
            "ALLOWED_ORIGINS": BLOG,
            "TRUSTED_PROXY_HOPS": "1",
        }
    )


def opened_stamp(svc: Services, seconds_ago: float = 30) -> str:
    """The stamp a form opened `seconds_ago` carries (as GET /api/comments hands it out)."""
    return spam.form_stamp(svc.settings.secret_key, utcnow() - timedelta(seconds=seconds_ago))


def post_comment(client: TestClient, svc: Services, *, ip: str = "", **fields: Any) -> httpx.Response:
    body = {**PAGE, "text": "A fine post.", "stamp": opened_stamp(svc), **fields}
    headers = {"Origin": BLOG}
    if ip:
        headers["X-Forwarded-For"] = ip
    return client.post("/api/comments", json=body, headers=headers)


def readers_see(client: TestClient, **page: str) -> list[dict]:
    answer = client.get("/api/comments", params=page or PAGE, headers={"Origin": BLOG})
    assert answer.status_code == 200
    return answer.json()["comments"]
