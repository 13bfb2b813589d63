"""How the front end is cut into files: our chunk groups reach the bundler, and each page's
components go to its own feature's file (what keeps a page from loading every other page's code)."""

from __future__ import annotations

import re

import pytest
from reflex.utils import frontend_skeleton
from reflex_base.config import get_config

from accumulator.ui.bundling import VITE_CONFIG, ChunkGroups, with_our_groups


def test_the_groups_go_into_the_vite_config_reflex_writes() -> None:
    generated = frontend_skeleton._compile_vite_config(get_config())
    config = with_our_groups(generated)
    groups = config[config.index("groups: [") : config.index("]", config.index("reflex-env"))]
    assert re.findall(r'name: "([a-z-]+)"', groups) == ["vendor", "icons", "reflex-env"]
    # The catch-all leaves the icons out, for their own file.
    vendor = re.search(r'name: "vendor", test: (/.*/), priority', groups).group(1)
    assert vendor == r"/node_modules[\\/](?!(lucide-react)[\\/])/"


def test_a_changed_vite_config_stops_the_build_instead_of_losing_the_groups() -> None:
    with pytest.raises(RuntimeError, match=r"bundling\.py"):
        with_our_groups("export default defineConfig({ build: {} })")


def test_the_plugin_asks_to_change_the_vite_config() -> None:
    asked: list[tuple[str, object]] = []
    ChunkGroups().pre_compile(add_modify_task=lambda path, change: asked.append((path, change)))
    assert asked == [(VITE_CONFIG, with_our_groups)]


def test_each_page_is_named_after_its_feature_module() -> None:
    import accumulator.accumulator  # noqa: F401  (imports every feature's pages)
    from accumulator.ui.layout import PAGES

    modules = {declared["route"]: declared["component"].__module__ for declared in PAGES}
    assert modules["/dashboard"] == "accumulator.analytics.pages"
    assert modules["/login"] == "accumulator.auth.pages"
    assert not [route for route, module in modules.items() if module == "accumulator.ui.layout"]
