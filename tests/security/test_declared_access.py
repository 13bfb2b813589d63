"""Every entry point declares who may call it, and the declaration holds: every handler of every
state and every HTTP route is declared, and each owner one, called by an outsider (over a real
websocket, over HTTP), answers nothing private and changes no row."""

from __future__ import annotations

import importlib
import inspect
import re
import typing

import httpx
import pytest
from starlette.routing import Mount, Route

from accumulator.api import create_api
from accumulator.apiv1.contract import PREFIX
from accumulator.auth.access import OWNER, TOKEN, declared
from accumulator.features import FEATURES
from accumulator.runtime import Services
from accumulator.ui.access import argument_checks
from accumulator.ui.owner import OwnerState, descendants
from tests.reflex_socket import ReflexSocket, event_name, text_of
from tests.security.conftest import SITE_ORIGIN, Backend, leaked, run

for _feature in FEATURES:
    if _feature.pages:
        importlib.import_module(_feature.pages)  # every page, so every state of the app exists

STATES = [OwnerState, *descendants(OwnerState)]
# A page of each state, as a tab that shows it would say it is on.
PAGES = {
    "NotesState": "/notes",
    "PastesState": "/bin",
    "PasteViewState": "/bin/[paste_id]",
    "PasteEditorState": "/bin/new",
    "PlantsState": "/plants",
    "PlantsBase": "/plants",
    "PlantState": "/plants/[plant_id]",
    "SessionsState": "/sessions",
    "TokensState": "/tokens",
    "DashboardState": "/dashboard",
    "SpotifyState": "/spotify",
    "HistoryState": "/spotify/history",
    "LoginState": "/login",
    "BackupsState": "/backups",
    "CommentsState": "/comments",
    "MessagesState": "/messages",
}


def _ours(fn) -> bool:
    return getattr(fn, "__module__", "").startswith("accumulator.")


def own_handlers(state: type) -> dict[str, object]:
    """The handlers a state's own code defines (Reflex adds generic ones, like setvar, to each)."""
    return {name: handler for name, handler in state.event_handlers.items() if _ours(handler.fn)}


def owner_handlers() -> list[tuple[type, str, object]]:
    found = []
    for state in STATES:
        for name, handler in own_handlers(state).items():
            if declared(handler.fn).kind == OWNER:
                found.append((state, name, handler.fn))
    return found


def mounted_routes(svc: Services) -> list[tuple[str, Route]]:
    """Every HTTP route of the API with the prefix of the mounts it sits in ("" at the top)."""

    def walk(routes, prefix: str) -> list[tuple[str, Route]]:
        found = []
        for route in routes:
            if isinstance(route, Mount):
                found += walk(route.routes or [], prefix + route.path)
            elif isinstance(route, Route):
                found.append((prefix, route))
        return found

    return walk(create_api(svc).routes, "")


def http_routes(svc: Services) -> list[Route]:
    return [route for _prefix, route in mounted_routes(svc)]


def test_every_state_handler_is_declared_with_arguments_that_can_be_checked() -> None:
    undeclared, unchecked = [], []
    for state in STATES:
        for name, handler in own_handlers(state).items():
            if declared(handler.fn) is None:
                undeclared.append(f"{state.__name__}.{name}")
                continue
            try:
                argument_checks(inspect.unwrap(handler.fn))
            except TypeError as exc:
                unchecked.append(f"{state.__name__}.{name}: {exc}")
    assert len(STATES) >= 10 and owner_handlers()  # the walk found the app
    assert undeclared == []
    assert unchecked == []


def test_every_http_route_is_declared(services: Services) -> None:
    routes = http_routes(services)
    assert len(routes) >= 25
    assert [route.path for route in routes if declared(route.endpoint) is None] == []


# Arguments an attacker would try: the ids of the owner's real objects, and plausible forms.


def _sample(hint: object, backend: Backend) -> object:
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return _sample(typing.get_args(hint)[0], backend)
    if origin in (typing.Union, __import__("types").UnionType):
        return _sample(typing.get_args(hint)[0], backend)
    if hint is int:
        return backend.workspace_id
    if hint is bool:
        return True
    if hint is str:
        return backend.paste_id
    if hint is dict or origin is dict:
        return {"title": "attacker", "text": "attacker note", "name": "attacker plant", "interval_days": "3"}
    if origin is list:
        return [_sample(typing.get_args(hint)[0], backend)]
    return None


