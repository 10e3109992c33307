"""Form → rows: a labelled table row's printed cells, whatever form the text gives them in.

- ``grid``: one row per line, cells joined by tabs (loaders) or pipes (Markdown);
- ``cells``: every cell on its own tab-led line, rows separated by blank lines;
- ``spaced``: running text (pypdf, crawler pages), number tokens after the label, separated
  by spaces or run together; ``index.tables.splits`` cuts them into the schema's count.
Cell spans are exact offsets in the cleaned text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.tables.cells import Cell, split_cells
from index.tables.splits import Token

_BLANK_LINE = re.compile(r"\n[ \u3000\xa0\r]*(?=\n|$)")
_NUMBER = re.compile(
    r"(?P<sign>增|减|[+\-－])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<unit>万元|万|件|项|个|条)?"
)
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")


@dataclass
class Row:
    """The cells printed after a row label, with the row's span."""

    cells: list[Cell]
    start: int
    end: int  # end of the row's last cell
    next_pos: int  # where the search for the following row resumes
    stray: bool = False  # text with digits between the label and the first cell


def detect_layout(section: str) -> str:
    """``grid`` (tab-joined rows), ``cells`` (one tab-led line per cell) or ``spaced``."""
    lines = section.split("\n")
    if any(("\t" in line.strip(" \t\u3000\xa0") or line.count("|") >= 3) for line in lines):
        return "grid"
    if any(line.startswith("\t") for line in lines):
        return "cells"
    return "spaced"


def parse_number(
    text: str, signed: bool = False, money: bool = False, money_header: bool = False
) -> int | float | None:
    """The value of a cell, or None when it is not a number this column can hold.

    Blank (empty text) is None: callers keep it as a blank cell. ``signed`` accepts 增84 /
    减22; ``money`` accepts a 万/万元 suffix and a bare
    number only when ``money_header`` (the header states 万元).
    """
    cleaned = text.translate(_FULLWIDTH).strip()
    if not cleaned:
        return None
    m = _NUMBER.fullmatch(re.sub(r"\s+", "", cleaned))
    if not m:
        return None
    sign, unit = m.group("sign"), m.group("unit")
    if sign and not signed:
        return None
    bare_zero = unit is None and float(m.group("num").replace(",", "")) == 0
    if money and not (unit in ("万", "万元") or (unit is None and money_header) or bare_zero):
        return None
    if not money and unit in ("万", "万元"):
        return None
    digits = m.group("num").replace(",", "")
    value: int | float = float(digits) if "." in digits else int(digits)
    return -value if sign in ("减", "-", "－") else value


def _is_number_token(token: str) -> bool:
    return bool(_NUMBER.fullmatch(token.translate(_FULLWIDTH)))


def row_after_label(text: str, label: re.Match[str], limit: int, layout: str) -> Row:
    """The cells printed after a row label, up to the end of its row."""
    pos = label.end()
    if layout == "grid":
        newline = text.find("\n", pos, limit)
        row_end = limit if newline == -1 else newline
    else:
        blank = _BLANK_LINE.search(text, pos, limit)
        row_end = blank.start() if blank else limit
    rest, *cells = split_cells(text, pos, row_end)
    if layout == "grid":
        # Cells repeating the label (merged cells in Markdown) or holding label fragments.
        while cells and _CJK.search(cells[0].text) and not _stray_digits(cells[0].text):
            cells.pop(0)
        # A row's last value glued to the next row's label (``447228第二十条…``, crawler text
        # that drops the break between rows): the value ends the row, the words start the next.
        for i, cell in enumerate(cells):
            split = _glued(cell.text)
            if split is not None:
                value = cell.text[:split].rstrip()
                cells = cells[:i] + [Cell(value, cell.start, cell.start + len(value))]
                row_end = cell.start + split
                break
        # No official row prints words after its numbers: a label cell after them starts the
        # next row (crawler text joining every row of a table on one tab-separated line).
        cut = next(
            (i for i, c in enumerate(cells) if _is_label(c.text) and _has_number(cells[:i])),
            None,
        )
        if cut is not None:
            row_end = cells[cut].start
            cells = cells[:cut]
            while cells and not cells[-1].text:
                cells.pop()  # the separator before the next label
        if cells and not cells[-1].text and text[:row_end].rstrip().endswith("|"):
            cells.pop()  # the closing pipe of a Markdown row
    # The row runs through its last cell, blank cells (tabs) included.
    end = pos + len(text[pos:row_end].rstrip(" \n\r\u3000\xa0|"))
    # A number left in the label's own cell cannot be placed in any column.
    return Row(cells, label.start(), end, row_end, stray=bool(re.search(r"\d", rest.text)))


_WORDS = re.compile(r"\s*[\u3400-\u9fff（(]")
_SUB_NUMBERING = re.compile(r"\s*[、.．]\s*[\u3400-\u9fff]")


def _glued(text: str) -> int | None:
    """Where the next row starts inside a cell holding a value glued to it (``447228第二十条``,
    ``105（四）无``), or None. The next row may start with its sub-row numbering (``22.其他`` is
    2 and ``2.其他``: the official sub-rows are numbered 1-8, one digit)."""
    m = _NUMBER.match(text)
    if m is None or m.end() == len(text):
        return None
    if _WORDS.match(text, m.end()):
        return m.end()
    digits = m.group("num")
    plain = digits.isdigit() and len(digits) > 1 and not (m.group("unit") or m.group("sign"))
    return m.end() - 1 if plain and _SUB_NUMBERING.match(text, m.end()) else None


