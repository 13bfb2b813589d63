"""Paste language detection: accuracy on the labelled snippets of tests/pastes/snippets/, and time.

    .venv/bin/python bench/paste_language.py [--misses]

Prints, side by side, the detector the app uses (`highlight.guess`: pastes/detect.py's scorer) and the
one it replaced (Pygments' `guess_lexer` on the first 20,000 characters, after a JSON check, as
highlight.guess did before): accuracy on the twelve common languages for snippets of three lines or
more (the aim is 90% or better) and of one or two, on the other languages and on plain prose, then the
time per detection of a snippet and of a 1 MB paste. --misses lists every snippet either got wrong.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pygments.lexers import get_lexer_by_name, guess_lexer
from pygments.util import ClassNotFound

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from accumulator.pastes import highlight  # noqa: E402
from tests.pastes.snippets import COMMON, Snippet, load_snippets  # noqa: E402


@cache
def _by_lexer_name() -> dict[str, str]:
    return {get_lexer_by_name(alias).name: alias for alias in highlight.LANGUAGES}


def pygments_guess(content: str) -> str:
    """highlight.guess before pastes/detect.py: a JSON check, then Pygments' guess_lexer."""
    sample = content[:20_000]
    if sample.strip()[:1] in "{[" and len(content) <= 20_000:
        try:
            json.loads(content)
        except ValueError:
            pass
        else:
            return "json"
    try:
        lexer = guess_lexer(sample)
    except ClassNotFound:
        return highlight.PLAIN
    return _by_lexer_name().get(lexer.name, highlight.PLAIN)


DETECTORS: dict[str, Callable[[str], str]] = {
    "new (detect.py)": highlight.guess,
    "before (guess_lexer)": pygments_guess,
}


@dataclass
class Group:
    title: str
    snippets: list[Snippet]


def groups(snippets: list[Snippet]) -> list[Group]:
    common = [s for s in snippets if s.language in COMMON]
    return [
        Group("12 common languages, 3+ lines", [s for s in common if s.lines >= 3]),
        Group("12 common languages, 1-2 lines", [s for s in common if s.lines < 3]),
        Group("other languages", [s for s in snippets if s.language not in COMMON and s.language != "text"]),
        Group("plain prose (stays text)", [s for s in snippets if s.language == "text"]),
        Group("all", snippets),
    ]


def per_call_ms(detector: Callable[[str], str], contents: list[str], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for content in contents:
            detector(content)
    return (time.perf_counter() - started) * 1000 / (rounds * len(contents))


def big_paste() -> str:
    # A megabyte of Python, as a long module would be pasted.
    unit = (ROOT / "accumulator" / "pastes" / "service.py").read_text()
    return (unit * (1024 * 1024 // len(unit) + 1))[: 1024 * 1024]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the snippets a detector got wrong")
    args = parser.parse_args()
    snippets = load_snippets()
    answers = {name: [detector(s.content) for s in snippets] for name, detector in DETECTORS.items()}
    right = {name: {s.name: got == s.language for s, got in zip(snippets, got_list, strict=True)}
             for name, got_list in answers.items()}  # fmt: skip

    names = list(DETECTORS)
    print(f"{len(snippets)} labelled snippets in {ROOT / 'tests/pastes/snippets'}\n")
    print(f"{'':34}" + "".join(f"{name:>24}" for name in names))
    for group in groups(snippets):
        cells = []
        for name in names:
            hits = sum(right[name][s.name] for s in group.snippets)
            cells.append(f"{hits:>3}/{len(group.snippets):<3} {100 * hits / max(len(group.snippets), 1):5.1f}%")
        print(f"{group.title:34}" + "".join(f"{cell:>24}" for cell in cells))

    print("\nPer language, 3+ lines (right of total):")
    for language in COMMON:
        chosen = [s for s in snippets if s.language == language and s.lines >= 3]
        cells = [f"{sum(right[name][s.name] for s in chosen)}/{len(chosen)}" for name in names]
        print(f"  {language:32}" + "".join(f"{cell:>24}" for cell in cells))

    contents = [s.content for s in snippets]
    big = big_paste()
    print("\nTime per detection (median of 5 runs):")
    for name, detector in DETECTORS.items():
        snippet_ms = statistics.median(per_call_ms(detector, contents, 3) for _ in range(5))
        big_ms = statistics.median(per_call_ms(detector, [big], 1) for _ in range(5))
        print(f"  {name:22} snippet {snippet_ms:7.3f} ms   1 MB paste {big_ms:7.2f} ms -> {detector(big)}")

    if args.misses:
        print("\nMisses:")
        for index, snippet in enumerate(snippets):
            wrong = {name: answers[name][index] for name in names if not right[name][snippet.name]}
            if wrong:
                shown = ", ".join(f"{name}: {got}" for name, got in wrong.items())
                print(f"  {snippet.name:18} ({snippet.language}, {snippet.lines} lines)  {shown}")


if __name__ == "__main__":
    main()
