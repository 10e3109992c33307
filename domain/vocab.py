"""Reading vocabulary files: tab-separated, ``#`` starts a comment line, cells stripped.

``domain/vocab/*.tsv`` holds the answering side's vocabulary; index/vocab reads its own files
with the same reader.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"


def read_rows(path: Path) -> tuple[tuple[str, ...], ...]:
    """The tab-separated rows of ``path``, in file order; comment and blank lines skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(
        tuple(cell.strip() for cell in line.split("\t"))
        for line in lines
        if line.strip() and not line.startswith("#")
    )


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of ``domain/vocab/<name>.tsv``."""
    return read_rows(VOCAB_DIR / f"{name}.tsv")
