"""The cell view: a cited table cell shown in its parsed table, its printed text and its page.

``/cell/<doc_id>?cell=依申请|本年新收|总计`` renders the table the cell belongs to as a grid in
the official schema's rows and columns (index/tables/labels.py): values as parsed, cells printed
empty shown empty (not 0), cells the reader left out marked, the cited cell highlighted with its
row and column headers. Below it, the printed row with the cell's own characters marked, and for
PDFs the page image with the cell's box. Pure rendering; the server supplies the page sizes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from domain.kinds import kind_name
from domain.warning import Warning
from index.models import Document, Fact
from index.tables import labels as lb
from ui.render import (
    CELL_SEP,
    cell_key,
    describe_warning,
    doc_label,
    format_number,
    is_serious,
    page_chrome_css,
    source_url,
)

SEP = CELL_SEP
TABLE_TITLES = {
    lb.ACTIVE: "二、主动公开政府信息情况",
    lb.APPLICATIONS: "三、收到和处理政府信息公开申请情况",
    lb.REVIEW: "四、政府信息公开行政复议、行政诉讼情况",
}
# Warnings that name a row whose cells the reader left out (index/tables/annual.py, provenance.py).
LEFT_OUT_WARNINGS = ("ambiguous_cells", "table_row_unaligned", "ocr_uncertain", "table_row_missing")
CONTEXT_CHARS = 100  # printed text shown on each side of the cell in a long row span

# Cell states in the grid.
VALUE, BLANK, SUM, LEFT_OUT = "value", "blank", "sum", "left_out"


# -- cell keys and links ----------------------------------------------------------------
def fact_key(fact: Mapping | Fact) -> str:
    get = fact.get if isinstance(fact, Mapping) else lambda k: getattr(fact, k)
    return cell_key(get("table") or "", get("row") or "", get("col") or "")


def parse_cell_key(key: str) -> tuple[str, str, str] | None:
    parts = key.split(SEP)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 and all(parts) else None


def is_table_fact(fact: Mapping | Fact) -> bool:
    get = fact.get if isinstance(fact, Mapping) else lambda k: getattr(fact, k)
    return get("origin") in ("table", "sum") and get("table") in lb.TABLES


# -- the grid ---------------------------------------------------------------------------
@dataclass
class GridCell:
    key: str
    state: str  # value | blank | sum | left_out
    fact: Fact | None = None
    reason: str = ""


@dataclass
class GridRow:
    row: str  # the row label as the facts carry it
    label: str
    depth: int = 0
    cells: list[GridCell] = field(default_factory=list)  # empty: a heading row


@dataclass
class GridBlock:
    columns: tuple[str, ...]
    rows: list[GridRow]
    column_groups: tuple[tuple[str, int], ...] = ()  # (label, span) above the columns


def _facts_by_cell(facts: Iterable[Fact], table: str) -> dict[tuple[str, str], Fact]:
    out: dict[tuple[str, str], Fact] = {}
    for f in facts:
        # A printed cell wins over a computed one of the same place.
        wanted = f.table == table and f.origin in ("table", "sum")
        if wanted and ((f.row, f.col) not in out or f.origin == "table"):
            out[(f.row, f.col)] = f
    return out


def left_out_reasons(doc: Document, table: str) -> dict[str, str]:
    """Row → the reader's reason for leaving its cells out (from the document's warnings)."""
    out = {}
    for warning in doc.warnings:
        code = Warning.parse(warning).code
        if code not in LEFT_OUT_WARNINGS:
            continue
        for m in re.finditer(rf"{re.escape(table)}/([^\s:：(（/、，,]+)", warning):
            for row in m.group(1).split("+"):
                out.setdefault(row, describe_warning(warning))
    return out


def _row(
    table: str, row: str, label: str, columns: Sequence[str], cells: Mapping, reasons, depth=0
) -> GridRow:
    out = GridRow(row, label, depth)
    for col in columns:
        fact = cells.get((row, col))
        key = cell_key(table, row, col)
        if fact is None:
            reason = reasons.get(row, "表中未读到此格（未采用）")
            out.cells.append(GridCell(key, LEFT_OUT, reason=reason))
        elif fact.origin == "sum":
            out.cells.append(GridCell(key, SUM, fact, "各小项之和（表中未印此行）"))
        elif fact.blank or fact.value is None:
            out.cells.append(GridCell(key, BLANK, fact, "表中为空"))
        else:
            out.cells.append(GridCell(key, VALUE, fact))
    return out


def application_grid(facts: Sequence[Fact], reasons: Mapping[str, str]) -> list[GridBlock]:
    """Table 三: 25 (2021) or 23 (2019) rows × the applicant columns."""
    table, cols = lb.APPLICATIONS, lb.APPLICANT_COLUMNS
    cells = _facts_by_cell(facts, table)
    rows_held = {r for r, _c in cells}

    def row(label: lb.RowLabel, depth: int = 0) -> GridRow:
        return _row(table, label.canonical, label.canonical, cols, cells, reasons, depth)

    rows = [row(r) for r in lb.APPLICATION_HEAD_ROWS[:2]]
    rows.append(GridRow("", "三、本年度办理结果"))
    rows += [row(r, 1) for r in lb.APPLICATION_HEAD_ROWS[2:]]
    for group, subs in lb.GROUP_ROWS.items():
        printed_group = any(cells.get((group, c)) and cells[(group, c)].origin == "table"
                            for c in cols)  # fmt: skip
        held_subs = any(s.canonical in rows_held for s in subs)
        if group in rows_held:
            rows.append(_row(table, group, group, cols, cells, reasons, 1))
        else:
            rows.append(GridRow(group, group, 1))
        if held_subs or not printed_group:
            rows += [row(s, 2) for s in subs]
    rows += [row(lb.APPLICATION_TOTAL_ROWS[0], 1), row(lb.APPLICATION_TOTAL_ROWS[1])]
    groups = (("", 1), ("法人或其他组织", 5), ("", 1))
    return [GridBlock(cols, rows, groups)]


def review_grid(facts: Sequence[Fact], reasons: Mapping[str, str]) -> list[GridBlock]:
    """Table 四: 行政复议 and the two 行政诉讼 rows × the result columns."""
    table, cols = lb.REVIEW, lb.REVIEW_RESULT_COLUMNS
    cells = _facts_by_cell(facts, table)
    rows = [_row(table, r, r.replace(".", " · "), cols, cells, reasons) for r in lb.REVIEW_ROWS]
    return [GridBlock(cols, rows)]


def active_grid(facts: Sequence[Fact], reasons: Mapping[str, str], fmt: str) -> list[GridBlock]:
    """Table 二: its blocks (第二十条第（一）（五）（六）（八）（九）项), each with its columns."""
    table = lb.ACTIVE
    cells = _facts_by_cell(facts, table)
    blocks: list[GridBlock] = []
    for label, column_sets in lb.ACTIVE_ROWS:
        names = (label.canonical, *label.printed)
        row = next((n for n in names if any(r == n for r, _c in cells)), None)
        held = [cs for cs in column_sets if row and any((row, c) in cells for c in cs.columns)]
        if held:
            columns = held[0].columns
        else:
            expected = [cs for cs in column_sets if cs.fmt == fmt]
            if not expected or (fmt == "2021" and label.canonical not in lb.ACTIVE_ROWS_2021):
                continue
            columns = expected[0].columns
        name = row or (label.printed[0] if fmt == "2021" else label.canonical)
        grid_row = _row(table, name, name, columns, cells, reasons)
        if blocks and blocks[-1].columns == columns:
            blocks[-1].rows.append(grid_row)
        else:
            blocks.append(GridBlock(columns, [grid_row]))
    return blocks


def table_grid(doc: Document, facts: Sequence[Fact], table: str) -> list[GridBlock]:
    reasons = left_out_reasons(doc, table)
    if table == lb.APPLICATIONS:
        return application_grid(facts, reasons)
    if table == lb.REVIEW:
        return review_grid(facts, reasons)
    fmt = doc.table_format or ("2021" if (doc.year or 0) >= 2021 else "2019")
    return active_grid(facts, reasons, fmt)


# -- rendering --------------------------------------------------------------------------
def _cell_html(
    cell: GridCell, hits: set[str], hit_col: set[str], col: str, in_row: bool, anchor: bool
) -> str:
    classes = [f"gk-c gk-{cell.state.replace('_', '-')}"]
    if cell.key in hits:
        classes.append("gk-hit")
    elif in_row or col in hit_col:
        classes.append("gk-cross")
    text = ""
    if cell.state in (VALUE, SUM) and cell.fact is not None:
        text = format_number(cell.fact.value)
    elif cell.state == LEFT_OUT:
        text = "？"
    hit_id = ' tabindex="0"' if cell.key in hits else ""
    hit_id = ' id="hit"' + hit_id if anchor and cell.key in hits else hit_id
    title = f' title="{escape(cell.reason)}"' if cell.reason else ""
    aria = f' aria-label="{escape(cell.reason)}"' if cell.state != VALUE and cell.reason else ""
    return (
        f'<td class="{" ".join(classes)}" data-cell="{escape(cell.key)}"{hit_id}{title}{aria}>'
        f"{escape(text)}</td>"
    )


def block_html(block: GridBlock, hits: set[str], first_hit: list[bool]) -> str:
    hit_rows = {c.key.split(SEP)[1] for r in block.rows for c in r.cells if c.key in hits}
    hit_cols = {c.key.split(SEP)[2] for r in block.rows for c in r.cells if c.key in hits}
    head = ""
    if block.column_groups:
        head += "<tr><th></th>" + "".join(
            f'<th colspan="{span}">{escape(label)}</th>' for label, span in block.column_groups
        ) + "</tr>"  # fmt: skip
    head += '<tr><th class="gk-corner">项目</th>' + "".join(
        f'<th scope="col" class="gk-colhead{" gk-hit-col" if c in hit_cols else ""}">'
        f"{escape(c)}</th>"
        for c in block.columns
    ) + "</tr>"  # fmt: skip
    body = []
    for row in block.rows:
        marked = row.row in hit_rows and bool(row.cells)
        th = (
            f'<th scope="row" class="gk-rowhead gk-depth{row.depth}'
            f'{" gk-hit-row" if marked else ""}">{escape(row.label.split(".")[-1])}</th>'
        )
        if not row.cells:
            body.append(f'<tr class="gk-heading">{th}<td colspan="{len(block.columns)}"></td></tr>')
            continue
        cells = []
        for col, cell in zip(block.columns, row.cells, strict=True):
            anchor = cell.key in hits and not first_hit[0]
            first_hit[0] = first_hit[0] or anchor
            cells.append(_cell_html(cell, hits, hit_cols, col, marked, anchor))
        body.append(f"<tr>{th}{''.join(cells)}</tr>")
    return f'<table class="gk-grid"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


LEGEND = (
    '<div class="gk-legend"><span class="gk-sw gk-hit">引用的单元格</span>'
    '<span class="gk-sw gk-blank">空白＝表中为空（不是0）</span>'
    '<span class="gk-sw gk-sum">斜体＝各小项之和（表中未印此行）</span>'
    '<span class="gk-sw gk-left-out">？＝未采用（无法唯一读出）</span></div>'
)


def grid_html(doc: Document, facts: Sequence[Fact], table: str, hits: set[str]) -> str:
    blocks = table_grid(doc, facts, table)
    if not any(r.cells and any(c.fact for c in r.cells) for b in blocks for r in b.rows):
        return f'<p class="warn">本报告未解析出“{escape(table)}”表的数字。</p>'
    first_hit = [False]
    tables = "".join(block_html(b, hits, first_hit) for b in blocks)
    title = TABLE_TITLES.get(table, table)
    return f'<section class="gk-table-view"><h2>{escape(title)}</h2>{LEGEND}{tables}</section>'


def span_html(text: str, fact: Fact) -> str:
    """The printed row ``[start, end)`` with the cell's own characters marked."""
    start, end = max(0, fact.start), min(len(text), fact.end)
    cs, ce = fact.cell_start, fact.cell_end
    if fact.origin != "table" or not (start <= cs <= ce <= end) or (cs == ce == 0):
        return f'<pre class="gk-span">{escape(text[start:end])}</pre>'
    left = max(start, cs - CONTEXT_CHARS)
    right = min(end, ce + CONTEXT_CHARS)
    before = ("…" if left > start else "") + text[left:cs]
    after = text[ce:right] + ("…" if right < end else "")
    if cs == ce:
        mark = '<mark class="gk-cellmark gk-empty" title="此格为空">∅</mark>'
    else:
        mark = f'<mark class="gk-cellmark">{escape(text[cs:ce])}</mark>'
    return f'<pre class="gk-span">{escape(before)}{mark}{escape(after)}</pre>'


