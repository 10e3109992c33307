"""Structured answers from parsed table cells (Facts) and task rows (Tasks), with citations.

``answer_table(query, corpus)`` and ``answer_tasks(query, corpus)`` return a
:class:`StructuredAnswer`, or None when the structured data cannot answer (the caller then
falls through to retrieval). Every number shown is a Fact's value or is computed from Facts
with the formula printed; every citation quotes ``doc.text[start:end]`` (for a table cell the
table row as printed, for a prose figure its sentence). Questions about regions or years the
corpus does not hold are refused with the list of what it holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from assistant import lexicon as lx
from assistant.corpus import Corpus, CorpusStore, load_corpus
from assistant.scope import (
    Scoped,
    distinct_regions,
    same_region,
    same_report_series,
    scope_by_issuer,
)
from assistant.understand import Query, understand
from domain import refusals
from domain.citation import Citation
from domain.kinds import ANNUAL, WORK_POINTS, full_name
from domain.numbers import format_cell, format_number
from domain.quantity import asks_count
from domain.warning import Warning
from index.models import Document, Fact, Task
from index.tag import is_own_level
from index.vocab import entries

_QUIET_WARNINGS = {"issuer_unknown"}  # tagging notes, not about the figures
_TEXT_NOTE = "注：标〔正文〕的数字取自报告正文的文字表述，不是统计表单元格。"
MAX_LISTED_TASKS = 20
MIN_KEYWORD_COVERAGE = 0.5  # a keyword-matched task must hold half the keyword's words


# ── answer ───────────────────────────────────────────────────────────────────────────────
@dataclass
class StructuredAnswer:
    """An answer built from Facts or Tasks; ``to_dict`` fits DESIGN.md's answer contract."""

    answer: str
    route: str  # "table" | "tasks"
    value: float | None = None
    unit: str = ""
    refused: bool = False
    citations: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)  # facts used (the UI's table)
    series: dict[str, float] = field(default_factory=dict)  # label → value, for comparisons
    tasks: list[dict[str, Any]] = field(default_factory=list)  # tasks listed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ── documents: selection and refusal ───────────────────────────────────────────────────────
def doc_label(doc: Document) -> str:
    """济南市莱芜区2020年 (region unknown → （地区未知）)."""
    body = "" if not doc.issuer or is_own_level(doc.issuer) else doc.issuer  # a department's report
    return f"{doc.region or '（地区未知）'}{body}{doc.year or '（年份未知）'}年"


def held_list(documents: Iterable[Document], kind: str) -> str:
    """What the corpus holds of one kind: 济南市莱芜区2020年、槐荫区2019年 …"""
    labels = [
        doc_label(d)
        for d in sorted(documents, key=lambda d: (d.region, d.year or 0))
        if d.kind == kind
    ]
    return "、".join(labels) if labels else "（无）"


@dataclass
class Selection:
    """The documents a question is about, or why there are none (``refusal``), plus notes on
    asked-for regions/years the corpus lacks while others are answered (``missing``) and on
    the departmental reports a region-level answer leaves out (``note``)."""

    docs: list[Document]
    refusal: str = ""
    missing: str = ""
    note: str = ""


def select_documents(query: Query, documents: Sequence[Document], kind: str) -> Selection:
    """Documents of ``kind`` matching the query's regions, years and issuers."""
    kind_docs = [d for d in documents if d.kind == kind]
    pool = kind_docs
    name = full_name(kind)
    held = refusals.held_of_kind(name, held_list(pool, kind))
    named = distinct_regions(query.regions)
    if query.unknown_regions and not query.regions:
        return Selection([], refusals.not_held("、".join(query.unknown_regions), name, held))
    if query.regions:
        pool = [d for d in pool if d.region in query.regions]
        if not pool:
            return Selection([], refusals.not_held("、".join(named), name, held))
    if query.years:
        in_years = [d for d in pool if d.year in query.years]
        if not in_years:
            where = "、".join(named)
            years = "、".join(f"{y}年" for y in query.years)
            return Selection([], refusals.not_held(f"{where}{years}", name, held))
        pool = in_years
    if not pool:
        return Selection([], refusals.kind_not_held(name))
    if query.group.issuers and not query.issuers:  # 各部门 / 哪些单位: every issuer's report
        scoped = Scoped(list(pool))
    else:
        scoped = scope_by_issuer(pool, query.issuers, query.regions, name, kind_docs, query.years)
    if scoped.refusal:
        return Selection([], scoped.refusal)
    pool = latest_years(scoped.docs, query.group.years) if not query.years else scoped.docs
    if asks_group(query):
        pool = one_file_per_report(pool)
    lacking = [*query.unknown_regions]
    for region in named:
        years = [y for y in query.years or [None] if not _holds(pool, region, y)]
        lacking += [f"{region}{f'{y}年' if y else ''}" for y in years]
    missing = refusals.partly_held("、".join(lacking), name) if lacking else ""
    return Selection(sorted(pool, key=lambda d: (d.region, d.year or 0)), "", missing, scoped.note)


