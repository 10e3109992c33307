"""The statistical-table tool: a figure question answered from the annual reports' cells.

Every number shown is a cell's value or is computed from cells with the formula printed
(sums, rates and shares, year-on-year changes); every citation quotes the table row as
printed (a prose figure: its sentence). A question the cells cannot answer is declined
(:class:`NotMine`, with the reason) and goes to retrieval.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant import lexicon as lx
from assistant.answer import Answer
from assistant.cells import (
    Cell,
    alternatives,
    blank_note,
    cell_dict,
    default_cols,
    default_rows,
    doc_cells,
    figure,
    find_cell,
    item_label,
    table_for,
)
from assistant.citations import Citations
from assistant.corpus import Corpus
from assistant.scope import same_report_series
from assistant.selection import doc_label, doc_warnings, held_list, select_documents
from assistant.tool import NotMine, settled
from assistant.understand import Query
from domain.kinds import ANNUAL
from domain.numbers import format_cell, format_number
from index.models import Document

_TEXT_NOTE = "注：标〔正文〕的数字取自报告正文的文字表述，不是统计表单元格。"


class TableTool:
    """Figures of the statistical tables (依申请公开, 主动公开, 复议诉讼)."""

    name = "table"

    def answer(self, query: Query, corpus: Corpus) -> Answer | NotMine:
        return settled(answer_table(query, corpus), self.name)


def declined(query: Query) -> str:
    """Why a question is no table question ('' when it is one)."""
    if not query.is_numeric:
        return "asks for no figure"
    if query.table is None:
        return "no statistical table defines what it asks"
    if query.unsupported:
        return f"a measure no cell gives: {query.unsupported}"
    if query.unexplained:
        return f"words no table label covers: {'、'.join(query.unexplained)}"
    return ""


def answer_table(query: Query, corpus: Corpus) -> Answer | NotMine:
    """Answer a figure question from table cells, or say why the tables cannot."""
    why = declined(query)  # not a figure, a measure no cell gives, or about something else
    if why:
        return NotMine(why)
    selection = select_documents(query, corpus.documents, ANNUAL)
    if selection.refusal:
        return Answer(query.question, selection.refusal, "table", refused=True)
    docs = selection.docs
    if query.relative_year:
        held = held_list(docs, ANNUAL)
        text = f"问题中的“{query.relative_year}”指哪一年无法确定，请写明年份。可查询的年度报告：{held}。"
        return Answer(query.question, text, "table", refused=True)
    if query.measure in ("rate", "share"):
        answer = answer_ratio(query, corpus, docs)
    elif query.measure == "yoy":
        answer = answer_change(query, corpus, docs) or answer_printed_change(query, corpus, docs)
    else:
        answer = answer_values(query, corpus, docs)
    if answer is None:
        return NotMine("no cell of the selected reports holds it")
    if selection.missing:
        answer.answer += "\n" + selection.missing
        answer.value = None  # part of what was asked is missing: no single figure answers it
    if selection.note:
        answer.answer += "\n" + selection.note
    return answer


def _finish(
    query: Query,
    text: str,
    cells: Sequence[Cell],
    citations: Citations,
    *,
    value: float | None = None,
    unit: str = "",
    series: dict[str, float] | None = None,
    refused: bool = False,
) -> Answer:
    """The table answer: the text (with the prose note when a figure is from prose), the cells
    used, their citations and their documents' warnings."""
    docs = list({c.doc.doc_id: c.doc for c in cells}.values())
    notes = [_TEXT_NOTE] if any(c.from_text for c in cells) else []
    return Answer(
        question=query.question,
        answer="\n".join([text, *notes]),
        route="table",
        citations=citations.items,
        warnings=doc_warnings(docs),
        cells=[cell_dict(c) for c in cells],
        value=value,
        unit=unit,
        series=series or {},
        refused=refused,
    )


def series_label(cell: Cell, by_doc: bool, by_item: bool) -> str:
    parts = ([doc_label(cell.doc)] if by_doc else []) + ([cell.label] if by_item else [])
    return " ".join(parts) or cell.label


def answer_values(query: Query, corpus: Corpus, docs: Sequence[Document]) -> Answer | None:
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
        return _finish(query, text, cells, citations, value=cell.value, unit=cell.unit)
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
            return _finish(query, text + "。", cells, citations, unit=unit)
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
            query,
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
    return _finish(
        query, "\n".join([head, *lines, *tail]), cells, citations, unit=unit, series=series
    )


_AMBIGUOUS = re.compile(r"ambiguous_cells: (?P<table>[^/\s]+)/(?P<row>\S+) \((?P<splits>[^)]*)\)")


def ambiguous_refusal(query: Query, docs: Sequence[Document]) -> Answer | None:
    """The asked row printed its cells run together in a way the table's rules cannot split:
    say so, quote the printed row, give no figure (a guess could be a wrong number)."""
    rows = default_rows(query)
    for doc in docs:
        for warning in doc.warnings:
            m = _AMBIGUOUS.match(warning)
            if not m or not any(
                r in alternatives(m["row"]) or m["row"] in alternatives(r) for r in rows
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
            return Answer(query.question, text, "table", refused=True, citations=citations.items,
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


def answer_ratio(query: Query, corpus: Corpus, docs: Sequence[Document]) -> Answer | None:
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
        query, "\n".join(lines) + "。", used, citations, value=value, unit="%",
        series={} if single else series, refused=not series,
    )  # fmt: skip


def table_needs_row(row: str) -> bool:
    return lx.table_of_row(row) == lx.REVIEW


def answer_printed_change(query: Query, corpus: Corpus, docs: Sequence[Document]) -> Answer | None:
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


def answer_change(query: Query, corpus: Corpus, docs: Sequence[Document]) -> Answer | None:
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
    return _finish(
        query, "\n".join(lines) + "。", used, citations, value=value, unit=unit, series=series
    )