@dataclass
class PageImage:
    """A rendered page for the view: its URL and size in PDF points."""

    url: str
    width: float
    height: float


def box_html(bbox: Sequence[float], image: PageImage) -> str:
    """A box over the page picture, in percent of the page (scales with the picture)."""
    x0, top, x1, bottom = bbox
    style = (
        f"left:{x0 / image.width * 100:.3f}%;top:{top / image.height * 100:.3f}%;"
        f"width:{(x1 - x0) / image.width * 100:.3f}%;height:{(bottom - top) / image.height * 100:.3f}%"
    )
    return f'<div class="gk-box" style="{style}" title="引用的单元格"></div>'


def page_html(page: int, boxed: Sequence[Fact], image: PageImage | None, note: str = "") -> str:
    """The page picture with a box over each cited cell (or why there is no picture)."""
    head = f"<h3>原件第 {int(page)} 页</h3>"
    if image is None:
        return head + (f'<p class="meta">{escape(note)}</p>' if note else "")
    boxes = ""
    if image.width > 0 and image.height > 0:
        boxes = "".join(box_html(f.bbox, image) for f in boxed if f.bbox)
    return (
        f'{head}<div class="gk-page"><img src="{escape(image.url)}" '
        f'alt="原件第 {int(page)} 页">{boxes}</div>'
    )


