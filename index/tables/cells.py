"""Table cells of tab-separated text (the form every loader gives tables in), with exact spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Cells are separated by tabs (loaders) or pipes (Markdown tables); <br> is a line break in a cell.
_SEPARATOR = re.compile(r"[\t|]")
_BREAK = re.compile(r"<br\s*/?>")


@dataclass(frozen=True)
class Cell:
    """One table cell: its stripped text and the [start, end) span of that text."""

    text: str
    start: int
    end: int


def split_cells(text: str, start: int = 0, end: int | None = None, offset: int = 0) -> list[Cell]:
    """``text[start:end]`` split at tabs or pipes into stripped cells, blank cells kept with an empty span.

    ``offset`` is added to every span (for a line cut out of a larger text).
    """
    end = len(text) if end is None else end
    cells, pos = [], start
    while True:
        sep = _SEPARATOR.search(text, pos, end)
        tab = -1 if sep is None else sep.start()
        piece_end = end if tab == -1 else tab
        raw = _BREAK.sub(lambda m: " " * len(m.group()), text[pos:piece_end])
        lead = len(raw) - len(raw.lstrip())
        stripped = raw.strip()
        begin = offset + pos + lead
        cells.append(Cell(stripped, begin, begin + len(stripped)))
        if tab == -1:
            return cells
        pos = tab + 1
