"""Vocabulary data files: each entry carries the source it comes from (see the .tsv comments)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_DIR = Path(__file__).parent


@cache
def table(name: str) -> tuple[tuple[str, str], ...]:
    """(kind, entry) pairs of a vocab file, in file order; comment lines skipped."""
    rows = []
    for line in (_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, entry = line.split("\t")[:2]
            rows.append((kind.strip(), entry.strip()))
    return tuple(rows)


def entries(name: str, kind: str) -> tuple[str, ...]:
    """The entries of one kind, longest first (so regexes try 综合实验区 before 区)."""
    return tuple(sorted((e for k, e in table(name) if k == kind), key=len, reverse=True))
