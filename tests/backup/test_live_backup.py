"""A backup taken while page views and uploads keep arriving is one moment of the database: its
counts agree with each other and with its rows, and every file its rows name is in it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from accumulator.analytics.actions import ingestor
from accumulator.backup import actions, service
from accumulator.backup.load import check_known_revision
from accumulator.backup.reading import open_verified
from accumulator.runtime import build_services
from tests.backup.conftest import fill, installation, page_view, upload_paste
from tests.conftest import BACKENDS, api_client


def column(opened, table: str, name: str) -> list:
    index = opened.tables[table]["columns"].index(name)
    return [row[index] for row in opened.rows(table)]


# Named `database`, as the shared fixtures name it: without DATABASE_URL the PostgreSQL run is left out.
@pytest.mark.parametrize("database", BACKENDS)
def test_a_backup_under_traffic_is_consistent(database: str, tmp_path, tmp_path_factory) -> None:
    with installation(database, tmp_path_factory) as filled:
        fill(filled)
        svc = build_services(filled.settings, filled.engine)  # a new process: its own writer and loop
        ingestor(svc).flush_interval = 0.001
        stop = threading.Event()
        sent = {"views": 0, "uploads": 0}
        with api_client(svc) as client:
            client.post("/api/auth/login", json={"email": "owner@example.com", "password": "a long owner password"})

            def views() -> None:
                while not stop.is_set():
                    page_view(client, f"/live-{sent['views'] % 13}", f"live-visitor-{sent['views']:06d}")
                    sent["views"] += 1

            def uploads() -> None:
                while not stop.is_set():
                    upload_paste(client, b"x" * (50_000 + sent["uploads"]), name=f"live-{sent['uploads']}.txt")
                    sent["uploads"] += 1

            workers = [threading.Thread(target=views), threading.Thread(target=uploads)]
            for worker in workers:
                worker.start()
            archives = []
            try:
                for round_ in range(3):
                    result = service.take_backup(
                        engine=svc.engine,
                        stores=actions.stores(svc),
                        directory=tmp_path / f"round-{round_}",
                        now=datetime.now(UTC),
                    )
                    archives.append(result.path)
            finally:
                stop.set()
                for worker in workers:
                    worker.join()
        assert sent["views"] > 20 and sent["uploads"] > 2
        previous_views = 0
        for path in archives:
            opened = open_verified(path, check_revision=check_known_revision)  # every count matches its rows
            total = sum(column(opened, "page_stat", "views"))
            assert total == sum(column(opened, "daily_page_stat", "views"))
            assert total == sum(column(opened, "daily_site_stat", "views"))
            assert total >= previous_views
            previous_views = total
            members = set(opened.manifest["members"])
            for file_id in column(opened, "paste_file", "id"):
                assert f"files/pastes/{file_id}" in members
            for photo_id in column(opened, "plant", "photo_id"):
                assert f"files/photos/{photo_id}" in members
            assert len([name for name in members if name.startswith("files/")]) == len(
                column(opened, "paste_file", "id")
            ) + len(column(opened, "plant", "photo_id"))
            opened.close()


def test_a_file_deleted_while_the_backup_runs_leaves_with_its_row(tmp_path, tmp_path_factory) -> None:
    """A paste deleted after the snapshot began loses its file before the backup reads it: the archive
    then leaves out the file's row too (a photo's plant keeps its row, without the photo)."""
    with installation("sqlite", tmp_path_factory) as svc:
        fill(svc)
        paste_file = next(svc.file_store.stored())
        photo = next(svc.photo_store.stored())
        svc.file_store.delete(paste_file)  # as the paste's deletion does, after its commit
        svc.photo_store.delete(photo)
        result = service.take_backup(
            engine=svc.engine, stores=actions.stores(svc), directory=tmp_path, now=datetime.now(UTC)
        )
        assert result.vanished == 2 and "2 files deleted meanwhile" in result.summary()
        opened = open_verified(result.path, check_revision=check_known_revision)
        assert paste_file not in column(opened, "paste_file", "id")
        assert len(column(opened, "paste_file", "id")) == 2
        assert photo not in column(opened, "plant", "photo_id")
        assert len(column(opened, "plant", "id")) == 3
        opened.close()
