"""How the names of 单位 (bodies) end, per use (vocab/unit_suffixes.tsv), as regex alternations."""

from __future__ import annotations

import re
from functools import cache

from domain.vocab import rows

USES = ("task_unit", "short_form", "bureau")


@cache
def endings(use: str) -> tuple[str, ...]:
    """The endings of one use, in file order (a regex tries them in that order)."""
    if use not in USES:
        raise KeyError(use)
    return tuple(row[1] for row in rows("unit_suffixes") if row[0] == use)


def ending_pattern(use: str) -> str:
    """``(?:局|办公室|办|…)``: one of the endings, for building a regex."""
    return "(?:" + "|".join(re.escape(e) for e in endings(use)) + ")"
