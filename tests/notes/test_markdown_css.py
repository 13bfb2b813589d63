"""Rendered markdown looks alike everywhere: highlighted code in light and dark, lists with their
markers, on the owner's pages (assets/markdown.css) and on the public ones (their inline style)."""

from __future__ import annotations

import re
from pathlib import Path

from pygments.formatters import HtmlFormatter

from accumulator import public_html
from accumulator.notes.markdown import render

ASSET = Path(__file__).resolve().parents[2] / "assets" / "markdown.css"
REGENERATE = (
    '.venv/bin/python -c "from pathlib import Path; from accumulator.public_html import owner_stylesheet; '
    "Path('assets/markdown.css').write_text(owner_stylesheet())\""
)
NOTE = (
    "Plan:\n\n- one\n  - nested\n- [ ] a task\n- [x] done\n\n1. first\n\n```python\ndef f(x):\n    return x * 2\n```\n"
)


def rules(css: str) -> list[tuple[str, str]]:
    """(selector, declarations) of every rule outside @media."""
    return re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))


def classes_under(css: str, scope: str) -> dict[str, str]:
    """Token class → declarations of the rules `{scope} :is(.a,.b){…}`."""
    found: dict[str, str] = {}
    for selector, body in rules(css):
        if match := re.fullmatch(re.escape(scope) + r" :is\(([^)]*)\)", selector.strip()):
            for name in match.group(1).split(","):
                found[name.lstrip(".")] = body
    return found


def test_the_asset_is_what_public_html_generates() -> None:
    assert ASSET.read_text() == public_html.owner_stylesheet(), f"regenerate it: {REGENERATE}"


def test_every_rule_of_the_asset_is_scoped_to_highlighted_code_or_rendered_markdown() -> None:
    for selector, _ in rules(ASSET.read_text()):
        for part in re.sub(r":is\([^)]*\)", ":is()", selector).split(","):
            assert part.strip().startswith((".highlight", ".dark .highlight", ".markdown-body")), part


def test_every_token_class_has_a_light_and_a_dark_colour_and_nothing_light_shows_through() -> None:
    css = public_html.owner_stylesheet()
    light, dark = classes_under(css, ".highlight"), classes_under(css, ".dark .highlight")
    pygments_classes = {name for name in HtmlFormatter(style="default").class2style if name}
    assert pygments_classes <= set(light) and pygments_classes <= set(dark)
    for name, body in light.items():
        properties = {declaration.split(":")[0] for declaration in body.split(";")}
        dark_properties = {declaration.split(":")[0] for declaration in dark[name].split(";")}
        assert properties <= dark_properties, (name, body, dark[name])  # bold, borders… are undone in dark


def test_highlighted_note_code_uses_only_classes_the_stylesheet_colours() -> None:
    html = render(NOTE)
    assert '<div class="highlight">' in html
    used = {name for group in re.findall(r'<span class="([^"]+)"', html) for name in group.split()}
    css = public_html.owner_stylesheet()
    light, dark = classes_under(css, ".highlight"), classes_under(css, ".dark .highlight")
    assert {"k", "nf", "mi"} <= used <= set(light) | set(dark)  # names and punctuation: text colour in light
    assert used <= set(dark)


def test_the_owner_pages_and_the_public_pages_share_the_colours() -> None:
    owner, public = public_html.owner_stylesheet(), public_html.stylesheet()
    assert classes_under(owner, ".highlight") == classes_under(public, ".highlight")
    dark_owner = classes_under(owner, ".dark .highlight")
    media = re.search(r"@media \(prefers-color-scheme:dark\)\{(.*)\}", public)
    assert media is not None and ".dark" not in public  # the public pages follow the reader's system
    assert classes_under(media.group(1) + "}", ".auto-theme .highlight") == dark_owner


def test_lists_get_their_markers_back_and_task_items_their_box_instead() -> None:
    css = public_html.list_css(".markdown-body")
    declared = dict(rules(css))
    assert "list-style-type:disc" in declared[".markdown-body ul>li"]
    assert "list-style-type:decimal" in declared[".markdown-body ol>li"]
    assert "list-style-type:circle" in declared[".markdown-body :is(ul,ol) ul>li"]
    assert "list-style-type:none" in declared[".markdown-body li.task-list-item"]
    html = render(NOTE)
    assert '<ul class="task-list">' in html and '<li class="task-list-item"><input type="checkbox"' in html
    assert "<ul>\n<li>nested</li>" in html and "<ol>\n<li>first</li>" in html
    assert public_html.list_css("main") in public_html.stylesheet()  # the public pages' notes, alike