def asks_group(query: Query) -> bool:
    """各部门 / 历年 / 排名 / 不为0: a question over a group of reports."""
    group = query.group
    return group.issuers or group.years is not None or group.rank or group.nonzero


def one_file_per_report(docs: Sequence[Document]) -> list[Document]:
    """One file for each report (issuer, region, year): a report held twice (its web page
    and its text, a PDF and its conversion) is one entry of a ranking, not two. The file
    the reader settled best (fewest warnings) stands for it."""
    best: dict[tuple, Document] = {}
    kept = []
    for doc in docs:
        if not (doc.region and doc.year):
            kept.append(doc)
            continue
        key = (doc.kind, doc.region, doc.issuer, doc.year)
        if key not in best or len(doc.warnings) < len(best[key].warnings):
            best[key] = doc
    return kept + list(best.values())


def latest_years(docs: Sequence[Document], years: int | None) -> list[Document]:
    """The reports of the latest ``years`` years held (近三年); all of them for 0 or None."""
    if not years:
        return list(docs)
    kept = sorted({d.year for d in docs if d.year}, reverse=True)[:years]
    return [d for d in docs if d.year in kept]


def _holds(docs: Sequence[Document], region: str, year: int | None) -> bool:
    return any(same_region(d.region, region) and (year is None or d.year == year) for d in docs)


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


def _alternatives(label: str) -> tuple[str, ...]:
    return lx.LABEL_ALTERNATIVES.get(label, (label,))


def _printed(cells: dict, table: str, row: str, col: str) -> Fact | None:
    for r in _alternatives(row):
        for c in _alternatives(col):
            fact = cells.get((table, r, c))
            if fact is not None:
                return fact
    return None


def _table_present(cells: dict, table: str) -> bool:
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


def _parts(cells: dict, table: str, row: str, col: str) -> list[Fact]:
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
        printed = [c for (t, r, c) in cells if t == lx.ACTIVE and r in _alternatives(row)]
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


# ── citations ────────────────────────────────────────────────────────────────────────────
class Citations:
    """Numbered citations, one per distinct quoted span."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._index: dict[tuple[str, int, int], int] = {}

    def cite(self, doc: Document, start: int, end: int) -> int:
        key = (doc.doc_id, start, end)
        if key not in self._index:
            n = len(self.items) + 1
            self._index[key] = n
            self.items.append(Citation.of(n, doc, start, end).to_dict())
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


def cell_dict(cell: Cell) -> dict[str, Any]:
    """A cell for the UI's table."""
    return {
        "doc_id": cell.doc.doc_id, "region": cell.doc.region, "year": cell.doc.year,
        "label": cell.label, "value": cell.value, "unit": cell.unit,
        "facts": [f.to_dict() for f in cell.facts], "formula": cell.formula,
        "origin": "text" if cell.from_text else ("sum" if cell.formula else "table"),
    }  # fmt: skip


def doc_warnings(docs: Iterable[Document]) -> list[str]:
    """Each document's warnings, labelled with the document (identity failures and the like)."""
    out = []
    for doc in docs:
        for warning in doc.warnings:
            if Warning.parse(warning).code not in _QUIET_WARNINGS:
                line = f"{doc_label(doc)}报告：{warning}"
                if line not in out:
                    out.append(line)
    return out


# ── table answers ────────────────────────────────────────────────────────────────────────
def answer_table(query: Query, corpus: Corpus) -> StructuredAnswer | None:
    """Answer a numeric question from table cells; None when the tables cannot answer."""
    if not query.is_numeric or query.table is None or query.unsupported or query.unexplained:
        return None  # not a table question, a measure no cell gives, or about something else
    selection = select_documents(query, corpus.documents, ANNUAL)
    if selection.refusal:
        return StructuredAnswer(selection.refusal, "table", refused=True)
    docs = selection.docs
    if query.relative_year:
        held = held_list(docs, ANNUAL)
        text = f"问题中的“{query.relative_year}”指哪一年无法确定，请写明年份。可查询的年度报告：{held}。"
        return StructuredAnswer(text, "table", refused=True)
    if query.measure in ("rate", "share"):
        answer = answer_ratio(query, corpus, docs)
    elif query.measure == "yoy":
        answer = answer_change(query, corpus, docs) or answer_printed_change(query, corpus, docs)
    else:
        answer = answer_values(query, corpus, docs)
    if answer is not None and selection.missing:
        answer.answer += "\n" + selection.missing
        answer.value = None  # part of what was asked is missing: no single figure answers it
    if answer is not None and selection.note:
        answer.answer += "\n" + selection.note
    return answer