CELL_PAGE_CSS = (
    page_chrome_css(14, 1.6, "8px 14px", "8px 14px 40px")
    + """
h2{font-size:15px;margin:10px 0 4px}h3{font-size:14px;margin:12px 0 4px}
.gk-cited{background:#fffbe6;border:1px solid #f0d264;border-radius:6px;padding:6px 10px}
.gk-cited b{font-size:20px;color:#0b4f8a}
.gk-grid{border-collapse:collapse;font-size:13px;margin:4px 0 10px;max-width:100%}
.gk-grid th,.gk-grid td{border:1px solid #bcccdc;padding:2px 6px}
.gk-grid thead th{background:#f0f4f8;font-weight:600;font-size:12px}
.gk-grid td{text-align:right;min-width:2.5em;font-variant-numeric:tabular-nums}
.gk-rowhead{text-align:left;font-weight:400;background:#fafbfc;max-width:24em}
.gk-depth1{padding-left:16px!important}.gk-depth2{padding-left:30px!important;font-size:12px}
.gk-heading th{font-weight:600}.gk-heading td{background:#fafbfc}
td.gk-blank{background:repeating-linear-gradient(45deg,#fff,#fff 4px,#f3f4f6 4px,#f3f4f6 8px)}
td.gk-sum{font-style:italic;color:#52606d}
td.gk-left-out{color:#b42318;background:#fdecea;text-align:center}
.gk-cross{background:#fff8d6}
th.gk-hit-row,th.gk-hit-col{background:#ffe066!important;outline:2px solid #f0b400}
td.gk-hit{background:#ffd43b!important;outline:3px solid #d9480f;font-weight:700}
td.gk-hit:focus{outline:3px solid #1b5fb0}
.gk-legend{font-size:12px;color:#52606d}
.gk-sw{display:inline-block;margin-right:10px;padding:0 6px;border:1px solid #bcccdc}
.gk-span{white-space:pre-wrap;font-family:inherit;background:#f8fafc;border:1px solid #d9e2ec;
border-radius:4px;padding:6px 8px;max-height:14em;overflow:auto;tab-size:2}
mark.gk-cellmark{background:#ffd43b;outline:2px solid #d9480f;padding:0 1px}
.gk-page{position:relative;display:inline-block;max-width:100%;border:1px solid #bcccdc}
.gk-page img{display:block;max-width:100%;height:auto}
.gk-box{position:absolute;border:3px solid #d9480f;background:rgba(255,212,59,.25)}
a{color:#1b5fb0}
#hit{scroll-margin-top:30vh}
"""
)


