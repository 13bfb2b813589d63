"""Markdown is rendered on the server and cleaned with an allow-list: the XSS classics come out inert."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from accumulator.notes.markdown import ALLOWED_TAGS, render

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<body onload=alert(1)>",
    "<div onmouseover=alert(1)>hover</div>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<input type="text" onfocus=alert(1) autofocus>',
    "<details open ontoggle=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
]


class Inspector(HTMLParser):
    """Collects every tag and attribute that would reach the browser."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)


@pytest.mark.parametrize("vector", VECTORS)
def test_no_executable_markup_survives(vector: str) -> None:
    output = render(f"Before\n\n{vector}\n\nafter")
    inspector = Inspector()
    inspector.feed(output)
    assert set(inspector.tags) <= ALLOWED_TAGS, output
    for tag, name, value in inspector.attributes:
        assert not name.startswith("on"), output
        assert name not in {"style", "srcdoc", "action", "formaction", "http-equiv"}, output
        if name in {"href", "src"} and value:
            scheme = urlsplit(value.strip()).scheme.lower()
            assert scheme in {"", "http", "https", "mailto"}, output
        if tag == "input":
            assert (name, value) in {("type", "checkbox"), ("disabled", ""), ("checked", "")}, output
    assert "<script" not in output.lower() and "javascript:" not in output.lower()
    if "<style>" not in vector or "</style>" in vector:
        # The rest of the note is still shown (an unclosed <style> swallows what follows it, and
        # the cleaner drops it with the style; the stored note is untouched).
        assert "after" in output


def test_the_usual_markdown_still_renders() -> None:
    output = render(
        "# Title\n\n**bold** and ~~gone~~ and https://example.com\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n```python\nprint(1)\n```"
    )
    assert "<h1>Title</h1>" in output and "<strong>bold</strong>" in output and "<del>gone</del>" in output
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">' in output
    assert "<table>" in output and "<td>1</td>" in output
    assert '<input type="checkbox" disabled="" checked="">' in output
    assert '<span class="nb">print</span>' in output  # highlighted code
