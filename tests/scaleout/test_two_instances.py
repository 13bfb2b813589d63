"""Several instances behind one address, on the local PostgreSQL and Redis: a dashboard on one sees
the page views sent to another, presence counts every instance's visitors, jobs run once in total and
move to another instance when the leader stops, files uploaded through one download through another,
and an instance stopped in the middle of a load loses no accepted page view.

Three instances: `first` starts first and leads the jobs, `second` takes over from it, `third` is the
one stopped under load (the issue's "B"). Each is the real app, as `make run` starts it."""

from __future__ import annotations

import contextlib
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import redis
from playwright.sync_api import Browser, expect
from sqlalchemy import func
from sqlmodel import Session, select

from accumulator.analytics.models import PageStat
from accumulator.db import create_db_engine
from tests.conftest import REDIS_URL
from tests.live_server import app_environment, free_port, run_python, serve_app
from tests.spotify.fake_spotify import FakeSpotify, running_fake_spotify

pytestmark = [pytest.mark.redis, pytest.mark.browser, pytest.mark.postgresql]

OWNER, PASSWORD = "owner@example.com", "a long owner password"
NOW_PLAYING = "/v1/me/player/currently-playing"
# Page views from scripts are taken for bots (and not counted): these come from "a browser".
READER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
}


# The instances here share one front-end build, which names the backend by the port of the instance
# that built it last (.web/env.json). Behind one public address a page's socket goes to the address
# that served it; this makes the test's pages do the same, so "a dashboard on `first`" is on `first`.
SAME_ADDRESS_SOCKET = """(() => {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, ...rest) {
      const target = new URL(url, location.href);
      if (target.hostname === location.hostname) target.port = location.port;
      super(target.href, ...rest);
    }
  };
})();"""


@dataclass
class Instance:
    url: str
    log: Path
    stop: contextlib.ExitStack

    def leads(self) -> bool:
        return "became job leader" in self.log.read_text()


@dataclass
class Cluster:
    first: Instance
    second: Instance
    third: Instance
    database: str
    spotify: FakeSpotify