def sample_payload(fn, backend: Backend) -> dict[str, object]:
    original = inspect.unwrap(fn)
    hints = typing.get_type_hints(original, include_extras=True)
    names = list(inspect.signature(original).parameters)[1:]
    return {name: _sample(hints[name], backend) for name in names}


def test_an_outsider_calling_every_owner_handler_over_the_websocket_gets_nothing_and_changes_nothing(
    backend: Backend,
) -> None:
    before = backend.fingerprint()

    async def attack() -> list[str]:
        findings = []
        async with ReflexSocket(backend.url, origin=backend.own_origin) as tab:  # no cookie
            await tab.hydrate("/notes")
            for state, name, fn in owner_handlers():
                page = PAGES.get(state.__name__, "/")
                # First point the state at the owner's objects (Reflex's generic setter is refused)…
                for var, value in (("current_id", backend.workspace_id), ("shown_id", backend.plant_id)):
                    if var in state.vars:
                        await tab.send(event_name(state, "setvar"), {"var_name": var, "value": value}, path=page)
                # …then call the handler as its page would.
                updates = await tab.send(event_name(state, name), sample_payload(fn, backend), path=page)
                if found := leaked(text_of(updates)):
                    findings.append(f"{state.__name__}.{name} sent {found}")
        return findings

    assert run(attack()) == []
    assert backend.fingerprint() == before


def _url(backend: Backend, route: Route) -> str:
    params = {
        "workspace_id": str(backend.workspace_id),
        "paste_id": backend.paste_id,
        "plant_id": str(backend.plant_id),
        "file_id": "AAAAAAAAAAAAAAAAAAAAAA",
        "slug": "nope",
        "public_id": "nope",
        "old_id": "1",
        "old_path": "x/y",
        "name": "x",
        "note_id": "1",
        "kind": "tracks",
        "table": "pages",  # the dashboard's CSV export (DASHBOARD_PUBLIC is off here)
    }
    path = route.path
    for name, value in params.items():
        path = path.replace("{" + name + "}", value).replace("{" + name + ":path}", value)
    return backend.url + path


def test_an_outsider_calling_every_owner_route_gets_nothing_and_changes_nothing(
    backend: Backend, services: Services
) -> None:
    before = backend.fingerprint()
    findings = []
    body = {"title": "attacker", "content": "attacker", "endpoint": "https://push.example/x"}
    for route in http_routes(services):
        if declared(route.endpoint).kind != OWNER:
            continue
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            for who, headers in (
                ("anonymous", {}),
                # The owner's own cookie, sent by a page of another origin of the same site.
                ("another origin", {"Cookie": backend.cookie, "Origin": SITE_ORIGIN}),
                ("a sandboxed page", {"Cookie": backend.cookie, "Origin": "null"}),
            ):
                answer = httpx.request(method, _url(backend, route), json=body, headers=headers)
                if answer.status_code not in (401, 403, 404) or leaked(answer.text):
                    findings.append(f"{method} {route.path} ({who}): {answer.status_code} {answer.text[:80]}")
                if "access-control-allow-origin" in answer.headers:
                    findings.append(f"{method} {route.path} ({who}) allows a cross-origin read")
    assert findings == []
    assert backend.fingerprint() == before


