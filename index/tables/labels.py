"""Canonical labels of the annual-report statistical tables and tolerant label matching.

Labels come from the two official formats (国办公开办函〔2019〕60号 and 〔2021〕30号), held once
in the table schema (domain/schema.py, domain/vocab/table_schema.toml). Printed labels are matched with any whitespace between characters (PDF
and HTML line breaks split them: 商业企 业, （四）无 / 法提供), an optional numbering prefix
（（一） / 一、 / 1. / 1、）, and interchangeable quote and list punctuation.
"""

from __future__ import annotations

import re
from functools import cache

from domain import schema as sc
from domain.schema import ColumnSet as ColumnSet  # re-exported for the reader
from domain.schema import RowLabel as RowLabel

ACTIVE, APPLICATIONS, REVIEW = TABLES = sc.schema().tables

APPLICANT_COLUMNS = sc.columns(APPLICATIONS)
REVIEW_RESULT_COLUMNS = sc.columns(REVIEW)
REVIEW_ROWS = tuple(r.key for r in sc.rows(REVIEW))

MONEY_UNIT = sc.schema().units["money"]
COUNT_UNIT = sc.schema().units["count"]
SIGNED_COLUMN = sc.schema().signed_column

# Between the characters of a label: whitespace or a Markdown cell's <br> line break.
_GAP = r"(?:\s|<br\s*/?>)*"
_QUOTES = "“”\"'‘’「」『』"
_LIST_PUNCT = "、，,；;"
NUMBERING = (
    r"(?:[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)]"
    r"|[一二三四五六七八九十]{1,3}\s*[、.．]"
    r"|\d{1,2}\s*[、.．])"
)

# 依申请 rows in printed order; 其他处理 sub-rows exist only in the 2021 format.
APPLICATION_HEAD_ROWS = sc.ungrouped(APPLICATIONS, before_groups=True)
GROUP_ROWS: dict[str, tuple[RowLabel, ...]] = sc.groups(APPLICATIONS)
APPLICATION_TOTAL_ROWS = sc.ungrouped(APPLICATIONS, before_groups=False)

# 主动公开 rows in printed order, each with the column sets its block may carry.
ACTIVE_ROWS: tuple[tuple[RowLabel, tuple[ColumnSet, ...]], ...] = tuple(
    (r.label, r.column_sets) for r in sc.rows(ACTIVE)
)
ACTIVE_ROWS_2021 = tuple(
    r.key for r in sc.rows(ACTIVE) if any(cs.fmt == "2021" for cs in r.column_sets)
)

REVIEW_HEADER_WORDS = sc.schema().header_words[REVIEW]


def squash(text: str) -> str:
    """``text`` without any whitespace, for comparing labels split by line breaks."""
    return re.sub(r"\s+|<br\s*/?>", "", text)


def spaced(label: str) -> str:
    """Regex for ``label`` allowing whitespace between characters and punctuation variants."""
    parts = []
    for ch in label:
        if ch in _QUOTES:
            parts.append(f"[{re.escape(_QUOTES)}]?")
        elif ch in _LIST_PUNCT:
            parts.append(f"[{re.escape(_LIST_PUNCT)}]?")
        elif ch in "（(":
            parts.append("[（(]")
        elif ch in "）)":
            parts.append("[）)]")
        elif ch == "/":
            parts.append("[/／]?")
        else:
            parts.append(re.escape(ch))
    return _GAP.join(parts)


# Long fixed labels are retyped by hand in many reports, and a few characters go missing
# (其他法律行政止公开 for 其他法律行政法规禁止公开). A label of at least LONG_LABEL characters
# also matches with one run of up to MAX_DROPPED characters left out inside it (its first and
# last two characters kept): the row order of the group still decides, and the review desk
# reports the typo.
LONG_LABEL = 10
MAX_DROPPED = 3


def with_dropped_run(label: str) -> tuple[str, ...]:
    """``label`` and, when it is long, its forms with one inner run of characters left out."""
    if len(label) < LONG_LABEL:
        return (label,)
    forms = [label]
    for size in range(1, MAX_DROPPED + 1):
        for at in range(2, len(label) - 2 - size + 1):
            forms.append(label[:at] + label[at + size :])
    return tuple(dict.fromkeys(forms))


@cache
def row_pattern(row: RowLabel) -> re.Pattern[str]:
    """Compiled pattern for a printed row label, numbering prefix included in the match."""
    printed = {form for p in row.printed for form in with_dropped_run(p)}
    body = "|".join(spaced(p) for p in sorted(printed, key=len, reverse=True))
    prefix = rf"{NUMBERING}\s*" if row.numbered else rf"(?:{NUMBERING}\s*)?"
    note = r"(?:\s*[（(][^（()）\d]{0,40}[）)])?" if row.note else ""
    # A label ends its cell: （六）其他处理 is not the row 3.其他. In flattened text the next
    # row's own numbering (二、…) may follow at once.
    after = r"(?!(?![一二三四五六七八九十]{1,3}\s*、)[\u3400-\u9fff])"
    return re.compile(rf"{prefix}(?:{body}){note}{after}")


@cache
def group_pattern(group: str) -> re.Pattern[str]:
    """Pattern for a group label such as （三）不予公开 (numbering required)."""
    return re.compile(rf"{NUMBERING}\s*{spaced(group)}")


def find_row(text: str, row: RowLabel, start: int, end: int) -> re.Match[str] | None:
    """The first printed occurrence of ``row`` in ``text[start:end]``."""
    return row_pattern(row).search(text, start, end)