def redis_db(number: int) -> str:
    """The test Redis server, on a database of its own (this cluster's keys never meet the others')."""
    parts = urlsplit(REDIS_URL)
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.fixture(scope="module")
def cluster(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    shared_redis = redis_db(9)
    redis.Redis.from_url(shared_redis).flushdb()
    uploads = tmp_path_factory.mktemp("shared-uploads")
    secret = uuid.uuid4().hex * 2
    with running_fake_spotify() as spotify, contextlib.ExitStack() as everything:
        refresh_token = spotify.issue_refresh_token()
        spotify.play(name="Shared Song")

        def environment(name: str) -> dict[str, str]:
            data_dir = tmp_path_factory.mktemp(f"instance-{name}")
            return app_environment(
                data_dir,
                free_port(),
                DATABASE_URL=database,
                REDIS_URL=shared_redis,
                SECRET_KEY=secret,
                UPLOAD_DIR=str(uploads),
                GRANIAN_WORKERS="1",
                TRUSTED_PROXY_HOPS="1",  # as behind a load balancer: the load below comes from many readers
                SPOTIFY_CLIENT_ID=spotify.client_id,
                SPOTIFY_CLIENT_SECRET=spotify.client_secret,
                SPOTIFY_ACCOUNTS_URL=spotify.url,
                SPOTIFY_API_URL=f"{spotify.url}/v1",
                SPOTIFY_REFRESH_TOKEN=refresh_token,
            )

        owner_env = {**environment("setup"), "ACCUMULATOR_OWNER_PASSWORD": PASSWORD}
        run_python(owner_env, "-m", "alembic", "upgrade", "head", capture_output=True)
        run_python(owner_env, "-m", "accumulator", "create-owner", "--email", OWNER, capture_output=True)

        def start(name: str) -> Instance:
            env = environment(name)
            stop = contextlib.ExitStack()
            url = stop.enter_context(serve_app(env))
            everything.callback(stop.close)
            return Instance(url=url, log=Path(env["DATA_DIR"]) / "app.log", stop=stop)

        first = start("first")
        deadline = time.monotonic() + 20
        while not first.leads():  # the first instance up takes the lead
            assert time.monotonic() < deadline, first.log.read_text()[-2000:]
            time.sleep(0.2)
        yield Cluster(first, start("second"), start("third"), database, spotify)


def event(visitor: str, path: str, kind: str = "pageview") -> dict:
    return {"type": kind, "site": "blog", "path": path, "visitor": visitor}


def test_a_dashboard_on_one_instance_shows_page_views_sent_to_another_within_a_second(
    cluster: Cluster, browser: Browser
) -> None:
    context = browser.new_context(base_url=cluster.first.url)
    context.add_init_script(SAME_ADDRESS_SOCKET)
    try:
        dashboard = context.new_page()
        sockets: list[str] = []
        dashboard.on("websocket", lambda socket: sockets.append(socket.url))
        dashboard.goto("/dashboard")
        expect(dashboard.get_by_role("heading", name="Dashboard")).to_be_visible(timeout=15_000)
        # Loaded (its on_load answered: it follows the changes) and its table fetched.
        expect(dashboard.locator("#pages-table")).not_to_have_attribute("data-version", "-1", timeout=15_000)
        dashboard.wait_for_load_state("networkidle")
        assert sockets and all(url.split("/")[2] == cluster.first.url.split("/")[2] for url in sockets)
        sent = time.monotonic()
        assert (
            httpx.post(
                f"{cluster.second.url}/api/event", json=event("visitor-seen-on-b", "/cross"), headers=READER
            ).status_code
            == 202
        )
        row = dashboard.locator(".page-row[data-path='/cross']")
        expect(row.locator(".cell-views")).to_have_text("1", timeout=1_000)
        assert time.monotonic() - sent < 1.0
    finally:
        context.close()


def test_presence_counts_the_visitors_of_every_instance(cluster: Cluster) -> None:
    httpx.post(f"{cluster.first.url}/api/event", json=event("visitor-on-first", "/together"), headers=READER)
    httpx.post(f"{cluster.second.url}/api/event", json=event("visitor-on-second", "/together"), headers=READER)
    time.sleep(0.3)
    for instance in (cluster.first, cluster.second, cluster.third):
        stats = httpx.get(f"{instance.url}/api/stats", params={"site": "blog", "path": "/together"}).json()
        assert stats["viewing"] == 2 and stats["views"] == 2


def test_a_file_uploaded_through_one_instance_downloads_through_another(cluster: Cluster) -> None:
    data = uuid.uuid4().bytes * 4096
    with httpx.Client(base_url=cluster.first.url) as owner:
        assert owner.post("/api/auth/login", json={"email": OWNER, "password": PASSWORD}).status_code == 200
        upload = owner.post("/api/pastes/uploads", params={"name": "shared.bin"}, content=data).json()
        paste = owner.post(
            "/api/pastes", json={"content": "see file", "visibility": "shared", "files": [upload["id"]]}
        ).json()
    download = httpx.get(f"{cluster.second.url}/p/{paste['slug']}/files/{upload['id']}")
    assert download.status_code == 200 and download.content == data


def test_scheduled_jobs_run_once_in_total(cluster: Cluster) -> None:
    leaders = [instance for instance in (cluster.first, cluster.second, cluster.third) if instance.leads()]
    assert leaders == [cluster.first]
    before = sum(1 for _, path in cluster.spotify.api_calls if path == NOW_PLAYING)
    time.sleep(31)  # three periods of the 10-second now-playing job
    calls = sum(1 for _, path in cluster.spotify.api_calls if path == NOW_PLAYING) - before
    assert 2 <= calls <= 4  # once a period in total; three instances each running it would make about 9


def test_stopping_an_instance_under_load_loses_no_accepted_page_view(cluster: Cluster) -> None:
    accepted = {"third": 0, "first": 0}
    stop_sending = threading.Event()

    def load(name: str, url: str) -> None:
        with httpx.Client(base_url=url, timeout=5, headers=READER) as client:
            n = 0
            while not stop_sending.is_set():
                n += 1
                try:
                    reader = {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}
                    answer = client.post(
                        "/api/event", json=event(f"load-{name}-{n:06d}", "/under-load"), headers=reader
                    )
                except httpx.HTTPError:
                    continue  # the instance is going away: not accepted, nothing to count
                if answer.status_code == 202:
                    accepted[name] += 1
                time.sleep(0.002)

    senders = [
        threading.Thread(target=load, args=("third", cluster.third.url)),
        threading.Thread(target=load, args=("first", cluster.first.url)),
    ]
    for sender in senders:
        sender.start()
    time.sleep(1.5)
    cluster.third.stop.close()  # stopped mid-load (SIGTERM, as an orchestrator does)
    third_total = accepted["third"]
    time.sleep(1.0)
    assert accepted["first"] > 0 and httpx.get(f"{cluster.first.url}/healthz").status_code == 200
    stop_sending.set()
    for sender in senders:
        sender.join()
    assert third_total > 20  # it was stopped while taking page views, not after
    engine = create_db_engine(cluster.database)
    try:
        deadline = time.monotonic() + 5
        while True:
            with Session(engine) as session:
                views = session.exec(
                    select(func.coalesce(func.sum(PageStat.views), 0)).where(PageStat.path == "/under-load")
                ).one()
            if views == sum(accepted.values()) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert views == sum(accepted.values())
    finally:
        engine.dispose()


def test_when_the_leader_stops_another_instance_takes_over_within_the_lock_ttl(cluster: Cluster) -> None:
    stopped = time.monotonic()
    cluster.first.stop.close()
    while not cluster.second.leads():
        assert time.monotonic() - stopped < 15, "nobody took over within the lock's time to live"
        time.sleep(0.2)
    before = sum(1 for _, path in cluster.spotify.api_calls if path == NOW_PLAYING)
    time.sleep(12)
    assert sum(1 for _, path in cluster.spotify.api_calls if path == NOW_PLAYING) > before
    assert re.search(r"became job leader", cluster.second.log.read_text())