def _finish(
    text: str, cells: Sequence[Cell], citations: Citations, **fields: Any
) -> StructuredAnswer:
    docs = list({c.doc.doc_id: c.doc for c in cells}.values())
    notes = [_TEXT_NOTE] if any(c.from_text for c in cells) else []
    return StructuredAnswer(
        answer="\n".join([text, *notes]),
        route="table",
        citations=citations.items,
        warnings=doc_warnings(docs),
        cells=[cell_dict(c) for c in cells],
        **fields,
    )


def series_label(cell: Cell, by_doc: bool, by_item: bool) -> str:
    parts = ([doc_label(cell.doc)] if by_doc else []) + ([cell.label] if by_item else [])
    return " ".join(parts) or cell.label


def answer_values(
    query: Query, corpus: Corpus, docs: Sequence[Document]
) -> StructuredAnswer | None:
    """A single cell, every matching document's cell, a sum, or a comparison."""
    per_doc = {d.doc_id: doc_cells(query, corpus, d) for d in docs}
    cells = [c for d in docs for c in per_doc[d.doc_id]]
    if not cells:
        return ambiguous_refusal(query, docs)
    citations = Citations()
    units = {c.unit for c in cells}
    unit = units.pop() if len(units) == 1 else ""
    by_doc = len({c.doc.doc_id for c in cells}) > 1
    by_item = len({c.label for c in cells}) > 1
    if len(cells) == 1:
        cell = cells[0]
        text = f"{doc_label(cell.doc)}{cell.label}：{figure(cell)}{citations.cite_cell(cell)}"
        if cell.formula:
            text += f"（{cell.formula}）"
        text += "。" + blank_note(cells) if cell.formula else "。"
        return _finish(text, cells, citations, value=cell.value, unit=cell.unit)
    shown = cells
    zero: list[Cell] = []
    if query.group.nonzero:  # 哪些单位…不为0: the others are named, not listed
        shown = [c for c in cells if c.value]
        zero = [c for c in cells if not c.value]
        if not shown:
            text = f"所查{len(cells)}份报告中该项均为0或空：" + "、".join(
                f"{series_label(c, by_doc, by_item)}{figure(c)}{citations.cite_cell(c)}"
                for c in cells
            )
            return _finish(text + "。", cells, citations, unit=unit)
    if query.group.rank or query.measure == "compare":
        shown = sorted(shown, key=lambda c: -(c.value or 0)) if query.group.rank else shown
    if query.group.rank:  # the cells in the ranking's order (a chart draws them so)
        cells = shown + [c for c in cells if c not in shown]
    lines = [
        f"- {series_label(c, by_doc, by_item)}：{figure(c)}{citations.cite_cell(c)}"
        + (f"（{c.formula}）" if c.formula else "")
        for c in shown
    ]
    if zero:
        lines.append(
            "其余为0或空："
            + "、".join(f"{series_label(c, by_doc, by_item)}{citations.cite_cell(c)}" for c in zero)
        )
    series = {series_label(c, by_doc, by_item): c.number for c in cells}
    missing = [doc_label(d) for d in docs if not per_doc[d.doc_id]]
    tail = [f"（{'、'.join(missing)}报告中没有这一数字）"] if missing else []
    computed = [c for c in cells if c.formula or (query.measure in ("sum", "compare") and unit)]
    tail += [blank_note(computed)] if blank_note(computed) else []
    if query.measure == "sum" and unit:
        total = sum(c.number for c in cells)
        formula = " + ".join(format_number(c.number) for c in cells)
        head = f"合计：{formula} = {format_number(total)}{unit}。其中："
        return _finish(
            "\n".join([head, *lines, *tail]),
            cells,
            citations,
            value=total,
            unit=unit,
            series=series,
        )
    head = "按报告分列：" if by_doc and not by_item else "各项数字："
    if query.group.rank:
        head = "从高到低：" if by_doc and not by_item else head
    elif query.group.nonzero:
        head = "不为0的报告："
    if query.measure == "compare" and unit and not query.group.nonzero:
        lines.append(compare_summary(series, unit, query.question))
    if query.group.years is not None and unit:
        lines += year_steps(shown, unit)
    return _finish("\n".join([head, *lines, *tail]), cells, citations, unit=unit, series=series)


_AMBIGUOUS = re.compile(r"ambiguous_cells: (?P<table>[^/\s]+)/(?P<row>\S+) \((?P<splits>[^)]*)\)")


