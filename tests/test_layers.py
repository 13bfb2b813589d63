"""The layers hold: adapters (states, pages, routes) open no transaction, features never import
the app assembly, and no async function touches the database on the event loop."""

from __future__ import annotations

import ast
from pathlib import Path

from accumulator.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "accumulator"
FEATURES = sorted(path.parent.name for path in PACKAGE.glob("*/models.py"))
ASSEMBLY = {"accumulator.api", "accumulator.accumulator", "accumulator.features"}
TRANSACTION_NAMES = {"session_scope", "in_transaction", "Session", "commit", "get_engine"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _imports(tree: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _names(tree: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} | {
        node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
    }


def test_the_features_were_found() -> None:
    assert {"analytics", "auth", "notes", "pastes", "plants", "spotify"} <= set(FEATURES)


def _adapters() -> list[Path]:
    """Every adapter module of the features: named state/pages/api (history_state.py, range_pages.py,
    listenbrainz_api.py, …) or building Reflex components and states (it imports reflex)."""
    found = []
    for feature in FEATURES:
        for path in sorted((PACKAGE / feature).glob("*.py")):
            named = path.stem.endswith(("state", "pages", "api"))
            if named or "reflex" in _imports(_tree(path)):
                found.append(path)
    return found


def test_states_pages_and_routes_open_no_transaction() -> None:
    adapters = _adapters()
    assert PACKAGE / "plants" / "one_plant.py" in adapters and PACKAGE / "spotify" / "history_state.py" in adapters
    offenders = []
    for path in adapters:
        if used := _names(_tree(path)) & TRANSACTION_NAMES:
            offenders.append(f"{path.relative_to(PACKAGE)}: {sorted(used)}")
    assert offenders == []


def test_the_token_api_adapters_open_no_transaction_and_touch_no_table() -> None:
    """`apiv1/` (the /api/v1 routes of every feature) only adapts: it calls the features' reads and
    actions, never a session or a query of its own (no SQLModel, no SQLAlchemy)."""
    offenders = []
    for path in sorted((PACKAGE / "apiv1").glob("*.py")):
        tree = _tree(path)
        if used := _names(tree) & TRANSACTION_NAMES:
            offenders.append(f"apiv1/{path.name}: {sorted(used)}")
        if wrong := {name for name in _imports(tree) if name.split(".")[0] in ("sqlmodel", "sqlalchemy")}:
            offenders.append(f"apiv1/{path.name}: {sorted(wrong)}")
    assert offenders == []


def test_no_feature_imports_the_app_assembly() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in FEATURES or relative.parts[0] == "ui" or len(relative.parts) == 1:
            if path.name in ("api.py", "accumulator.py", "features.py") and len(relative.parts) == 1:
                continue  # the assembly itself
            if wrong := _imports(_tree(path)) & ASSEMBLY:
                offenders.append(f"{relative}: {sorted(wrong)}")
    assert offenders == []


def test_no_async_function_opens_a_database_session_on_the_event_loop() -> None:
    """`session_scope` (blocking) may appear inside an async function only within a nested plain
    function handed to a worker thread."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.AsyncFunctionDef):
                continue
            for inner in _walk_outside_nested_functions(node):
                if isinstance(inner, ast.Name) and inner.id in {"session_scope", "Session"}:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{inner.lineno} in {node.name}")
    assert offenders == []


def _walk_outside_nested_functions(node: ast.AST):
    """The nodes of a function's own body (annotations included), not those of functions inside it."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        yield child
        yield from _walk_outside_nested_functions(child)
