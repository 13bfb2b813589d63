"""Labelled snippets for paste language detection: `<alias>_<nn>.txt`, the alias being the Pygments
name highlight.LANGUAGES offers (`text` for prose that must stay plain). tests/pastes/test_detect.py
and bench/paste_language.py read them.

Written as people paste them: a function, a config block, a command or two, an error; some of one
or two lines. COMMON are the twelve languages the accuracy aim is measured on.

Numbers 01-09 were written alongside pastes/detect.py's rules. 21-25 were written once the rules were
set and first scored 50 of 59 (85%) on three lines or more; the rules were then widened on the
misses (Java without System.out, C# outside Main, Laravel and WordPress PHP, argparse Python). 31-32
were written after that and scored 24 of 24 at once (one prose list, read as YAML, was then fixed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

COMMON = (
    "python", "javascript", "typescript", "java", "csharp", "cpp", "c", "php", "go", "bash", "sql", "html",
)  # fmt: skip
HERE = Path(__file__).parent


@dataclass(frozen=True)
class Snippet:
    name: str
    language: str
    content: str

    @property
    def lines(self) -> int:
        return len(self.content.strip("\n").splitlines())


def load_snippets() -> list[Snippet]:
    return [
        Snippet(name=path.stem, language=path.stem.rsplit("_", 1)[0], content=path.read_text(encoding="utf-8"))
        for path in sorted(HERE.glob("*.txt"))
    ]
