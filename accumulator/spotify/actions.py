"""The only way the Spotify connection and its cached data change: the connect flow, disconnecting,
and the polls the job leader runs. Changes are announced as SpotifyChanged on SPOTIFY_TOPIC."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from accumulator.db import utcnow
from accumulator.runtime import Services, Topic, in_transaction, publish
from accumulator.spotify import history, history_import, service
from accumulator.spotify.history_sync import HistorySync
from accumulator.spotify.sync import SpotifySync


@dataclass(frozen=True)
class SpotifyChanged:
    what: str  # "now_playing", "top", "connection" or "history"


SPOTIFY_TOPIC = Topic("update:spotify", SpotifyChanged)


def sync(svc: Services) -> SpotifySync:
    """This process's one Spotify client (built on first use)."""

    async def announce(what: str) -> None:
        await publish(svc, SPOTIFY_TOPIC, SpotifyChanged(what=what))

    return svc.component("spotify", lambda: SpotifySync(settings=svc.settings, engine=svc.engine, announce=announce))


async def connect(svc: Services, *, code: str, redirect_uri: str) -> None:
    await sync(svc).connect(code=code, redirect_uri=redirect_uri)


async def disconnect(svc: Services) -> None:
    """Forget the connection and everything cached from it."""
    await in_transaction(svc, service.disconnect)
    await publish(svc, SPOTIFY_TOPIC, SpotifyChanged(what="connection"))


def history_sync(svc: Services) -> HistorySync:
    return svc.component("spotify-history", lambda: HistorySync(sync(svc)))


async def poll_now_playing(svc: Services) -> None:
    """Every 10 s: what plays now, and the play it is recorded in the history."""
    await sync(svc).poll_now_playing()
    if await history_sync(svc).record_now_playing():
        await publish(svc, SPOTIFY_TOPIC, SpotifyChanged(what="history"))


async def sync_recent(svc: Services) -> None:
    """Every few minutes and soon after start: recently-played into the history (fills gaps)."""
    if await history_sync(svc).sync_recent():
        await publish(svc, SPOTIFY_TOPIC, SpotifyChanged(what="history"))


async def import_history(svc: Services, *, files: list[tuple[str, bytes]]) -> history_import.ImportReport:
    """The owner's export files, all in one transaction (all of it, or nothing on an error)."""
    report = await in_transaction(svc, history_import.import_files, files=files, zone=svc.settings.zone)
    if report.added:
        await publish(svc, SPOTIFY_TOPIC, SpotifyChanged(what="history"))
    return report


async def record_scrobbles(svc: Services, *, plays: list[history.PlayIn]) -> int:
    """Plays another player reported (ListenBrainz submissions), in one transaction; returns how
    many were new (a play already in the history, from Spotify or sent twice, is not added again)."""

    def record(session: Session) -> int:
        return history.record_plays(session, plays=plays, zone=svc.settings.zone, now=utcnow()).added

    added = await in_transaction(svc, record)
    if added:
        await publish(svc, SPOTIFY_TOPIC, SpotifyChanged(what="history"))
    return added


async def poll_top_lists(svc: Services) -> None:
    await sync(svc).poll_top_lists()


async def close(svc: Services) -> None:
    built = svc.built_component("spotify")
    if built is not None:
        await built.client.aclose()
