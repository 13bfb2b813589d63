"""The cleanup job as the app schedules it: every 10 minutes, on the job leader, removing expired
pastes and their files from disk."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from accumulator.api import scheduled_jobs
from accumulator.db import utcnow
from accumulator.jobs import JobRunner, LocalLeadership
from accumulator.pastes import service
from accumulator.pastes.models import Paste
from accumulator.runtime import Services
from accumulator.storage import new_file_id


async def test_the_scheduled_cleanup_removes_expired_pastes_and_their_files(
    services: Services, session: Session
) -> None:
    store = services.file_store

    async def one_chunk():
        yield b"expired attachment"

    file_id = new_file_id()
    size = await store.save(file_id, one_chunk(), limit=1000)
    long_ago = utcnow() - timedelta(days=2)
    service.stage_upload(
        session=session, file_id=file_id, name="a.txt", content_type="text/plain", size=size, now=long_ago
    )
    data = service.parse_input({"content": "old", "expiry": "1h", "files": [file_id]})
    expired = service.create_paste(session=session, data=data, now=long_ago)
    lasting = service.create_paste(session=session, data=service.parse_input({"content": "new"}), now=utcnow())
    session.commit()

    jobs = {job.name: job for job in scheduled_jobs(services)}
    assert jobs["paste-cleanup"].trigger.interval == timedelta(minutes=10)
    await JobRunner(LocalLeadership(), list(jobs.values()), services.settings.zone).run_once("paste-cleanup")

    assert session.exec(select(Paste.id)).all() == [lasting.id]
    assert expired.id != lasting.id
    assert not store.path(file_id).exists()
