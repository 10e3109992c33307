"""Split run-together table cells (``6045``, ``1 0 0 0 0 01``) into a row's schema cell count.

Crawler text flattens table rows: the cells of a row are printed with single spaces, with no
separator at all, or mixed. A row's printed number tokens are split into exactly the schema's
cell count: a pure digit token may hold several cells (no leading zeros except ``0`` itself),
as may the leading digits of a number ending in decimals or a unit (``191690.9913万元``);
a gap between two tokens may stand for one blank cell (an ``&nbsp;`` cell). Every split is kept
that the row's own identity allows (``row_check``); the caller narrows the rest with the
table's identities across rows and stores nothing when more than one remains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from index.tables.cells import Cell

MAX_DIGITS = 9  # no cell of the official tables holds a ten-digit count
MAX_SPLITS = 2000  # beyond this many candidate splits the row is reported as ambiguous

Split = tuple[Cell, ...]  # blank cells have empty text and an empty span at their gap


class TooManySplits(Exception):
    """A run splits in more ways than MAX_SPLITS: the row is ambiguous, nothing is chosen."""


@dataclass(frozen=True)
class Token:
    """A printed number token with its span; ``atomic`` tokens (signs, units, decimals,
    thousands separators) are one cell each."""

    text: str
    start: int
    end: int
    atomic: bool = False


# A number whose decimals or unit end it (``191690.9913万元``): its leading digits may hold the
# cells printed before it, run together (19 | 1690.9913万元); the tail stays with the last cell.
_TAILED = re.compile(r"(?P<digits>\d+)(?P<tail>[.．]\d+\D*|[^\d,.．]+)")


def _lead_digits(token: Token) -> int:
    """How many leading digits of ``token`` may be cut into cells."""
    if not token.atomic:
        return len(token.text)
    m = _TAILED.fullmatch(token.text)
    return len(m.group("digits")) if m else 1


def _pieces(token: Token, most: int) -> Iterator[list[Cell]]:
    """Every way to cut a digit run into at most ``most`` numbers without leading zeros."""
    text, tail = token.text, ""
    if token.atomic:
        m = _TAILED.fullmatch(text)
        if m is None:
            yield [Cell(text, token.start, token.end)]
            return
        text, tail = m.group("digits"), m.group("tail")

    def cut(pos: int, left: int) -> Iterator[list[Cell]]:
        if pos == len(text):
            yield []
            return
        if left == 0:
            return
        limit = pos + 1 if text[pos] == "0" else min(len(text), pos + MAX_DIGITS)
        for end in range(pos + 1, limit + 1):
            last = end == len(text)
            head = Cell(
                text[pos:end] + (tail if last else ""),
                token.start + pos,
                token.start + end + (len(tail) if last else 0),
            )
            for rest in cut(end, left - 1):
                yield [head, *rest]

    yield from cut(0, most)


def enumerate_splits(tokens: list[Token], count: int) -> list[Split]:
    """All splits of ``tokens`` into ``count`` cells, blanks allowed only at inner gaps.

    Raises TooManySplits beyond MAX_SPLITS (a partial list could wrongly look unique).
    """
    if not tokens:
        return []
    if len(tokens) > count or sum(_lead_digits(t) for t in tokens) > count * MAX_DIGITS:
        return []
    # Each token holds at least one cell, so none can hold more than what the others leave.
    options = [list(_pieces(t, count - len(tokens) + 1)) for t in tokens]
    found: list[Split] = []

    def walk(i: int, acc: list[Cell]) -> None:
        if len(found) > MAX_SPLITS:
            raise TooManySplits
        if len(acc) > count:
            return
        if i == len(tokens):
            if len(acc) == count:
                found.append(tuple(acc))
            return
        for piece in options[i]:
            walk(i + 1, acc + piece)
            if i + 1 < len(tokens):
                gap = tokens[i].end
                walk(i + 1, acc + piece + [Cell("", gap, gap)])

    walk(0, [])
    return found


def filter_splits(
    splits: list[Split],
    row_check: Callable[[list[float | None]], bool],
    value: Callable[[int, str], float | None],
) -> list[tuple[list[float | None], Split]]:
    """Splits whose values pass ``row_check``; ``value(i, text)`` parses the i-th cell (None =
    not a number that column can hold). A single split is what is printed: it is kept even
    when the identity fails (the validator reports that), the identity only chooses."""
    kept = []
    check = row_check if len(splits) > 1 else (lambda values: True)
    for split in splits:
        values: list[float | None] = []
        for i, cell in enumerate(split):
            v = value(i, cell.text) if cell.text else None
            if cell.text and v is None:
                break
            values.append(v)
        else:
            if check(values):
                kept.append((values, split))
    return kept


def total_check(groups: int) -> Callable[[list[float | None]], bool]:
    """Row identity: in each of ``groups`` equal column groups the last cell is the sum of the
    others (表三 总计 = the six applicant columns; 表四 总计 = 维持+纠正+其他+尚未审结).
    Blanks count as 0 only when the group holds a printed number."""

    def check(values: list[float | None]) -> bool:
        size = len(values) // groups
        for g in range(groups):
            part = values[g * size : (g + 1) * size]
            if all(v is None for v in part):
                continue
            *cells, total = (0 if v is None else v for v in part)
            if abs(sum(cells) - total) > 1e-6:
                return False
        return True

    return check
