"""The API's documentation page, opened in a real browser: it renders every operation of the
description from the app's own files, with nothing fetched from elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from accumulator.apiv1.manifest import OPERATIONS
from tests.conftest import alembic_upgrade
from tests.live_server import app_environment, free_port, serve_backend

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir: Path = tmp_path_factory.mktemp("docs-app")
    database = f"sqlite:///{data_dir / 'app.db'}"
    alembic_upgrade(database)
    with serve_backend(app_environment(data_dir, free_port(), DATABASE_URL=database)) as url:
        yield url


def test_the_docs_page_shows_every_operation_with_its_answers(browser: Browser, app_url: str) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{app_url}/api/v1/docs")
    page.wait_for_selector("details.op")
    assert page.locator("details.op").count() == len(OPERATIONS)
    quick_capture = page.locator("details#createNote")
    quick_capture.locator("summary").click()
    assert "Quick capture" in quick_capture.inner_text() and "201" in quick_capture.inner_text()
    assert "workspace" in quick_capture.inner_text()
    assert errors == []
    assert all(url.startswith(app_url) for url in requests), requests
    page.close()
