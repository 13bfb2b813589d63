"""The notifications page's state: thin, owner only; rules in service.py/config.py, reads in reads.py."""

from __future__ import annotations

from typing import Annotated

import reflex as rx

from accumulator.inputs import whole_number
from accumulator.notify import actions, reads, weekly
from accumulator.notify.channels.apprise_url import URL_MAX
from accumulator.notify.reads import AttemptRow, ChannelRow, RouteRow
from accumulator.notify.service import NotifyError
from accumulator.runtime import get_services
from accumulator.ui.access import MaxLength, owner
from accumulator.ui.owner import OwnerState

__all__ = ["AttemptRow", "ChannelRow", "NotificationsState", "RouteRow"]

ChannelForm = Annotated[dict, MaxLength(URL_MAX)]
Key = Annotated[str, MaxLength(40)]


class NotificationsState(OwnerState):
    channels: list[ChannelRow] = []
    routes: list[RouteRow] = []
    recent: list[AttemptRow] = []
    quiet_start: str = ""
    quiet_end: str = ""
    spike_views: str = "0"
    spike_factor: str = "0"
    spike_floor: str = "20"
    spike_days: str = "7"
    weekly_on: bool = False
    weekly_weekday: str = "0"
    weekly_time: str = "08:00"
    error: str = ""

    async def _load(self) -> None:
        found = await reads.overview(get_services())
        self.channels, self.routes, self.recent = found.channels, found.routes, found.recent
        self.quiet_start, self.quiet_end = found.quiet_start, found.quiet_end
        self.spike_views = str(found.spike_views)
        self.spike_factor, self.spike_floor = f"{found.spike_factor:g}", str(found.spike_floor)
        self.spike_days, self.weekly_on = str(found.spike_days), found.weekly_on
        self.weekly_weekday, self.weekly_time = str(found.weekly_weekday), found.weekly_time

    async def _change(self, change) -> bool:
        try:
            await change
        except NotifyError as exc:
            self.error = str(exc)
            return False
        self.error = ""
        await self._load()
        return True

    @owner
    async def load_notifications(self):
        self.error = ""
        await self._load()

    @owner
    async def add_channel(self, form: ChannelForm):
        """The form's name and Apprise URL; the URL is stored and never sent back to the page."""
        added = await self._change(
            actions.add_channel(get_services(), name=str(form.get("name") or ""), url=str(form.get("url") or ""))
        )
        return rx.toast.success("Channel added: send a test to check it.") if added else None

    @owner
    async def remove_channel(self, channel_id: int):
        await self._change(actions.remove_channel(get_services(), channel_id=channel_id))

    @owner
    async def send_test(self, channel: Key):
        outcome = await actions.send_test(get_services(), channel=channel)
        await self._load()
        if outcome.status == "sent":
            return rx.toast.success("Test sent.")
        if outcome.status == "retrying":
            return rx.toast.warning(f"Not sent yet, will retry: {outcome.error}")
        return rx.toast.error(f"Not sent: {outcome.error}")

    @owner
    async def set_route(self, kind: Key, channel: Key, enabled: bool):
        await self._change(actions.set_route(get_services(), kind=kind, channel=channel, enabled=enabled))

    @owner
    async def save_quiet_hours(self, form: dict):
        saved = await self._change(
            actions.set_quiet_hours(get_services(), start=str(form.get("start") or ""), end=str(form.get("end") or ""))
        )
        return rx.toast.success("Quiet hours saved.") if saved else None

    @owner
    async def save_spike(self, form: dict):
        views = whole_number(str(form.get("views") or "0").strip() or "0", max_digits=8)
        if views is None:
            self.error = "The threshold must be a whole number of page views (0: off)."
            return None
        saved = await self._change(actions.set_spike(get_services(), views=views))
        return rx.toast.success("Traffic alert saved.") if saved else None

    @owner
    async def set_spike_days(self, value: Key):
        self.spike_days = "14" if value == "14" else "7"

    @owner
    async def set_weekly_weekday(self, value: Key):
        self.weekly_weekday = value if value in tuple("0123456") else "0"

    @owner
    async def save_spike_usual(self, form: dict):
        factor = multiple(str(form.get("factor") or "0"))
        floor = whole_number(str(form.get("floor") or "0").strip() or "0", max_digits=8)
        days = whole_number(str(form.get("days") or "7").strip(), max_digits=2)
        if factor is None or floor is None or days is None:
            self.error = "The multiple is a number like 3 or 2.5 (0: off); the floor a whole number of page views."
            return None
        saved = await self._change(actions.set_spike_usual(get_services(), factor=factor, floor=floor, days=days))
        return rx.toast.success("Traffic alert saved.") if saved else None

    @owner
    async def save_weekly(self, form: dict):
        weekday = whole_number(str(form.get("weekday") or "0").strip(), max_digits=1)
        if weekday is None:
            self.error = "Choose a day of the week."
            return None
        on = form.get("on") in (True, "on", "true")
        at = str(form.get("time") or "")
        saved = await self._change(actions.set_weekly(get_services(), on=on, weekday=weekday, at=at))
        return rx.toast.success("Weekly digest saved.") if saved else None

    @owner
    async def send_weekly_now(self):
        outcomes = await weekly.send_preview(get_services())
        await self._load()
        if not outcomes:
            return rx.toast.error("No channel takes the weekly digest (see the table above).")
        failed = {channel: o.error for channel, o in outcomes.items() if o.status not in ("sent", "retrying")}
        if failed:
            return rx.toast.error("Not sent on " + ", ".join(f"{c}: {e}" for c, e in failed.items()))
        return rx.toast.success("This week's digest is on its way.")


def multiple(raw: str) -> float | None:
    """'3', '2.5' or '0': a finite number of at most 6 characters, else None."""
    raw = raw.strip()
    whole, _, tenths = raw.partition(".")
    if not raw or len(raw) > 6 or not (whole + tenths).isascii() or not (whole + tenths).isdigit():
        return None
    return float(raw)
