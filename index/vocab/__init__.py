"""Vocabulary data files: each entry carries the source it comes from (see the .tsv comments)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from domain.vocab import read_rows

_DIR = Path(__file__).parent


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The tab-separated rows of a vocab file, in file order; comment lines skipped."""
    return read_rows(_DIR / name)


def table(name: str) -> tuple[tuple[str, str], ...]:
    """(kind, entry) pairs of a vocab file (its first two columns)."""
    return tuple((row[0], row[1]) for row in rows(name))


def mapping(name: str, kind: str) -> dict[str, str]:
    """entry → its third column, for the rows of one kind (住建局 → 住房城乡建设局)."""
    return {row[1]: row[2] for row in rows(name) if row[0] == kind}


def entries(name: str, kind: str) -> tuple[str, ...]:
    """The entries of one kind, longest first (so regexes try 综合实验区 before 区)."""
    return tuple(sorted((e for k, e in table(name) if k == kind), key=len, reverse=True))