def test_every_token_route_refuses_callers_without_a_token_even_the_logged_in_owner(
    backend: Backend, services: Services
) -> None:
    """The token API's routes (`token_route`): a session cookie, from the app's own origin or not,
    opens none of them (no CSRF surface), nor does a forged or malformed bearer value."""
    before = backend.fingerprint()
    token_routes = [
        (prefix, route) for prefix, route in mounted_routes(services) if declared(route.endpoint).kind == TOKEN
    ]
    assert len(token_routes) >= 20
    assert {declared(route.endpoint).scope for _prefix, route in token_routes} == {"read", "write"}
    assert {prefix for prefix, _route in token_routes} == {PREFIX, ""}  # /api/v1, and ListenBrainz's /1/…
    findings = []
    for prefix, route in token_routes:
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            for who, headers in (
                ("anonymous", {}),
                ("the owner's browser", {"Cookie": backend.cookie, "Origin": backend.own_origin}),
                ("a forged token", {"Authorization": "Bearer acc_" + "A" * 43}),
                ("a malformed header", {"Authorization": "Basic b3duZXI6cGFzcw=="}),
            ):
                # Ids in the /api/v1 group are digit-only segments ({name:v1id}) or UUIDs ({name:v1uuid}).
                url = _url(backend, route).replace(backend.url, backend.url + prefix, 1)
                url = url.replace("{plant_id:v1id}", str(backend.plant_id))
                url = re.sub(r"\{\w+:v1id\}", "1", url)
                url = re.sub(r"\{\w+:v1uuid\}", "00000000-0000-4000-8000-000000000000", url)
                answer = httpx.request(method, url, json={"text": "attacker"}, headers=headers)
                error = (
                    answer.json().get("error", {}) if answer.headers.get("content-type") == "application/json" else {}
                )
                if answer.status_code != 401 or error.get("code") != "unauthorized" or leaked(answer.text):
                    findings.append(f"{method} {route.path} ({who}): {answer.status_code} {answer.text[:80]}")
    assert findings == []
    assert backend.fingerprint() == before


@pytest.mark.parametrize("state", [state for state in STATES if own_handlers(state)], ids=lambda s: s.__name__)
def test_reflex_generic_setters_are_refused(backend: Backend, state: type) -> None:
    """`setvar` exists on every state; it would let a tab set `is_owner` on itself."""

    async def forge() -> list[dict]:
        async with ReflexSocket(backend.url, origin=backend.own_origin) as tab:
            await tab.hydrate("/notes")
            page = PAGES.get(state.__name__, "/")
            await tab.send(event_name(state, "setvar"), {"var_name": "is_owner", "value": True}, path=page)
            return await tab.hydrate("/notes")

    assert '"is_owner_rx_state_": true' not in text_of(run(forge()))


BUILT_APP_ROUTES = """
import json, os
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.middleware.cors import CORSMiddleware
from accumulator.accumulator import app
from accumulator.auth.access import declared

top = app().app  # past api.HotPaths, Reflex's app

def walk(routes, prefix=""):
    for route in routes:
        if isinstance(route, Mount):
            inner = route.app
            while not hasattr(inner, "routes") and (hasattr(inner, "app") or hasattr(inner, "__wrapped__")):
                inner = getattr(inner, "__wrapped__", None) or inner.app
            children = getattr(route, "routes", None) or getattr(inner, "routes", None)
            if children:
                yield from walk(children, prefix + route.path)
            else:
                yield {"path": prefix + route.path, "kind": "mount", "module": type(inner).__module__}
        elif isinstance(route, (Route, WebSocketRoute)):
            access = declared(route.endpoint)
            yield {
                "path": prefix + route.path,
                "kind": access.kind if access else None,
                "module": getattr(route.endpoint, "__module__", ""),
            }

stacks = [top, app._api]
cors = [m.cls.__name__ for a in stacks for m in a.user_middleware if m.cls is CORSMiddleware]
print(json.dumps({"routes": list(walk(top.routes)), "cors": cors}))
"""


def test_every_route_of_the_built_app_is_ours_and_declared_or_reflexs_own(tmp_path) -> None:
    """The app as it is served (Reflex's outer app, our routes, Reflex's own) walked route by route."""
    import json
    import subprocess
    import sys

    from accumulator.settings import PROJECT_ROOT
    from tests.live_server import app_environment, free_port

    env = {**app_environment(tmp_path, free_port()), "__REFLEX_SKIP_COMPILE": "true", "REFLEX_ENV_MODE": "prod"}
    done = subprocess.run(
        [sys.executable, "-c", BUILT_APP_ROUTES], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    built = json.loads(done.stdout.strip().splitlines()[-1])
    ours = [route for route in built["routes"] if route["module"].startswith("accumulator.")]
    theirs = {route["path"] for route in built["routes"] if not route["module"].startswith("accumulator.")}
    assert len(ours) >= 25
    assert [route["path"] for route in ours if route["kind"] is None] == []
    # Reflex's own: its liveness and health probes and the websocket; nothing else answers.
    assert theirs <= {"/ping", "/_health", "/_event", "/_event/"}, theirs
    assert built["cors"] == []  # Reflex's CORS layer (any origin, with credentials) is gone
