"""Words of a question that name nothing to look for, per use (vocab/stopwords.tsv)."""

from __future__ import annotations

from functools import cache

from domain.vocab import rows

USES = ("passage", "figure", "task")


@cache
def words(use: str) -> tuple[str, ...]:
    """The stopwords of one use, in file order, each once (``task`` relies on the order)."""
    if use not in USES:
        raise KeyError(use)
    return tuple(dict.fromkeys(row[1] for row in rows("stopwords") if row[0] == use))