def ambiguous_refusal(query: Query, docs: Sequence[Document]) -> StructuredAnswer | None:
    """The asked row printed its cells run together in a way the table's rules cannot split:
    say so, quote the printed row, give no figure (a guess could be a wrong number)."""
    rows = default_rows(query)
    for doc in docs:
        for warning in doc.warnings:
            m = _AMBIGUOUS.match(warning)
            if not m or not any(
                r in _alternatives(m["row"]) or m["row"] in _alternatives(r) for r in rows
            ):
                continue
            label = m["row"].split(".")[-1]
            printed = re.search(rf"{re.escape(label)}\s*(\d[\d\s]*)", doc.text)
            citations = Citations()
            mark = f"[{citations.cite(doc, printed.start(), printed.end())}]" if printed else ""
            digits = printed.group(1).strip() if printed else ""
            readings = "、".join(r.strip().replace("/", "|") for r in m["splits"].split("|")[:4])
            text = (
                f"{doc_label(doc)}报告表格中“{label}”一行的数字连在一起印刷（“{digits}”）{mark}，"
                f"按表格本身的规则可读成 {readings} 等多种拆分，无法确定所问的数字，未作答。"
                "请查阅原网页或原件中的表格。"
            )
            return StructuredAnswer(text, "table", refused=True, citations=citations.items,
                                    warnings=doc_warnings([doc]))  # fmt: skip
    return None


def year_steps(cells: Sequence[Cell], unit: str) -> list[str]:
    """逐年变化 of one issuer's figure: 2019年0件 → 2021年1件（+1）→ …; [] when the cells are
    not one series of distinct years."""
    series = {(c.doc.region, c.doc.issuer) for c in cells}
    years = [c.doc.year for c in cells]
    if len(series) != 1 or len(set(years)) != len(years) or len(cells) < 2 or None in years:
        return []
    ordered = sorted(cells, key=lambda c: c.doc.year or 0)
    steps = [f"{ordered[0].doc.year}年{figure(ordered[0])}"]
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.value is None or after.value is None:
            steps.append(f"{after.doc.year}年{figure(after)}")
            continue
        delta = after.value - before.value
        steps.append(
            f"{after.doc.year}年{figure(after)}（{'+' if delta >= 0 else ''}{format_number(delta)}）"
        )
    return ["逐年变化：" + " → ".join(steps)]


def compare_summary(series: dict[str, float], unit: str, question: str) -> str:
    """最多/最少 and, for two figures, their difference."""
    ranked = sorted(series.items(), key=lambda kv: kv[1], reverse=True)
    parts = []
    if any(w in question for w in ("最少", "最低", "fewest", "least", "lowest")):
        parts.append(f"最少的是{ranked[-1][0]}（{format_number(ranked[-1][1])}{unit}）")
    else:
        parts.append(f"最多的是{ranked[0][0]}（{format_number(ranked[0][1])}{unit}）")
    if len(ranked) == 2:
        parts.append(f"两者相差{format_number(round(ranked[0][1] - ranked[1][1], 4))}{unit}")
    return "；".join(parts) + "。"


def ratio_terms(query: Query, row: str) -> tuple[tuple[str, str], tuple[str, str], str]:
    """(numerator (row, col), denominator (row, col), measure name) for a rate or share."""
    table = lx.table_of_row(row)
    cols = query.cols or ["总计"]
    if table == lx.REVIEW:
        col = cols[0]
        name = {"结果纠正": "纠错率", "结果维持": "维持率"}.get(col, f"{col}占比")
        return (row, col), (row, "总计"), name
    if table == lx.APPLICATIONS:
        if len(query.rows) >= 2:
            return (query.rows[0], cols[0]), (query.rows[1], cols[0]), f"{query.rows[0]}占比"
        if len(cols) >= 2:
            return (row, cols[0]), (row, cols[1]), f"{cols[0]}占比"
        if cols[0] != "总计":
            return (row, cols[0]), (row, "总计"), f"{cols[0]}占比"
        named = "率" if query.measure == "rate" else "占比"  # 予以公开率 as asked
        return (row, "总计"), ("总计", "总计"), f"{row.replace('.', '·')}{named}"
    return (row, cols[0]), (row, "总计"), "占比"


def operand_label(row: str, col: str, other_row: str) -> str:
    """How a ratio's operand is named: by column when both share the row (结果纠正 ÷ 总计)."""
    return col if row == other_row else item_label(row, col)


