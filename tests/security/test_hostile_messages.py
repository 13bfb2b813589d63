"""One hostile websocket message stalls nobody and breaks nothing: markdown that grows
super-linearly is bounded and rendered off the event loop, and arguments a handler cannot take (a
lone surrogate, a NUL, deep nesting, a number past 64 bits) are refused with a message."""

from __future__ import annotations

import threading
import time

import httpx

from accumulator.notes.state import NotesState
from accumulator.plants.state import PlantsState
from tests.reflex_socket import ReflexSocket, event_name, text_of
from tests.security.conftest import Backend, run

BRACKETS = "[" * 8000 + "]" * 8000  # 16 KB: 15 s of rendering on the event loop before the fix


def _ping_while(done: threading.Event, url: str, delays: list[float]) -> None:
    while not done.is_set():
        started = time.monotonic()
        httpx.get(f"{url}/healthz", timeout=30)
        delays.append(time.monotonic() - started)
        time.sleep(0.05)


def test_a_preview_of_16_kb_of_nested_brackets_stalls_nothing(backend: Backend) -> None:
    delays: list[float] = []
    done = threading.Event()

    async def preview() -> tuple[float, str]:
        async with ReflexSocket(backend.url, cookie=backend.cookie, origin=backend.own_origin) as tab:
            await tab.hydrate("/notes")
            await tab.send(event_name(NotesState, "load_notes"), path="/notes")
            started = time.monotonic()
            shown = await tab.send(event_name(NotesState, "show_preview"), {"text": BRACKETS}, path="/notes")
            return time.monotonic() - started, text_of(shown)

    pinger = threading.Thread(target=_ping_while, args=(done, backend.url, delays))
    pinger.start()
    try:
        took, shown = run(preview())
    finally:
        done.set()
        pinger.join()
    assert "[[[[" in shown  # the preview came back (as text: nothing to render as links)
    assert took < 3.0
    assert delays and max(delays) < 0.5, delays


HOSTILE = {
    "a lone surrogate": "\ud800",
    "a NUL": "a\x00b",
    "text past the limit": "x" * 50_000,
}


def test_hostile_arguments_are_refused_with_a_message_and_change_nothing(backend: Backend) -> None:
    before = backend.fingerprint()
    name = event_name(PlantsState, "add_plant")
    nested = '{"name":' * 2_000 + "{}" + "}" * 2_000  # no encoder writes this: by hand
    deep = f'{{"name":"{name}","payload":{{"form":{nested}}},"router_data":{{"pathname":"/plants"}}}}'

    async def attack() -> list[str]:
        answers = []
        async with ReflexSocket(backend.url, cookie=backend.cookie, origin=backend.own_origin) as tab:
            await tab.hydrate("/plants")
            await tab.send(event_name(PlantsState, "load_plants"), path="/plants")
            for value in HOSTILE.values():
                answers.append(
                    text_of(
                        await tab.send(event_name(PlantsState, "filter_location"), {"value": value}, path="/plants")
                    )
                )
                answers.append(
                    text_of(
                        await tab.send(
                            event_name(PlantsState, "add_plant"),
                            {"form": {"name": value, "interval_days": 3}},
                            path="/plants",
                        )
                    )
                )
            answers.append(
                text_of(await tab.send(event_name(PlantsState, "water"), {"plant_id": 2**70}, path="/plants"))
            )
            answers.append(
                text_of(await tab.send(event_name(PlantsState, "add_plant"), {"form": deep}, path="/plants"))
            )
            # The tab still works after all that.
            answers.append(
                text_of(await tab.send(event_name(PlantsState, "filter_location"), {"value": "all"}, path="/plants"))
            )
        return answers

    answers = run(attack())
    refusals = answers[:-1]
    assert all("Not done" in answer for answer in refusals[:-1]), refusals
    assert "plants_rx_state_" in answers[-1]  # the last, valid call answered with the list
    assert backend.fingerprint() == before
    assert httpx.get(f"{backend.url}/healthz").status_code == 200


def test_a_flood_of_events_from_one_tab_does_not_slow_another(backend: Backend) -> None:
    async def flood_and_measure() -> float:
        async with (
            ReflexSocket(backend.url, cookie=backend.cookie, origin=backend.own_origin) as flooder,
            ReflexSocket(backend.url, cookie=backend.cookie, origin=backend.own_origin) as other,
        ):
            await flooder.hydrate("/notes")
            await other.hydrate("/notes")
            for _ in range(20):
                await flooder._client.emit(
                    "event",
                    {
                        "name": event_name(NotesState, "show_preview"),
                        "payload": {"text": "[a](" * 5000},
                        "router_data": {"pathname": "/notes", "query": {}, "asPath": "/notes"},
                    },
                    namespace="/_event",
                )
            started = time.monotonic()
            await other.send(event_name(NotesState, "load_notes"), path="/notes")
            return time.monotonic() - started

    took = run(flood_and_measure())
    assert took < 2.0
