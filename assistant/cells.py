"""Table cells a question asks for, found in one document: printed, summed, or from prose.

A :class:`Cell` is one figure of one document. ``find_cell`` reads the printed cell under any
of its label alternatives, sums the printed parts of a virtual or group label, or — when the
report's table is missing — takes the figure its prose states. Empty cells stay None (not 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant import lexicon as lx
from assistant.answer import CellDict
from assistant.corpus import CellKey, Corpus
from assistant.selection import doc_label
from assistant.understand import Query
from domain.numbers import format_cell, format_number
from index.models import Document, Fact


# ── cells ──────────────────────────────────────────────────────────────────────────────────
@dataclass
class Cell:
    """One figure for one document: a printed cell, or a sum of printed cells. ``value`` is
    None for a cell printed empty (not a 0); a sum reads its empty parts as 0 and says so."""

    doc: Document
    label: str
    value: float | None
    unit: str
    facts: list[Fact]
    formula: str = ""  # "a + b = c" for sums
    from_text: bool = False

    @property
    def number(self) -> float:
        """The value for arithmetic: an empty cell counts as 0 (answers say which were empty)."""
        return self.value if self.value is not None else 0.0

    @property
    def blank_parts(self) -> list[str]:
        return [item_label(f.row, f.col) for f in self.facts if f.blank or f.value is None]


def alternatives(label: str) -> tuple[str, ...]:
    return lx.LABEL_ALTERNATIVES.get(label, (label,))


def _printed(cells: dict[CellKey, Fact], table: str, row: str, col: str) -> Fact | None:
    for r in alternatives(row):
        for c in alternatives(col):
            fact = cells.get((table, r, c))
            if fact is not None:
                return fact
    return None


def _table_present(cells: dict[CellKey, Fact], table: str) -> bool:
    return any(key[0] == table for key in cells)


def find_cell(corpus: Corpus, doc: Document, table: str, row: str, col: str) -> Cell | None:
    """The figure (table, row, col) of ``doc``: printed, summed from printed parts (virtual
    labels, group totals), or — when the report's table is missing — stated in its prose."""
    cells = corpus.cells.get(doc.doc_id, {})
    label = item_label(row, col)
    if table != lx.TEXT and _table_present(cells, table):
        fact = _printed(cells, table, row, col)
        if fact is not None:
            return Cell(doc, item_label(fact.row, fact.col), fact.value, fact.unit, [fact])
        parts = _parts(cells, table, row, col)
        if parts:
            total = sum(f.value or 0.0 for f in parts)
            formula = " + ".join(
                f"{item_label(f.row, f.col)} {format_cell(f.value)}" for f in parts
            )
            return Cell(
                doc, label, total, parts[0].unit, parts, f"{formula} = {format_number(total)}"
            )
        return None
    fact = _printed(cells, lx.TEXT, row, col)
    if fact is None:
        return None
    return Cell(doc, label, fact.value, fact.unit, [fact], from_text=True)


def _parts(cells: dict[CellKey, Fact], table: str, row: str, col: str) -> list[Fact]:
    """Printed cells whose sum is a virtual or group label; empty when any part is missing."""
    rows = lx.VIRTUAL_PARTS.get(("row", row), (row,))
    cols = lx.VIRTUAL_PARTS.get(("col", col), (col,))
    if row in lx.GROUP_ROWS:
        rows = tuple(sorted({r for (t, r, _c) in cells if t == table and r.startswith(row + ".")}))
    if (rows, cols) == ((row,), (col,)):
        return []
    parts = [_printed(cells, table, r, c) for r in rows for c in cols]
    return [p for p in parts if p is not None] if all(parts) else []


def item_label(row: str, col: str) -> str:
    """A readable label for a cell: 行政复议 结果纠正, 本年新收 自然人."""
    row_text = row.replace(".", "·")
    return row_text if col in ("总计", "数值", "") else f"{row_text} {col}"


_ITEM_COUNT_COLS = ("上一年项目数量", "本年增减", "项目数量")


def figure(cell: Cell) -> str:
    """A cell's figure as the table means it: counts of 事项 in 项, 本年增减 signed and in words
    (+1项（增1）, -22项（减22）)."""
    col = cell.facts[0].col if len(cell.facts) == 1 else ""
    if cell.value is None:
        return BLANK_CELL
    if col == "本年增减" and cell.value:
        word = "增" if cell.value > 0 else "减"
        return f"{'+' if cell.value > 0 else ''}{format_number(cell.value)}项（{word}{format_number(abs(cell.value))}）"
    if col in _ITEM_COUNT_COLS:
        return f"{format_number(cell.value)}项"
    return f"{format_number(cell.value)}{cell.unit}"


BLANK_CELL = "表中该格为空"


def blank_note(cells: Sequence[Cell]) -> str:
    """注：… names the empty cells a sum or comparison read as 0 ('' when none)."""
    names = list(
        dict.fromkeys(f"{doc_label(c.doc)}{part}" for c in cells for part in c.blank_parts)
    )
    return f"注：{'、'.join(names)}在表中为空（未填数字），计算时按0计。" if names else ""


def default_rows(query: Query) -> list[str]:
    """Rows read when the question names none."""
    if query.rows:
        return query.rows
    if query.table == lx.APPLICATIONS:
        return ["本年新收"]
    if query.table == lx.REVIEW:
        return ["行政复议", lx.LITIGATION]  # never guess between 复议 and 诉讼: show both
    return []


def default_cols(query: Query, row: str, corpus: Corpus, doc: Document) -> list[str]:
    """Columns read for ``row`` when the question names none."""
    if query.cols:
        return query.cols
    table = lx.table_of_row(row) if query.table != lx.TEXT else lx.TEXT
    if table == lx.ACTIVE:
        cells = corpus.cells.get(doc.doc_id, {})
        for col in lx.ACTIVE_DEFAULT_COLS.get(row, ()):
            if _printed(cells, lx.ACTIVE, row, col) is not None:
                return [col]
        printed = [c for (t, r, c) in cells if t == lx.ACTIVE and r in alternatives(row)]
        return printed or ["总计"]
    return ["数值"] if row == "平均答复工作日数" else ["总计"]


def table_for(query: Query, row: str) -> str:
    return lx.TEXT if query.table == lx.TEXT else lx.table_of_row(row)


def doc_cells(query: Query, corpus: Corpus, doc: Document) -> list[Cell]:
    """Every (row, col) the query asks for, as found in one document."""
    found = []
    for row in default_rows(query):
        for col in default_cols(query, row, corpus, doc):
            cell = find_cell(corpus, doc, table_for(query, row), row, col)
            if cell is not None:
                found.append(cell)
    return found


def cell_dict(cell: Cell) -> CellDict:
    """A cell for the UI's table."""
    return {
        "doc_id": cell.doc.doc_id, "region": cell.doc.region, "year": cell.doc.year,
        "label": cell.label, "value": cell.value, "unit": cell.unit,
        "facts": [f.to_dict() for f in cell.facts], "formula": cell.formula,
        "origin": "text" if cell.from_text else ("sum" if cell.formula else "table"),
    }  # fmt: skip
