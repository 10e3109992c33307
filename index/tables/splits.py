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
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from index.tables.cells import Cell

MAX_DIGITS = 9  # no cell of the official tables holds a ten-digit count
MAX_SPLITS = 2000  # beyond this many candidate splits the row is reported as ambiguous
# Cells tried while building the splits under a sum for one row (a real 5-digit 表三 row
# of a city report takes ~24,000), and for all the rows of one table.
MAX_STEPS = 100_000
MAX_TABLE_STEPS = 400_000

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


def _parts(token: Token) -> tuple[str, str]:
    """The digits of ``token`` that may be cut into cells and the tail kept with the last
    one; an atomic token that cannot be cut is one piece of its own (no digits to cut)."""
    if not token.atomic:
        return token.text, ""
    m = _TAILED.fullmatch(token.text)
    return (m.group("digits"), m.group("tail")) if m else ("", token.text)


def _number(text: str) -> float:
    """A cell's value for sums (blank and non-numbers add nothing)."""
    m = re.match(r"\d+(?:[.．]\d+)?", text)
    return float(m.group().replace("．", ".")) if m else 0.0


def enumerate_splits(
    tokens: list[Token],
    count: int,
    accept: Callable[[list[Cell]], bool] | None = None,
    steps: list[int] | None = None,
) -> list[Split]:
    """All splits of ``tokens`` into ``count`` cells, blanks allowed only at inner gaps.

    The splits are counted first (memoised over token, position and cells used), so a long
    run is reported in bounded time: TooManySplits beyond MAX_SPLITS (a partial list could
    wrongly look unique). With ``accept``, a test on the cells placed so far, only the splits
    it accepts at every cell are listed (pruned as they are built, within MAX_STEPS) instead
    of counting them all; ``steps`` counts the cells tried, shared by the calls for one row.
    """
    if not tokens or len(tokens) > count:
        return []
    parts = [_parts(t) for t in tokens]
    if sum(max(len(d), 1) for d, _ in parts) > count * MAX_DIGITS:
        return []

    def moves(i: int, pos: int) -> list[tuple[Cell, int]]:
        """The cells that may start at ``pos`` of token ``i``, with where each ends."""
        token, (digits, tail) = tokens[i], parts[i]
        if not digits:
            return [(Cell(token.text, token.start, token.end), 0)]
        limit = pos + 1 if digits[pos] == "0" else min(len(digits), pos + MAX_DIGITS)
        out = []
        for stop in range(pos + 1, limit + 1):
            last = stop == len(digits)
            text = digits[pos:stop] + (tail if last else "")
            out.append((Cell(text, token.start + pos, token.start + pos + len(text)), stop))
        return out

    @cache
    def ways(i: int, pos: int, used: int) -> int:
        """Splits of the rest from token ``i`` at ``pos`` with ``used`` cells so far."""
        if used > count:
            return 0
        total = 0
        for _, stop in moves(i, pos):
            after = used + 1
            if parts[i][0] and stop < len(parts[i][0]):
                total += ways(i, stop, after)
            elif i + 1 == len(tokens):
                total += after == count
            else:
                total += ways(i + 1, 0, after) + ways(i + 1, 0, after + 1)
            if total > MAX_SPLITS:
                return total
        return total

    if accept is None and ways(0, 0, 0) > MAX_SPLITS:
        raise TooManySplits
    found: list[Split] = []
    steps = [0] if steps is None else steps

    def ok(row: list[Cell]) -> bool:
        return accept is None or accept(row)

    def walk(i: int, pos: int, acc: list[Cell]) -> None:
        for cell, stop in moves(i, pos):
            steps[0] += 1
            if steps[0] > MAX_STEPS or len(found) > MAX_SPLITS:
                raise TooManySplits
            row = acc + [cell]
            if not ok(row):
                continue
            if parts[i][0] and stop < len(parts[i][0]):
                if ways(i, stop, len(row)):
                    walk(i, stop, row)
            elif i + 1 == len(tokens):
                if len(row) == count:
                    found.append(tuple(row))
            else:
                gap = tokens[i].end
                if ways(i + 1, 0, len(row)):
                    walk(i + 1, 0, row)
                blank = row + [Cell("", gap, gap)]
                if ways(i + 1, 0, len(blank)) and ok(blank):
                    walk(i + 1, 0, blank)

    walk(0, 0, [])
    return found


def splits_with_total(
    tokens: list[Token], count: int, steps: list[int] | None = None
) -> list[Split]:
    """The splits whose last cell is the sum of the others (表三's 总计 column), for runs too
    long to list every split: the total is a suffix of the last token, and the cells before it
    are built only while they do not add up past it. Raises TooManySplits beyond the bounds."""
    last = tokens[-1]
    digits, tail = _parts(last)
    if not digits or tail:
        return []
    found: list[Split] = []
    steps = [0] if steps is None else steps
    for size in range(1, min(MAX_DIGITS, len(digits)) + 1):
        suffix = digits[-size:]
        if len(suffix) > 1 and suffix[0] == "0":
            continue
        total = Cell(suffix, last.end - size, last.end)
        head = digits[:-size]
        rest = tokens[:-1] + ([Token(head, last.start, last.start + len(head))] if head else [])
        options = [(count - 1, [])]
        if not head and len(tokens) > 1:  # a blank cell may stand at the gap before the total
            gap = tokens[-2].end
            options.append((count - 2, [Cell("", gap, gap)]))
        for cells, blank in options:
            if not rest or cells < len(rest):
                continue
            at_most = float(suffix)
            within = lambda row, at_most=at_most: sum(_number(c.text) for c in row) <= at_most  # noqa: E731
            for split in enumerate_splits(rest, cells, accept=within, steps=steps):
                if sum(_number(c.text) for c in split) == float(suffix):
                    found.append((*split, *blank, total))
            if len(found) > MAX_SPLITS:
                raise TooManySplits
    return found


def group_totals(size: int) -> Callable[[list[Cell]], bool]:
    """``accept`` for rows of equal groups whose last cell is the sum of the others (表四):
    a group is checked as soon as its total is placed (blanks add nothing)."""

    def accept(row: list[Cell]) -> bool:
        if len(row) % size:
            return True
        *cells, total = row[-size:]
        if not any(c.text for c in row[-size:]):
            return True
        return sum(_number(c.text) for c in cells) == _number(total.text)

    return accept


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
