"""The backups page's state: thin, owner only; what it shows comes from reads.py."""

from __future__ import annotations

from accumulator.backup import reads
from accumulator.backup.reads import RunRow
from accumulator.runtime import get_services
from accumulator.ui.access import owner
from accumulator.ui.owner import OwnerState

__all__ = ["BackupsState", "RunRow"]


class BackupsState(OwnerState):
    schedule: str = ""
    next_run: str = ""
    runs: list[RunRow] = []

    @owner
    async def load_backups(self):
        found = await reads.overview(get_services())
        self.schedule, self.next_run, self.runs = found.schedule, found.next_run, found.runs