def answer_ratio(query: Query, corpus: Corpus, docs: Sequence[Document]) -> StructuredAnswer | None:
    """纠错率 / 占比: numerator ÷ denominator per document, with the formula shown."""
    rows = default_rows(query)
    if query.measure == "share" and len(query.rows) >= 2:
        rows = rows[:1]
    if not rows:
        return None
    pairs = []  # (doc, row, name, terms, numerator cell, denominator cell)
    for doc in docs:
        for row in rows:
            terms = ratio_terms(query, row)
            (nr, nc), (dr, dc), name = terms
            num = find_cell(corpus, doc, lx.table_of_row(nr), nr, nc)
            den = find_cell(corpus, doc, lx.table_of_row(dr), dr, dc)
            if num is not None and den is not None:
                pairs.append((doc, row, name, terms, num, den))
    if not pairs:
        return None
    if query.group.rank:  # 各部门…率排名: computed rates high to low, the others after
        pairs.sort(key=lambda p: -p[4].number / p[5].number if p[5].number else 1)
        lines = ["从高到低："] if sum(1 for p in pairs if p[5].number) > 1 else []
    else:
        lines = []
    citations = Citations()
    used, series, failed = [], {}, []
    for doc, row, name, ((nr, nc), (dr, dc), _), num, den in pairs:
        used += [num, den]
        marks = citations.cite_cells([num, den])
        prefix = doc_label(doc) + (f"{item_label(row, '')} " if table_needs_row(row) else "")
        num_text = f"{operand_label(nr, nc, dr)} {format_cell(num.value)}{num.unit}"
        den_text = f"{operand_label(dr, dc, nr)} {format_cell(den.value)}{den.unit}"
        if not den.number:
            failed.append(doc)
            why = "在表中为空" if den.value is None else "为0"
            lines.append(f"{prefix}{name}无法计算：{den_text}{why}（{num_text}）{marks}")
            continue
        pct = round(num.number / den.number * 100, 1)
        series[f"{doc_label(doc)} {item_label(row, '')}"] = pct
        lines.append(f"{prefix}{name} = {num_text} ÷ {den_text} = {pct:.1f}%{marks}")
    if blank_note(used):
        lines.append(blank_note(used))
    single = len(series) == 1 and not failed
    value = next(iter(series.values())) if single else None
    return _finish(
        "\n".join(lines) + "。", used, citations, value=value, unit="%",
        series={} if single else series, refused=not series,
    )  # fmt: skip


def table_needs_row(row: str) -> bool:
    return lx.table_of_row(row) == lx.REVIEW


def answer_printed_change(
    query: Query, corpus: Corpus, docs: Sequence[Document]
) -> StructuredAnswer | None:
    """比上年多/少了几项 for a 主动公开 row whose table prints 本年增减 (the 2019 format): that
    printed cell answers it when the previous year's report is not held."""
    rows = [r for r in query.rows if lx.table_of_row(r) == lx.ACTIVE]
    if not rows or query.wants_percent:
        return None
    printed = replace(query, rows=rows, cols=["本年增减"], measure="value")
    answer = answer_values(printed, corpus, docs)
    fell = answer is not None and answer.value is not None and answer.value < 0
    if fell and asks_decrease(query.question):
        answer.value = -answer.value  # 少了几项: the size of the fall
    return answer


_DECREASE = re.compile(
    r"减少|下降|降低|压缩|缩短|减|少了|decrease|decline|drop|fall|fewer|less", re.I
)


def asks_decrease(question: str) -> bool:
    """Does a change question ask how much something fell (减少了多少, how much did … drop)?"""
    return bool(_DECREASE.search(question))


def answer_change(
    query: Query, corpus: Corpus, docs: Sequence[Document]
) -> StructuredAnswer | None:
    """同比: the same figure for a region in two years; None when the earlier year is not held."""
    all_annual = [d for d in corpus.documents if d.kind == ANNUAL]
    pairs = []
    for doc in docs:
        if query.years and len(query.years) >= 2:
            if doc.year != max(query.years):
                continue
            earlier_year = min(query.years)
        else:
            if not query.years and any(
                same_report_series(d, doc) and (d.year or 0) > (doc.year or 0) for d in docs
            ):
                continue  # without a year, the latest report of each region
            earlier_year = (doc.year or 0) - 1
        earlier = [d for d in all_annual if same_report_series(d, doc) and d.year == earlier_year]
        if earlier:
            pairs.append((earlier[0], doc))
    if not pairs:
        return None
    citations = Citations()
    lines, used, series = [], [], {}
    value: float | None = None
    unit = ""
    for before, after in pairs:
        for row in default_rows(query):
            for col in default_cols(query, row, corpus, after):
                old = find_cell(corpus, before, table_for(query, row), row, col)
                new = find_cell(corpus, after, table_for(query, row), row, col)
                if old is None or new is None:
                    continue
                used += [old, new]
                change = round(new.number - old.number, 4)
                pct = round(change / old.number * 100, 1) if old.number else None
                word = "增加" if change >= 0 else "减少"
                pct_text = (
                    f"，{'增长' if change >= 0 else '下降'}{abs(pct):.1f}%"
                    if pct is not None
                    else ""
                )
                lines.append(
                    f"{after.region}{new.label}：{after.year}年{format_cell(new.value)}{new.unit}"
                    f"{citations.cite_cell(new)}，{before.year}年{format_cell(old.value)}{old.unit}"
                    f"{citations.cite_cell(old)}；同比{word}{format_number(abs(change))}{new.unit}"
                    f"（{format_number(new.number)} − {format_number(old.number)} = {format_number(change)}{pct_text}）"
                )
                key = f"{after.region} {new.label}"
                # 减少了多少 asks for the size of a fall: a fall of 185.28 answers it, not −185.28.
                sign = -1 if change < 0 and asks_decrease(query.question) else 1
                if not query.wants_percent:
                    series[key], unit = sign * change, new.unit
                elif pct is not None:
                    series[key], unit = sign * pct, "%"
                else:
                    lines.append(f"（{before.year}年为0，无法计算增长百分比）")
    if not used:
        return None
    if blank_note(used):
        lines.append(blank_note(used))
    if len(series) == 1:
        value = next(iter(series.values()))
        series = {}
    return _finish("\n".join(lines) + "。", used, citations, value=value, unit=unit, series=series)


