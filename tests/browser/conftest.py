"""The built app, started the way `make run` starts it, and headless Chromium to drive it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.live_server import (
    AppDidNotStart,
    app_environment,
    free_port,
    local_site,
    run_python,
    serve_app,
)
from tests.spotify.fake_spotify import FakeSpotify, running_fake_spotify

OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "a long owner password"
UPLOAD_LIMIT_MB = 2


@dataclass
class LiveApp:
    url: str
    data_dir: Path
    log: Path
    site_url: str  # another local origin, listed in ALLOWED_ORIGINS: "the owner's blog"
    spotify: FakeSpotify  # what the app takes for Spotify


SITE_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>A blog post</title>
<script defer src="{app}/js/tracker.js" data-site="blog"></script></head>
<body><h1>A blog post</h1><button id="like" onclick="accumulator.like()">Like</button></body></html>
"""


# Pages under /comments/ carry the comment widget instead of the tracker.
COMMENTS_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>A post with comments</title></head><body><h1>A post with comments</h1>
<div id="accumulator-comments"></div>
<script defer src="{app}/js/comments.js" data-site="blog"></script></body></html>
"""
# Pages under /framed/ show the comments of /comments/a-post in the hub's frameable page instead.
FRAMED_COMMENTS_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Framed comments</title></head><body>
<iframe id="comments-frame" src="{app}/embed/comments?site=blog&path=/comments/a-post&theme=dark"
 style="width:100%;height:700px;border:0"></iframe></body></html>
"""


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    data_dir = tmp_path_factory.mktemp("live-data")
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def comment_pages(path: str) -> str | None:
        if path.startswith("/framed/"):
            return FRAMED_COMMENTS_PAGE.format(app=url)
        return COMMENTS_PAGE.format(app=url) if path.startswith("/comments/") else None

    with (
        local_site(lambda: SITE_PAGE.format(app=url), comment_pages) as site_url,
        running_fake_spotify() as spotify,
    ):
        env = app_environment(
            data_dir,
            port,
            ALLOWED_ORIGINS=site_url,
            # A small upload limit, so a test can go past it without moving 100 MB.
            MAX_UPLOAD_MB=str(UPLOAD_LIMIT_MB),
            # A form may be sent one second after it opened (3 by default): the tests type fast.
            COMMENTS_MIN_SECONDS="1",
            SPOTIFY_CLIENT_ID=spotify.client_id,
            SPOTIFY_CLIENT_SECRET=spotify.client_secret,
            SPOTIFY_ACCOUNTS_URL=spotify.url,
            SPOTIFY_API_URL=f"{spotify.url}/v1",
        )
        run_python(env, "-m", "alembic", "upgrade", "head", capture_output=True)
        owner_env = {**env, "ACCUMULATOR_OWNER_PASSWORD": OWNER_PASSWORD}
        run_python(owner_env, "-m", "accumulator", "create-owner", "--email", OWNER_EMAIL, capture_output=True)
        try:
            with serve_app(env) as served:
                yield LiveApp(
                    url=served, data_dir=data_dir, log=data_dir / "app.log", site_url=site_url, spotify=spotify
                )
        except AppDidNotStart as error:
            pytest.fail(str(error))


@pytest.fixture
def page(browser: Browser, live_app: LiveApp) -> Iterator[Page]:
    context = browser.new_context(base_url=live_app.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page: Page, *, email: str = OWNER_EMAIL, password: str = OWNER_PASSWORD) -> None:
    """Fill the login form the way a person does; the caller checks where it lands."""
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill(password)
    page.locator("#login-submit").click()
