"""Document kinds and their names (vocab/kinds.tsv)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from domain.vocab import rows

ANNUAL = "annual_report"
WORK_POINTS = "work_points"
OTHER = "other"


@dataclass(frozen=True)
class Kind:
    kind: str
    name: str  # 年度报告: filters, document lists, the cell view
    short: str  # 年报: what the corpus holds, in refusals
    full: str  # 政府信息公开工作年度报告: the documents' own title words ('' for other files)
    date: str  # 发布日期（落款日期）: what the document's date is ('' for other files)


@cache
def kinds() -> dict[str, Kind]:
    """Every document kind, in the order of the vocabulary file."""
    return {row[0]: Kind(*row[:5]) for row in rows("kinds")}


def kind_name(kind: str) -> str:
    """年度报告 / 工作要点 / 其他; an unknown kind as it is."""
    found = kinds().get(kind)
    return found.name if found else kind


def short_name(kind: str) -> str:
    """年报 / 工作要点 / 其他文件; '' for an unknown kind."""
    found = kinds().get(kind)
    return found.short if found else ""


def full_name(kind: str) -> str:
    """政府信息公开工作年度报告 / 政务公开工作要点 (KeyError for a kind without a format)."""
    full = kinds()[kind].full
    if not full:
        raise KeyError(kind)
    return full


def filter_choices() -> list[tuple[str, str]]:
    """(name, kind) of the kinds a question can be narrowed to (those with a format of their own)."""
    return [(k.name, k.kind) for k in kinds().values() if k.full]


def date_name(kind: str) -> str:
    """印发日期 / 发布日期（落款日期）; 日期 for other files."""
    found = kinds().get(kind)
    return found.date if found and found.date else "日期"


@cache
def _kind_words() -> dict[str, tuple[str, ...]]:
    words: dict[str, list[str]] = {}
    for kind, word, *_ in rows("kind_words"):
        words.setdefault(kind, []).append(word)
    return {kind: tuple(ws) for kind, ws in words.items()}


def asked_kind(question: str) -> str | None:
    """The kind a question names (工作要点, 年报, annual report …), kinds in file order."""
    lowered = question.lower()
    for kind, words in _kind_words().items():
        if any(w in lowered for w in words):
            return kind
    return None
