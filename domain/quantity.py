"""Does a question ask for a number? Three questions, one vocabulary (vocab/quantity.tsv).

- ``asks_figure``: a figure of the tables or a calculation on them (比较, 占比, 增加 …);
- ``asks_quantity``: how many / how much (多少, 几件, how many);
- ``asks_count``: how many 任务分解表 rows (几项, how many).
"""

from __future__ import annotations

import re
from functools import cache

from domain.vocab import rows

_PERCENT = re.compile(r"\d+\s*%")


@cache
def words(kind: str) -> tuple[str, ...]:
    """The words of one kind, in file order."""
    return tuple(row[1] for row in rows("quantity") if row[0] == kind)


def asks_figure(text: str) -> bool:
    """Does the (normalised, lower-case) question ask for a figure (or name a percentage)?"""
    return any(cue in text for cue in words("figure")) or bool(_PERCENT.search(text))


def asks_quantity(question: str) -> bool:
    """A question asking for a quantity (多少, 几次, how many)."""
    text = question.lower()
    return any(word in text for word in words("quantity"))


def asks_count(question: str) -> bool:
    """一共有多少项任务 / how many tasks."""
    text = question.lower()
    return any(word in text for word in words("count"))
