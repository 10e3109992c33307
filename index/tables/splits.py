"""Split run-together table cells (``6045``, ``1 0 0 0 0 01``) into a row's schema cell count.

Crawler text flattens table rows: the cells of a row are printed with single spaces, with no
separator at all, or mixed. A row's printed number tokens are split into exactly the schema's
cell count: a pure digit token may hold several cells (no leading zeros except ``0`` itself);
a gap between two tokens may stand for one blank cell (an ``&nbsp;`` cell). Every split is kept
that the row's own identity allows (``row_check``); the caller narrows the rest with the
table's identities across rows and stores nothing when more than one remains.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from index.tables.cells import Cell

MAX_DIGITS = 9  # no cell of the official tables holds a ten-digit count
MAX_SPLITS = 2000  # beyond this many candidate splits the row is reported as ambiguous

Split = tuple[Cell, ...]  # blank cells have empty text and an empty span at their gap


@dataclass(frozen=True)
class Token:
    """A printed number token with its span; ``atomic`` tokens (signs, units, decimals,
    thousands separators) are one cell each."""

    text: str
    start: int
    end: int
    atomic: bool = False


def _pieces(token: Token) -> Iterator[list[Cell]]:
    """Every way to cut a digit run into numbers without leading zeros."""
    if token.atomic:
        yield [Cell(token.text, token.start, token.end)]
        return
    text = token.text

    def cut(pos: int) -> Iterator[list[Cell]]:
        if pos == len(text):
            yield []
            return
        limit = pos + 1 if text[pos] == "0" else min(len(text), pos + MAX_DIGITS)
        for end in range(pos + 1, limit + 1):
            head = Cell(text[pos:end], token.start + pos, token.start + end)
            for rest in cut(end):
                yield [head, *rest]

    yield from cut(0)


def enumerate_splits(tokens: list[Token], count: int) -> list[Split]:
    """All splits of ``tokens`` into ``count`` cells, blanks allowed only at inner gaps.

    No tokens at all is a row printed empty: ``count`` blank cells.
    """
    if not tokens:
        return []
    options = [list(_pieces(t)) for t in tokens]
    found: list[Split] = []

    def walk(i: int, acc: list[Cell]) -> None:
        if len(found) > MAX_SPLITS or len(acc) > count:
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