# ── task answers ─────────────────────────────────────────────────────────────────────────
_UNIT_END = re.compile(
    "(?:"
    + "|".join(re.escape(e) for k in ("issuer", "unit") for e in entries("admin_suffixes.tsv", k))
    + ")$"
)  # the endings of 机构 names: index/vocab/admin_suffixes.tsv


def asked_units(asked: str) -> list[str]:
    """区图书馆和区档案馆 → both units; 区教育和体育局 stays one (区教育 is no unit)."""
    parts = [p for p in re.split(r"和|及|与|、|以及", asked) if p]
    return parts if len(parts) > 1 and all(_UNIT_END.search(p) for p in parts) else [asked]


def unit_matches(asked: str, units: Sequence[str]) -> bool:
    """Does a task's unit list include the asked unit(s) (区民政局 ⊂ 区民政局; 民政局 ⊂ 区民政局)?"""
    names = asked_units(asked)
    if len(names) > 1:
        return all(unit_matches(name, units) for name in names)
    asked = lx.normalize(asked)
    bare = re.sub(r"^(?:区|市|县)", "", asked)
    return any(
        asked in lx.normalize(u) or (len(bare) >= 2 and bare in lx.normalize(u)) for u in units
    )


def deadline_month(deadline: str) -> int | None:
    """Month a printed deadline falls in: 2022年6月底前 → 6; 年底 → 12; 全年 → None."""
    m = re.search(r"(\d{1,2})\s*月", deadline)
    if m:
        return int(m.group(1))
    if "年底" in deadline or "年末" in deadline:
        return 12
    return None


def deadline_matches(query: Query, deadline: str) -> bool:
    if query.deadline_month is not None:
        return deadline_month(deadline) == query.deadline_month
    return bool(query.deadline) and query.deadline in re.sub(r"\s+", "", deadline)


_GENERIC_WORDS = {
    "信息", "公开", "信息公开", "政务", "政务公开", "工作", "加强", "推进", "做好", "相关", "建设",
    "情况", "要求", "任务", "单位", "政府", "部门", "负责", "哪个", "哪些", "什么", "完成",
}  # fmt: skip


def keyword_scores(keyword: str, tasks: Sequence[Task]) -> tuple[list[float], list[float]]:
    """Relevance of each task to a keyword: rare shared words weigh more (idf over tasks);
    generic words of the genre (信息公开, 加强, 推进 …) do not count. Also returns, per task,
    the share of the keyword's words (by length) it contains."""
    import math

    import jieba

    phrases = keyword.split()
    for generic in sorted(_GENERIC_WORDS, key=len, reverse=True):
        phrases = [p for piece in phrases for p in piece.split(generic)]
    words = [w for w in jieba.lcut_for_search(keyword) if w not in _GENERIC_WORDS and len(w) >= 2]
    texts = [f"{t.area}{t.subtask}{t.requirement}" for t in tasks]
    total = sum(len(w) for w in dict.fromkeys(words)) or 1
    coverage = [sum(len(w) for w in dict.fromkeys(words) if w in text) / total for text in texts]
    scores = [0.0] * len(tasks)
    for word in dict.fromkeys(w for w in [*phrases, *words] if len(w) >= 2):
        hits = [i for i, text in enumerate(texts) if word in text]
        if not hits:
            continue
        idf = math.log((len(tasks) + 1) / len(hits)) * len(word)
        for i in hits:
            scores[i] += idf
    return scores, coverage