_LABEL_NUMBERING = re.compile(
    r"^\s*(?:\d{1,2}\s*[、.．]|[（(]\s*[\d一二三四五六七八九十]{1,3}\s*[）)])"
)


def _stray_digits(text: str) -> bool:
    """Digits in a label cell other than its numbering (``1.属于…``): a value, not a label."""
    return bool(re.search(r"\d", _LABEL_NUMBERING.sub("", text)))


def _is_label(text: str) -> bool:
    """Words, not a number with a sign or unit (增3, 12.5万元)."""
    return bool(_CJK.search(text)) and not _is_number_token(re.sub(r"\s+", "", text))


def _has_number(cells: list[Cell]) -> bool:
    return any(_is_number_token(c.text) for c in cells if c.text)


def align_cells(cells: list[Cell], count: int, layout: str) -> list[Cell] | None:
    """Exactly ``count`` value cells, or None when the row cannot be aligned.

    Tab layouts may carry blank cells of spanned labels (before the values) or of spanned
    values (after them), never fewer cells than columns. Space-separated numbers must match
    the count exactly.
    """
    if len(cells) == count:
        return cells
    if count == 1 and len(cells) > 1 and len({c.text for c in cells}) == 1:
        return cells[:1]  # one cell merged across the columns, repeated by the converter
    extra = len(cells) - count
    if layout == "spaced" or extra < 0:
        return None
    leading_blank = not any(c.text for c in cells[:extra])
    trailing_blank = not any(c.text for c in cells[count:])
    if leading_blank and trailing_blank:
        tail, head = cells[extra:], cells[:count]
        return tail if [c.text for c in tail] == [c.text for c in head] else None
    if leading_blank:
        return cells[extra:]
    if trailing_blank:
        return cells[:count]
    return None


_CJK = re.compile(r"[\u3400-\u9fff]")
_RUN_TOKEN = re.compile(
    r"[ \t\u3000\xa0\r\n]*((?:增|减|[+\-－])?\d[\d,]*(?:[.．]\d+)?(?:万元|万|件|项|个|条)?)"
)
_NUMBERING_PUNCT = "、.．"


def run_tokens(text: str, pos: int, limit: int) -> tuple[list[Token], int]:
    """The number tokens printed right after a label (separated by spaces or none), and where
    they end. A run that ends in the next sub-row's numbering (``00000002.其他…``) gives that
    numbering back: sub-rows are numbered 1-8 in the official schema, so it is one digit."""
    tokens: list[Token] = []
    while m := _RUN_TOKEN.match(text, pos, limit):
        tok = m.group(1)
        tokens.append(Token(tok, m.start(1), m.end(1), atomic=not tok.isdigit()))
        pos = m.end()
    if tokens and text[pos : pos + 1] in tuple(_NUMBERING_PUNCT) and tokens[-1].text.isdigit():
        last = tokens.pop()
        if len(last.text) > 1 and last.end - last.start > 1:
            kept = last.text[:-1]
            tokens.append(Token(kept, last.start, last.start + len(kept)))
        pos = last.end - 1
    return tokens, pos


def numeric_rows(text: str, start: int, end: int, layout: str) -> list[list[Cell]]:
    """Rows of ``text[start:end]`` made only of numbers and blanks, with at least one number."""
    rows: list[list[Cell]] = []
    separator = re.compile(r"\n") if layout == "grid" else _BLANK_LINE
    pos = start
    bounds = [m.start() for m in separator.finditer(text, start, end)]
    for stop in bounds + [end]:
        first, *cells = split_cells(text, pos, stop)
        if layout == "grid":
            cells = trim_pipes([first, *cells], text[pos:stop])
        elif first.text:
            cells = []
        if (
            cells
            and any(c.text for c in cells)
            and all(_is_number_token(c.text) for c in cells if c.text)
        ):
            rows.append(cells)
        pos = stop + 1
    return rows


def trailing_numeric_rows(text: str, start: int, end: int) -> list[list[Cell]]:
    """Grid lines ending in numbers after their last label cell: the numbers of a table whose
    header and data rows were joined on one line (crawler text), as a row of their own."""
    rows: list[list[Cell]] = []
    pos = start
    for stop in [m.start() for m in re.finditer(r"\n", text[start:end])] + [end - start]:
        cells = trim_pipes(split_cells(text, pos, start + stop), text[pos : start + stop])
        labels = [i for i, c in enumerate(cells) if _is_label(c.text)]
        tail = cells[labels[-1] + 1 :] if labels else []
        while tail and not tail[0].text:
            tail = tail[1:]  # the separator after the last label
        if _has_number(tail) and all(_is_number_token(c.text) for c in tail if c.text):
            rows.append(tail)
        pos = start + stop + 1
    return rows


def trim_pipes(cells: list[Cell], line: str) -> list[Cell]:
    """A Markdown row's cells without the empty pieces outside its first and last pipe."""
    stripped = line.strip()
    if stripped.startswith("|") and cells and not cells[0].text:
        cells = cells[1:]
    if stripped.endswith("|") and cells and not cells[-1].text:
        cells = cells[:-1]
    return cells