def cell_summary(doc: Document, fact: Fact) -> str:
    row = fact.row.replace(".", " · ")
    if fact.origin == "sum":
        value = f"{format_number(fact.value)}{fact.unit}（各小项之和）"
    elif fact.blank or fact.value is None:
        value = "表中为空（不是0）"
    else:
        value = f"{format_number(fact.value)}{fact.unit}"
    return (
        f'<div class="gk-cited">{escape(TABLE_TITLES.get(fact.table, fact.table))}：'
        f"{escape(row)} / {escape(fact.col)} = <b>{escape(value)}</b></div>"
    )


def cell_page_html(
    doc: Document,
    facts: Sequence[Fact],
    wanted: Sequence[Fact],
    images: Mapping[int, PageImage] | None = None,
    image_note: str = "",
) -> str:
    """The whole cell-view page: header, the cited cells, their tables, spans and pages."""
    images = images or {}
    hits = {fact_key(f) for f in wanted}
    parts = [cell_summary(doc, f) for f in wanted]
    for table in dict.fromkeys(f.table for f in wanted):
        parts.append(grid_html(doc, facts, table, hits))
    for fact in wanted:
        where = f"原文（{fact.row.replace('.', ' · ')} / {fact.col}）"
        parts.append(f"<h3>{escape(where)}</h3>{span_html(doc.text, fact)}")
        cell = (fact.cell_start, fact.cell_end) if fact.origin == "table" else None
        link = source_url(doc.doc_id, fact.start, fact.end, cell)
        parts.append(f'<p><a href="{escape(link)}">在全文中查看此行</a></p>')
    for page in dict.fromkeys(f.page for f in wanted if f.page is not None):
        on_page = [f for f in wanted if f.page == page]
        parts.append(page_html(page, on_page, images.get(page), image_note))
    meta = " · ".join(
        m for m in (kind_name(doc.kind), doc_label(doc.region, doc.year),
                    f"{doc.table_format}版表格" if doc.table_format else "") if m
    )  # fmt: skip
    warnings = "".join(f'<div class="warn">⚠ {escape(describe_warning(w))}</div>'
                       for w in doc.warnings if is_serious(w))  # fmt: skip
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(doc.title or doc.doc_id)} - 单元格</title>"
        f"<style>{CELL_PAGE_CSS}</style></head><body>"
        f"<header><h1>{escape(doc.title or doc.doc_id)}</h1>"
        f'<div class="meta">{escape(meta)}</div>{warnings}</header>'
        f'<main class="gk-cellview">{"".join(parts)}</main></body></html>'
    )


def wanted_facts(facts: Sequence[Fact], keys: Sequence[str]) -> list[Fact]:
    """The facts the ``cell`` keys name (printed cells before computed ones), in key order."""
    out = []
    for key in dict.fromkeys(keys):
        parsed = parse_cell_key(key)
        if parsed is None:
            continue
        same = [f for f in facts if (f.table, f.row, f.col) == parsed and is_table_fact(f)]
        same.sort(key=lambda f: f.origin != "table")
        if same:
            out.append(same[0])
    return out
