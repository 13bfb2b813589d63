"""Notes written for the original app render as its renderer (Earmark 1.4, GFM and smartypants on)
rendered them, where the sanitiser allows. The expected HTML is Earmark's, from its own acceptance
tests (earmark_parser test/acceptance) or its documented smartypants rules."""

from __future__ import annotations

import re

import pytest

from accumulator.notes.markdown import render


def normalised(html: str) -> str:
    html = re.sub(r' rel="[^"]*"', "", html)  # our links also get rel=noopener…
    html = re.sub(r"<br>\s*", "<br>", html)
    return re.sub(r">\s+<", "><", html.replace("\n", " ")).strip()


EARMARK = [
    ("* one\n* two", "<ul><li>one</li><li>two</li></ul>"),
    ("- one\n- two", "<ul><li>one</li><li>two</li></ul>"),
    ("1. one\n1. two", "<ol><li>one</li><li>two</li></ol>"),
    ("2. one\n3. two", '<ol start="2"><li>one</li><li>two</li></ol>'),
    # Nesting by the item's text column: two spaces under "- ", three under "1. ", four always.
    (
        "- 1\n  - 1.1\n    - 1.1.1\n  - 1.2",
        "<ul><li>1<ul><li>1.1<ul><li>1.1.1</li></ul></li><li>1.2</li></ul></li></ul>",
    ),
    ("1. One\n    - two\n    - three", "<ol><li>One<ul><li>two</li><li>three</li></ul></li></ol>"),
    ("1. One\n  - two\n  - three", "<ol><li>One</li></ol><ul><li>two</li><li>three</li></ul>"),
    # A list item ends a paragraph (Earmark's paragraphs take text and table lines only).
    ("Todo:\n- milk\n- eggs", "<p>Todo:</p><ul><li>milk</li><li>eggs</li></ul>"),
    ("Steps\n1. boil\n2. eat", "<p>Steps</p><ol><li>boil</li><li>eat</li></ol>"),
    ("* one\n\n    indent1\n", "<ul><li><p>one</p><p>indent1</p></li></ul>"),
    ("aaa\n\nbbb\n", "<p>aaa</p><p>bbb</p>"),
    ("~~or maybe not?~~", "<p><del>or maybe not?</del></p>"),
    ("**inside**", "<p><strong>inside</strong></p>"),
    ("hi [link](http://example.com)", '<p>hi <a href="http://example.com">link</a></p>'),
    ("see https://example.com/a", '<p>see <a href="https://example.com/a">https://example.com/a</a></p>'),
    ("# Title\ntext", "<h1>Title</h1><p>text</p>"),
    ("> quoted", "<blockquote><p>quoted</p></blockquote>"),
    ("line one  \nline two", "<p>line one<br>line two</p>"),  # breaks: false, two spaces make one
    # Smartypants (earmark test/acceptance/html/render_specific/smarty_pants_test.exs); never in code.
    ('a "double" "quote', "<p>a “double” “quote</p>"),
    ("a 'single' 'quote", "<p>a ‘single’ ‘quote</p>"),
    ('"a" \'messy\' "affair"', "<p>“a” ‘messy’ “affair”</p>"),
    ("1947 -- 2020", "<p>1947 – 2020</p>"),
    ("Earmark---A Pure Elixir Markdown Processor", "<p>Earmark—A Pure Elixir Markdown Processor</p>"),
    ("it's -- fine --- really...", "<p>it’s – fine — really…</p>"),
    ('`it\'s "code" -- ok`', '<p><code>it\'s "code" -- ok</code></p>'),
]


@pytest.mark.parametrize(("text", "earmark"), EARMARK)
def test_it_renders_as_the_original_did(text: str, earmark: str) -> None:
    assert normalised(render(text)) == earmark


def test_tables_and_fenced_code_still_render() -> None:
    output = normalised(render('| a | b |\n|---|---|\n| 1 | 2 |\n\n```elixir\nIO.puts("- not a list")\n```'))
    assert "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td>" in output
    assert "- not a list" in output and "<li>" not in output


def test_raw_html_the_original_passed_through_is_cleaned() -> None:
    """The one deliberate difference: Earmark ran with escape: false, so any HTML in a note reached
    the page. Here only the allowed tags stay; the rest is dropped, its text kept."""
    output = render('<details><summary>More</summary>hidden</details>\n\n<b onclick="x()">bold</b>')
    assert "<details>" not in output and "More" in output and "hidden" in output
    assert "<b>bold</b>" in output and "onclick" not in output