def task_matches(query: Query, task: Task) -> bool:
    """Does a task pass the query's number, unit and deadline filters?"""
    if query.numbers and task.number not in query.numbers:
        return False
    if query.unit and not unit_matches(query.unit, [*task.lead_units, *task.units]):
        return False
    return not query.deadline or deadline_matches(query, task.deadline)


def select_tasks(
    query: Query, candidates: Sequence[tuple[Document, Task]]
) -> list[tuple[Document, Task]]:
    """Tasks matching the query's number, unit, deadline, or (when it names none of these)
    the tasks sharing most with its keyword, across all documents at once."""
    chosen = [(d, t) for d, t in candidates if task_matches(query, t)]
    if not query.numbers and not query.unit and not query.deadline and query.keyword:
        scores, coverage = keyword_scores(query.keyword, [t for _, t in chosen])
        best = max(scores, default=0.0)
        chosen = [
            pair
            for pair, s, c in zip(chosen, scores, coverage, strict=True)
            if best > 0 and s >= best * 0.999 and c >= MIN_KEYWORD_COVERAGE
        ]
    return chosen


def task_line(task: Task, doc: Document, mark: str, many_docs: bool) -> str:
    where = f"{doc_label(doc)} " if many_docs else ""
    number = f"第{task.number}项" if task.number is not None else (task.subtask or task.area)
    units = "、".join(task.units) or "（未列）"
    lead = f"牵头单位：{'、'.join(task.lead_units)}；" if task.lead_units else ""
    deadline = f"；完成时限：{task.deadline}" if task.deadline else ""
    title = f"{task.subtask}：" if task.lead_units and task.subtask else ""
    return (
        f"- {where}{number}：{title}{task.requirement}（{lead}责任单位：{units}{deadline}）{mark}"
    )


def describe_filter(query: Query) -> str:
    parts = []
    if query.numbers:
        parts.append("、".join(f"第{n}项" for n in query.numbers))
    if query.unit:
        parts.append(f"由{query.unit}负责")
    if query.deadline:
        parts.append(f"完成时限为{query.deadline}")
    if not parts and query.keyword:
        parts.append(f"与“{query.keyword}”相关")
    return "、".join(parts)


_TASK_TABLE_WORDS = ("任务", "工作要点", "要点", "分解表", "task", "work point", "work plan")


def names_task_table(query: Query) -> bool:
    """Does the question name the task table itself (a number, unit, deadline, 任务, 工作要点)?
    Otherwise (谁负责政务公开工作) it may be about an annual report and retrieval can answer."""
    text = query.question.lower()
    named = query.numbers or query.unit or query.deadline
    return bool(named) or any(word in text for word in _TASK_TABLE_WORDS)


def table_heading(doc: Document, first: Task) -> tuple[int, int] | None:
    """Span of the task table's printed title (…任务分解表) just before its first row."""
    end = doc.text.rfind("分解表", 0, first.start)
    if end < 0:
        return None
    start, end = sentence_span(doc.text, end, end + len("分解表"))
    quote = doc.text[start:end]
    return (start, end) if quote.strip() and "\t" not in quote else None


def count_tasks(
    docs: Sequence[Document], tasks: dict[str, list[Task]], missing: str
) -> StructuredAnswer:
    """How many tasks each document's table holds, citing its title and its first and last rows."""
    citations = Citations()
    lines, total = [], 0
    for doc in docs:
        rows = sorted(tasks[doc.doc_id], key=lambda t: t.start)
        first, last = rows[0], rows[-1]
        heading = table_heading(doc, first)
        title = f"[{citations.cite(doc, *heading)}]" if heading else ""
        numbers = [t.number for t in rows if t.number is not None]
        ends = [f"首项[{citations.cite(doc, first.start, first.end)}]"]
        if last is not first:
            ends.append(f"末项[{citations.cite(doc, last.start, last.end)}]")
        if numbers and sorted(numbers) == list(range(1, len(rows) + 1)):
            span = f"序号1至{len(rows)}，" if len(rows) > 1 else ""
        elif numbers:
            span = f"序号{min(numbers)}至{max(numbers)}，不连续或有缺行，"
        else:
            span = "未印序号，"
        lines.append(
            f"{doc_label(doc)}工作要点的任务分解表{title}共列{len(rows)}项任务"
            f"（{span}{'、'.join(ends)}）。"
        )
        total += len(rows)
    head = [f"共{total}项任务：", *(f"- {line}" for line in lines)] if len(lines) > 1 else lines
    return StructuredAnswer(
        "\n".join([*head, *([missing] if missing else [])]),
        "tasks",
        value=float(total),
        unit="项",
        citations=citations.items,
        warnings=doc_warnings(docs),
    )


