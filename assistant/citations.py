"""Numbered citations of structured answers: one number per distinct quoted span.

A table cell cites its row as printed; a figure from prose cites its sentence; a task cites
its row. (Verifying a generated answer against its passages is assistant.cite's job.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from domain.citation import Citation
from index.models import Document

if TYPE_CHECKING:
    from assistant.cells import Cell


class Citations:
    """Numbered citations, one per distinct quoted span."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._index: dict[tuple[str, int, int], int] = {}

    def cite(self, doc: Document, start: int, end: int) -> int:
        key = (doc.doc_id, start, end)
        if key not in self._index:
            n = len(self.items) + 1
            self._index[key] = n
            self.items.append(Citation.of(n, doc, start, end))
        return self._index[key]

    def cite_cell(self, cell: Cell) -> str:
        """Citation markers for a cell's facts: [1] or [1][2]; 〔正文〕 for prose figures."""
        return self.cite_cells([cell])

    def cite_cells(self, cells: Sequence[Cell]) -> str:
        marks: list[str] = []
        for cell in cells:
            for fact in cell.facts:
                start, end = (fact.start, fact.end)
                if fact.origin == "text":
                    start, end = sentence_span(cell.doc.text, start, end)
                mark = f"[{self.cite(cell.doc, start, end)}]"
                if mark not in marks:
                    marks.append(mark)
        text_mark = "〔正文〕" if any(c.from_text for c in cells) else ""
        return "".join(marks) + text_mark


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``[start, end)``: back to the previous 。！？；/newline, on past the next."""
    left = max(text.rfind(c, 0, start) for c in "。！？；\n") + 1
    right_candidates = [i for i in (text.find(c, end) for c in "。！？；\n") if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    while left < start and text[left].isspace():
        left += 1
    return left, min(right, len(text))
