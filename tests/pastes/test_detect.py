"""Paste language detection ('Detect automatically'): right on short snippets, bounded on big pastes."""

from __future__ import annotations

import json
import time

import pytest

from accumulator.pastes import detect, highlight
from tests.pastes.snippets import COMMON, load_snippets

SNIPPETS = load_snippets()


def test_the_labelled_set_covers_the_twelve_common_languages() -> None:
    common = [snippet for snippet in SNIPPETS if snippet.language in COMMON]
    assert len(common) >= 60
    assert {snippet.language for snippet in common} == set(COMMON)
    assert all(snippet.language in highlight.LANGUAGES for snippet in SNIPPETS)


def test_it_is_right_on_at_least_90_percent_of_snippets_of_three_lines_or_more() -> None:
    chosen = [snippet for snippet in SNIPPETS if snippet.language in COMMON and snippet.lines >= 3]
    wrong = [(s.name, highlight.guess(s.content)) for s in chosen if highlight.guess(s.content) != s.language]
    assert 1 - len(wrong) / len(chosen) >= 0.90, wrong


def test_it_is_right_on_most_one_and_two_line_snippets_too() -> None:
    chosen = [snippet for snippet in SNIPPETS if snippet.language in COMMON and snippet.lines < 3]
    wrong = [(s.name, highlight.guess(s.content)) for s in chosen if highlight.guess(s.content) != s.language]
    assert 1 - len(wrong) / len(chosen) >= 0.75, wrong


def test_the_issue_s_example_is_python() -> None:
    assert highlight.guess("def f(x):\n    return x * 2") == "python"
    assert highlight.shown_as(highlight.AUTO, "def f(x):\n    return x * 2\n") == "python"
    assert highlight.shown_as("ruby", "def f(x):\n    return x * 2\n") == "ruby"  # a choice is kept


@pytest.mark.parametrize("snippet", [s for s in SNIPPETS if s.language == "text"], ids=lambda s: s.name)
def test_prose_stays_plain_text(snippet) -> None:
    assert highlight.guess(snippet.content) == highlight.PLAIN


@pytest.mark.parametrize("content", ["", "   \n\t\n", "hello", "42", "ok then"])
def test_nothing_to_tell_by_is_plain_text(content: str) -> None:
    assert highlight.guess(content) == highlight.PLAIN


def test_json_is_still_json_small_or_large() -> None:
    assert highlight.guess('{"a": 1}') == "json"
    assert highlight.guess("[1, 2, 3]") == "json"
    rows = [{"id": n, "name": f"item {n}", "tags": ["a", "b"], "done": n % 2 == 0} for n in range(20_000)]
    big = json.dumps(rows, indent=2)
    assert len(big) > 1_000_000
    assert highlight.guess(big) == "json"


def test_a_language_that_extends_another_needs_something_of_its_own() -> None:
    assert highlight.guess("const total = items.length;\nconsole.log(total);") == "javascript"
    assert highlight.guess("const total: number = items.length;\nconsole.log(total);") == "typescript"
    assert highlight.guess('#include <stdio.h>\nint main(void) { printf("hi\\n"); }') == "c"
    assert highlight.guess('#include <iostream>\nint main() { std::cout << "hi"; }') == "cpp"


def test_every_language_it_can_answer_is_one_the_menu_offers() -> None:
    assert set(detect.RULES) <= set(highlight.LANGUAGES)
    assert set(detect.EXTENDS) | set(detect.EXTENDS.values()) <= set(detect.RULES)


def test_only_the_start_of_a_big_paste_is_read() -> None:
    python = "import os\n\ndef main():\n" + "    print(os.getcwd())\n" * (detect.SAMPLE // 20)
    php_after = "<?php echo $x; ?>\n" * 50_000  # past the sample: never looked at
    assert len(detect.sample(python + php_after)) <= detect.SAMPLE
    assert highlight.guess(python + php_after) == "python"


@pytest.mark.parametrize(
    "content",
    [
        " " * 1_000_000,
        "a" * 1_000_000,
        "{" * 1_000_000,
        "$" * 1_000_000,
        "- " * 500_000,
        "<div " * 200_000,
        "if [ " * 200_000,
        ("x: " * 20 + "\n") * 20_000,
        "#" + "\t" * 999_999,
    ],
    ids=["spaces", "letters", "braces", "dollars", "dashes", "open-tags", "brackets", "keys", "tabs"],
)
def test_a_megabyte_takes_a_bounded_time_whatever_it_holds(content: str) -> None:
    started = time.perf_counter()
    highlight.guess(content)
    # A few milliseconds here; the bound leaves room for a busy machine.
    assert time.perf_counter() - started < 0.5