def answer_tasks(query: Query, corpus: Corpus) -> StructuredAnswer | None:
    """List the tasks a task question asks for, each with its row as the citation; a count of
    the whole table cites its title and first and last rows."""
    if not query.is_task:
        return None
    selection = select_documents(query, corpus.documents, WORK_POINTS)
    if selection.refusal:
        if not names_task_table(query):
            return None  # 谁负责政务公开工作 in a year without work points: retrieval
        return StructuredAnswer(selection.refusal, "tasks", refused=True)
    docs = [d for d in selection.docs if corpus.tasks.get(d.doc_id)]
    if not docs:
        return None
    unfiltered = not query.numbers and not query.unit and not query.deadline and not query.keyword
    if unfiltered and asks_count(query.question):
        return count_tasks(docs, corpus.tasks, selection.missing)
    if query.numbers and not any(
        t.number is not None for d in docs for t in corpus.tasks[d.doc_id]
    ):
        names = "、".join(doc_label(d) for d in docs)
        return StructuredAnswer(
            f"{names}工作要点的任务分解表没有印序号，无法按“第{query.number}项”查找。",
            "tasks",
            refused=True,
        )
    matched = select_tasks(query, [(d, t) for d in docs for t in corpus.tasks[d.doc_id]])
    wanted = describe_filter(query)
    if not matched:
        if not query.numbers and not query.unit and not query.deadline:
            return None  # a keyword the task tables do not hold: leave it to retrieval
        return StructuredAnswer(
            f"在{'、'.join(doc_label(d) for d in docs)}的任务分解表中没有找到{wanted}的任务。",
            "tasks", refused=True,
        )  # fmt: skip
    citations = Citations()
    many_docs = len({d.doc_id for d, _ in matched}) > 1
    listed = matched[:MAX_LISTED_TASKS]
    lines = [
        task_line(t, d, f"[{citations.cite(d, t.start, t.end)}]", many_docs) for d, t in listed
    ]
    if query.numbers and len(matched) == 1:
        d, t = matched[0]
        head = f"{doc_label(d)}工作要点第{t.number}项的具体要求："
    elif query.numbers and not query.unit and not query.deadline:
        head = f"{wanted}的具体要求："
    else:
        head = f"共{len(matched)}项{wanted}的任务：" if wanted else f"共{len(matched)}项任务："
    if len(matched) > len(listed):
        lines.append(f"（其余{len(matched) - len(listed)}项未列出）")
    if selection.missing:
        lines.append(selection.missing)
    counted = asks_count(query.question)
    return StructuredAnswer(
        "\n".join([head, *lines]),
        "tasks",
        value=float(len(matched)) if counted else None,
        unit="项" if counted else "",
        citations=citations.items,
        warnings=doc_warnings(list({d.doc_id: d for d, _ in matched}.values())),
        tasks=[{**t.to_dict(), "title": d.title} for d, t in listed],
    )


# ── one call for the API, and LangChain tools ─────────────────────────────────────────────
def answer_structured(question: str, store: CorpusStore) -> StructuredAnswer | None:
    """Understand ``question`` and answer it from tasks or tables; None → use retrieval."""
    corpus = load_corpus(store)
    query = understand(question, corpus.documents)
    if query.is_task:
        return answer_tasks(query, corpus)
    return answer_table(query, corpus)


def make_structured_tools(store: CorpusStore) -> list[Any]:
    """LangChain tools over ``store``: ``table_lookup`` (numbers) and ``task_lookup`` (tasks).

    Each returns the answer text as content and the full :class:`StructuredAnswer` dict as
    the artifact (``response_format="content_and_artifact"``).
    """
    from langchain_core.tools import StructuredTool

    def run(question: str, want_task: bool) -> tuple[str, dict[str, Any] | None]:
        corpus = load_corpus(store)
        query = understand(question, corpus.documents)
        result = answer_tasks(query, corpus) if want_task else answer_table(query, corpus)
        if result is None:
            return "表格/任务数据无法回答这个问题，请改用检索。", None
        return result.answer, result.to_dict()

    def table_lookup(question: str) -> tuple[str, dict[str, Any] | None]:
        return run(question, want_task=False)

    def task_lookup(question: str) -> tuple[str, dict[str, Any] | None]:
        return run(question, want_task=True)

    return [
        StructuredTool.from_function(
            table_lookup,
            name="table_lookup",
            description=(
                "查询政府信息公开工作年度报告统计表中的数字（依申请公开、主动公开、行政复议和行政诉讼），"
                "可计算纠错率、占比、同比和合计。输入：完整的问题。"
            ),
            response_format="content_and_artifact",
        ),
        StructuredTool.from_function(
            task_lookup,
            name="task_lookup",
            description="查询政务公开工作要点任务分解表：按责任单位、完成时限、序号或关键词列出任务。输入：完整的问题。",
            response_format="content_and_artifact",
        ),
    ]
