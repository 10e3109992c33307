"""Pure rendering: answers, sources, numbers, documents and the library as escaped HTML.

Every piece of text that comes from a document, a question or an answer passes through
``html.escape`` here, so a document containing ``<script>`` shows it as text. The HTML is kept
on one line (no blank lines) so the chat's Markdown renderer passes it through as one block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from domain import numbers as domain_numbers
from domain.kinds import kind_name
from domain.numbers import DISPLAY_PLACES
from domain.warning import Warning
from index.tables.labels import TABLES

if TYPE_CHECKING:
    from assistant.answer import AnswerDict, CellDict, FactDict
    from domain.citation import CitationDict
    from index.models import Document

    Figure = CellDict | FactDict  # a row of the cells table: a fact, or a cell without facts

ROUTE_NAMES = {"table": "统计表", "tasks": "任务分解表", "rag": "正文检索", "none": "无"}
WARNING_NAMES = {
    "spam_injected": "疑似被注入垃圾文字",
    "tables_missing": "统计表缺失",
    "table_missing": "缺少统计表",
    "identity_failed": "勾稽关系不符",
    "text_table_mismatch": "正文与表格数字不一致",
    "region_unknown": "未识别出地区",
    "year_unknown": "未识别出年份",
    "issuer_unknown": "未识别出发文机关",
    "prompt_injection": "文中夹带针对问答模型的指令，已删除",
    "ambiguous_cells": "表格数字连写、无法唯一拆分（未采用）",
    "table_row_unaligned": "表格行无法与格式对齐（未采用）",
    "table_row_missing": "表格中未印此行",
    "table_blank": "统计表为空白模板",
    "ocr_pages": "扫描页已离线识别（OCR）",
    "ocr_uncertain": "扫描识别置信度不足的单元格（未采用）",
    "ocr_page_cap": "扫描页数超过上限，只识别了前面部分",
    "ocr_time_limit": "部分扫描页未在时限内识别",
    "image_ocr": "文中图片已离线识别（OCR）",
    "images_missing": "网页中的图片不在本地，未能识别",
    "images_unreadable": "文中图片无法读取",
    "images_not_read": "文中图片未识别",
    "image_unreadable": "图片无法读取",
    "undecodable_lines": "部分行无法解码",
    "mixed_encoding": "文件混用了多种编码",
    "pdf_page_cap": "PDF 页数超过上限，只读取了前面部分",
    "pdf_layout_failed": "PDF 版面读取失败，已改用纯文本",
}
SERIOUS_WARNINGS = (
    "spam_injected", "tables_missing", "identity_failed", "text_table_mismatch",
    "prompt_injection", "ocr_uncertain",
)  # fmt: skip
CITED_ID = "cited"
_MARKER = re.compile(r"\[(\d+)\]")


# -- small helpers ----------------------------------------------------------------------
def format_number(value: float | int | None) -> str:
    """A figure as staff write it: 10 not 10.0, 76.92 not 76.92307…, no exponent."""
    return domain_numbers.format_number(value, DISPLAY_PLACES)


def source_url(doc_id: str, start: int, end: int, cell: tuple[int, int] | None = None) -> str:
    """The stable, pasteable address of a cited span in the source viewer (with a table cell's
    own characters ``cell`` marked inside it)."""
    extra = f"&cs={int(cell[0])}&ce={int(cell[1])}" if cell and cell[0] < cell[1] else ""
    return f"/source/{quote(doc_id, safe='')}?start={int(start)}&end={int(end)}{extra}#{CITED_ID}"


CELL_SEP = "|"


def cell_key(table: str, row: str, col: str) -> str:
    """``依申请|本年新收|总计``: one cell of a document's tables, stable across re-ingests."""
    return CELL_SEP.join((table, row, col))


def cell_url(doc_id: str, keys: Iterable[str]) -> str:
    """The stable address of one or more cells of one document in the cell view."""
    query = urlencode([("cell", k) for k in dict.fromkeys(keys)])
    return f"/cell/{quote(doc_id, safe='')}?{query}#hit"


def is_table_cell(fact: Figure) -> bool:
    """A fact read from (or summed over) a statistical table, which the cell view can show."""
    return fact.get("origin") in ("table", "sum") and fact.get("table") in TABLES


def citation_cells(cells: Sequence[CellDict]) -> dict[tuple[str, int, int], list[str]]:
    """The table cells behind each cited span (doc_id, start, end) of an answer."""
    out: dict[tuple[str, int, int], list[str]] = {}
    for fact in facts_used(cells):
        if is_table_cell(fact) and fact.get("doc_id"):
            span = (fact["doc_id"], int(fact.get("start") or 0), int(fact.get("end") or 0))
            key = cell_key(fact["table"], fact["row"], fact["col"])
            if key not in out.setdefault(span, []):
                out[span].append(key)
    return out


def describe_warning(warning: str) -> str:
    """A document warning in Chinese: ``spam_injected: bet365 ×4`` → ``疑似被注入垃圾文字：bet365 ×4``."""
    parsed = Warning.parse(warning)
    name = WARNING_NAMES.get(parsed.code)
    if name is None:
        return warning
    return f"{name}：{parsed.detail}" if parsed.detail else name


def is_serious(warning: str) -> bool:
    """Warnings a reader of an answer must see (data quality and spam), not tagging notes."""
    return Warning.parse(warning).code in SERIOUS_WARNINGS


def one_line(text: str) -> str:
    """Whitespace runs (newlines, tabs) as single spaces: safe inside attributes and Markdown."""
    return " ".join(text.split())


def year_text(year: int | None) -> str:
    return f"{year}年" if year else "年份未知"


def doc_label(region: str, year: int | None) -> str:
    """``济南市莱芜区 2020年`` (with placeholders for what the tagger could not find)."""
    return f"{region or '地区未知'} {year_text(year)}"


# -- answers ----------------------------------------------------------------------------
CellIndex = Mapping[tuple[str, int, int], Sequence[str]]


def citation_url(citation: CitationDict, cell_index: CellIndex | None = None) -> str:
    """The cell view for a table cell's citation, else the source text at the cited span."""
    span = (citation["doc_id"], int(citation["start"]), int(citation["end"]))
    keys = (cell_index or {}).get(span)
    if keys:
        return cell_url(citation["doc_id"], keys)
    return source_url(citation["doc_id"], citation["start"], citation["end"])


def citation_link(citation: CitationDict, cell_index: CellIndex | None = None) -> str:
    """``[n]`` as a link to the cited cell or span (the page's script opens it in the viewer)."""
    url = citation_url(citation, cell_index)
    hint = one_line(f"《{citation.get('title', '')}》 {citation.get('quote', '')}")[:100]
    return (
        f'<a class="gk-cite" href="{escape(url)}" target="_blank" rel="noopener" '
        f'data-n="{int(citation["n"])}" title="{escape(hint)}">[{int(citation["n"])}]</a>'
    )


def link_citations(
    text: str, citations: Sequence[CitationDict], cell_index: CellIndex | None = None
) -> str:
    """Escape an answer's text and turn its ``[n]`` markers into citation links."""
    by_n = {int(c["n"]): c for c in citations}
    out, pos = [], 0
    for m in _MARKER.finditer(text):
        out.append(escape(text[pos : m.start()]))
        cited = by_n.get(int(m.group(1)))
        out.append(citation_link(cited, cell_index) if cited else escape(m.group(0)))
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def figure_html(value: float | None, unit: str) -> str:
    """The single figure of a table answer, large."""
    if value is None:
        return ""
    return (
        f'<div class="gk-figure"><span class="gk-value">{escape(format_number(value))}</span>'
        f'<span class="gk-unit">{escape(unit or "")}</span></div>'
    )


def cell_label(row: str, col: str) -> str:
    """``行政诉讼.未经复议直接起诉`` / ``结果纠正`` → ``行政诉讼·未经复议直接起诉 / 结果纠正``."""
    return " / ".join(part.replace(".", "·") for part in (row, col) if part)


def facts_used(cells: Sequence[CellDict]) -> list[Figure]:
    """The table cells behind an answer's figures, each once.

    A derived cell (纠错率, a sum) carries the cells it was computed from under ``facts``;
    a plain fact (table, row, col, value …) stands for itself.
    """
    out: list[Figure] = []
    seen = set()
    for cell in cells:
        for fact in cell.get("facts") or [cell]:
            key = (fact.get("doc_id"), fact.get("table"), fact.get("row"), fact.get("col"),
                   fact.get("label"))  # fmt: skip
            if key not in seen:
                seen.add(key)
                out.append(fact)
    return out


def fact_row_html(fact: Figure) -> str:
    link = ""
    if fact.get("doc_id") and is_table_cell(fact):
        url = cell_url(fact["doc_id"], [cell_key(fact["table"], fact["row"], fact["col"])])
        link = f'<a class="gk-cite" href="{escape(url)}" target="_blank" rel="noopener">单元格</a>'
    elif fact.get("doc_id") and fact.get("end"):
        url = source_url(fact["doc_id"], fact.get("start", 0), fact["end"])
        link = f'<a class="gk-cite" href="{escape(url)}" target="_blank" rel="noopener">原文</a>'
    label = cell_label(fact.get("row") or "", fact.get("col") or "") or fact.get("label") or ""
    value = f"{format_number(fact.get('value'))}{fact.get('unit') or ''}"
    return (
        "<tr>"
        f"<td>{escape(fact.get('region') or '')}</td>"
        f"<td>{escape(year_text(fact.get('year')))}</td>"
        f"<td>{escape(fact.get('table') or '')}</td>"
        f"<td>{escape(label)}</td>"
        f'<td class="gk-num">{escape(value)}</td>'
        f"<td>{link}</td>"
        "</tr>"
    )


def cells_table_html(cells: Sequence[CellDict]) -> str:
    """The table cells an answer used: where each came from and its value, linked to its row."""
    facts = facts_used(cells)
    if not facts:
        return ""
    rows = "".join(fact_row_html(f) for f in facts)
    formulas = "".join(
        f'<div class="gk-formula">计算：{escape(c["formula"])}</div>'
        for c in cells
        if c.get("formula")
    )
    head = "<tr><th>地区</th><th>年份</th><th>表格</th><th>行 / 列</th><th>数值</th><th></th></tr>"
    return (
        '<details class="gk-cells" open><summary>使用的表格数字</summary>'
        f'<table class="gk-table"><thead>{head}</thead><tbody>{rows}</tbody></table>{formulas}'
        "</details>"
    )


def series_table_html(series: Mapping[str, float], unit: str) -> str:
    """A comparison (regions or years) as a two-column table."""
    if not series:
        return ""
    rows = "".join(
        f'<tr><td>{escape(str(label))}</td><td class="gk-num">'
        f"{escape(format_number(value))}{escape(unit or '')}</td></tr>"
        for label, value in series.items()
    )
    return (
        '<table class="gk-table gk-series"><thead><tr><th>对比项</th><th>数值</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def bar_chart_html(series: Mapping[str, float], unit: str, width: int = 360) -> str:
    """A horizontal bar chart as inline SVG (no script, no external library)."""
    if len(series) < 2:
        return ""
    label_w, bar_h, gap = 130, 20, 8
    top = max((abs(v) for v in series.values()), default=0) or 1
    height = len(series) * (bar_h + gap) + gap
    bars = []
    for i, (label, value) in enumerate(series.items()):
        y = gap + i * (bar_h + gap)
        w = max(1, round(abs(value) / top * (width - label_w - 70)))
        text = f"{format_number(value)}{unit or ''}"
        bars.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="gk-bar-label">'
            f"{escape(str(label))}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" rx="3" class="gk-bar">'
            f"<title>{escape(str(label))}：{escape(text)}</title></rect>"
            f'<text x="{label_w + w + 6}" y="{y + 15}" class="gk-bar-value">{escape(text)}</text>'
        )
    return (
        f'<svg class="gk-chart" role="img" aria-label="对比柱状图" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">{"".join(bars)}</svg>'
    )


def sources_html(
    citations: Sequence[CitationDict],
    sections: Mapping[int, str] | None = None,
    cell_index: CellIndex | None = None,
) -> str:
    """The list of sources under an answer: [n] title, region, year, section."""
    if not citations:
        return ""
    sections = sections or {}
    items = []
    for c in citations:
        section = sections.get(int(c["n"]), "")
        where = doc_label(c.get("region") or "", c.get("year"))
        section_html = f' · <span class="gk-section">{escape(section)}</span>' if section else ""
        items.append(
            f"<li>{citation_link(c, cell_index)} <span class='gk-title'>《{escape(c.get('title') or '')}》</span>"
            f" <span class='gk-meta'>{escape(where)}</span>{section_html}</li>"
        )
    return f'<div class="gk-sources"><div class="gk-h">来源</div><ol>{"".join(items)}</ol></div>'


def warnings_html(warnings: Iterable[str]) -> str:
    """Data-quality notes attached to an answer."""
    notes = [w for w in warnings if w]
    if not notes:
        return ""
    items = "".join(f"<li>{escape(describe_answer_warning(w))}</li>" for w in notes)
    return f'<div class="gk-warn"><div class="gk-h">⚠ 数据提示</div><ul>{items}</ul></div>'


def describe_answer_warning(note: str) -> str:
    """``《标题》：spam_injected: …`` (as Assistant attaches them) with the code in Chinese."""
    title, sep, warning = note.partition("：")
    if sep and Warning.parse(warning).code in WARNING_NAMES:
        return f"{title}：{describe_warning(warning)}"
    return describe_warning(note)


def answer_html(answer: AnswerDict, sections: Mapping[int, str] | None = None) -> str:
    """One assistant message: text with citation links, figure, cells, comparison, sources."""
    citations = answer.get("citations") or []
    classes = "gk-answer gk-refused" if answer.get("refused") else "gk-answer"
    series = answer.get("series") or {}
    unit = answer.get("unit") or ""
    cell_index = citation_cells(answer.get("cells") or [])
    text = link_citations(answer.get("answer") or "", citations, cell_index)
    parts = [
        f'<div class="gk-text">{text}</div>',
        figure_html(answer.get("value"), unit) if not series else "",
        series_table_html(series, unit),
        bar_chart_html(series, unit),
        cells_table_html(answer.get("cells") or []),
        sources_html(citations, sections, cell_index),
        warnings_html(answer.get("warnings") or []),
    ]
    footer = f'<div class="gk-foot">{escape(answer_footer(answer))}</div>'
    html = f'<div class="{classes}">{"".join(p for p in parts if p)}{footer}</div>'
    return one_line(html)


def answer_footer(answer: AnswerDict) -> str:
    """``理解为：… · 依据：统计表 · 用时 12 毫秒`` (the rewrite only for follow-ups)."""
    parts = []
    rewritten = answer.get("rewritten") or ""
    if rewritten and rewritten != answer.get("question"):
        parts.append(f"理解为：{rewritten}")
    route = ROUTE_NAMES.get(answer.get("route") or "")
    if route:
        parts.append(f"依据：{route}")
    parts.append(f"用时 {int(answer.get('latency_ms') or 0)} 毫秒")
    return " · ".join(parts)


UNVERIFIED_NOTE = "模型措辞生成中，尚未与原文核对；核对后将替换为最终回答"


def streaming_html(partial: str, model_tokens: bool = False) -> str:
    """A waiting line, or the model's wording while it is generated: marked as not yet checked
    against the sources (markers not linked); the verified answer replaces it when done."""
    text = escape(partial).replace("\n", "<br>")
    note = f'<div class="gk-unverified">（{UNVERIFIED_NOTE}）</div>' if model_tokens else ""
    return f'<div class="gk-answer gk-streaming">{note}<div class="gk-text">{text}▍</div></div>'


def error_html(message: str) -> str:
    return f'<div class="gk-answer gk-error">{escape(message)}</div>'


# -- the source viewer ------------------------------------------------------------------
def clamp_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A span inside the text; (0, 0) when it is empty or nonsense."""
    start, end = max(0, int(start)), min(len(text), int(end))
    return (start, end) if start < end else (0, 0)


def highlight_range(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """The range to highlight for a cited span, and whether it is a table row.

    A span on tab-separated (table) lines grows to whole lines, so the row stands out.
    """
    start, end = clamp_span(text, start, end)
    if start >= end:
        return 0, 0, False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    if "\t" in text[line_start:line_end]:
        return line_start, line_end, True
    return start, end, False


def document_body_html(
    text: str, start: int = 0, end: int = 0, cell: tuple[int, int] | None = None
) -> str:
    """A document's cleaned text, escaped, with the cited span ``[start, end)`` marked; a
    table cell's own characters ``cell`` inside it are marked again (not the whole table)."""
    s, e, row = highlight_range(text, start, end)
    if s >= e:
        return f'<div class="gk-prose">{escape(text)}</div>'
    css = "gk-hl gk-hl-row" if row else "gk-hl"
    inner = escape(text[s:e])
    if cell and s <= cell[0] < cell[1] <= e:
        cs, ce = cell
        inner = (
            f'{escape(text[s:cs])}<mark class="gk-hl-cell" id="{CITED_ID}-cell">'
            f"{escape(text[cs:ce])}</mark>{escape(text[ce:e])}"
        )
    return (
        f'<div class="gk-prose">{escape(text[:s])}<mark class="{css}" id="{CITED_ID}">'
        f"{inner}</mark>{escape(text[e:])}</div>"
    )


def page_chrome_css(font_px: int, line_height: float, header_pad: str, main_pad: str) -> str:
    """The frame every standalone page shares (body, header, meta line, warnings, main), in the
    size of that page: the source viewer reads long text, the cell view shows a dense grid."""
    return f"""
body{{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:0;
color:#1f2933;background:#fff;line-height:{line_height};font-size:{font_px}px}}
header{{background:#f5f7fa;border-bottom:1px solid #d9e2ec;padding:{header_pad}}}
header h1{{font-size:{font_px + 2}px;margin:0 0 4px}}
.meta{{color:#52606d;font-size:13px}}
.warn{{color:#8a4b00;background:#fff4e5;border-radius:4px;padding:2px 8px;margin:4px 0;font-size:13px}}
main{{padding:{main_pad}}}
"""


SOURCE_PAGE_CSS = (
    page_chrome_css(15, 1.75, "10px 16px", "12px 16px 60vh")
    + """
.url{font-size:12px;color:#52606d;word-break:break-all}
.gk-prose{white-space:pre-wrap}
.gk-prose{tab-size:4}
mark.gk-hl{background:#ffe066;padding:1px 0;color:inherit}
mark.gk-hl-row{display:block;outline:2px solid #f0b400;background:#fff5c2}
mark.gk-hl-cell{background:#ffd43b;outline:2px solid #d9480f;font-weight:700}
#cited{scroll-margin-top:10vh}
"""
)


def source_page_html(
    doc: Document, start: int, end: int, page_url: str = "", cell: tuple[int, int] | None = None
) -> str:
    """The full source viewer page for one document with the cited span highlighted.

    The page contains no script of its own; the
    browser scrolls to ``#cited`` from the URL fragment.
    """
    start, end = clamp_span(doc.text, start, end)
    meta = [
        kind_name(doc.kind),
        doc_label(doc.region, doc.year),
        doc.doc_number,
        doc.pub_date,
    ]
    if start < end:
        page = doc.page_at(start) if hasattr(doc, "page_at") else None
        meta.append(f"引用位置 {start}–{end}" + (f"（第 {page} 页）" if page else ""))
    warnings = "".join(f'<div class="warn">⚠ {escape(describe_warning(w))}</div>'
                       for w in doc.warnings if is_serious(w))  # fmt: skip
    url = f'<div class="url">本处链接：{escape(page_url)}</div>' if page_url else ""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(doc.title or doc.doc_id)} - 原文</title>"
        f"<style>{SOURCE_PAGE_CSS}</style></head><body>"
        f"<header><h1>{escape(doc.title or doc.doc_id)}</h1>"
        f'<div class="meta">{escape(" · ".join(m for m in meta if m))}</div>{warnings}{url}</header>'
        f'<main class="gk-doc">{document_body_html(doc.text, start, end, cell)}</main></body></html>'
    )


def not_found_page_html(message: str) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>未找到</title>'
        f"<style>{SOURCE_PAGE_CSS}</style></head><body><main><p>{escape(message)}</p>"
        '<p><a href="/">返回政务公开问答</a></p></main></body></html>'
    )


def viewer_placeholder_html() -> str:
    return '<div class="gk-viewer-empty">点击回答中的引用编号（如 [1]），在此查看原文并定位到引用处。</div>'


def viewer_frame_html(url: str = "") -> str:
    """The source panel beside the chat: an iframe the citation links load into."""
    if not url:
        return (
            viewer_placeholder_html() + '<iframe name="gk-source" class="gk-frame" hidden></iframe>'
        )
    return f'<iframe name="gk-source" class="gk-frame" src="{escape(url)}" title="原文"></iframe>'


# -- the library ------------------------------------------------------------------------
def library_html(docs: Sequence[Document]) -> str:
    """The indexed documents with their tags and warnings, as an escaped table."""
    if not docs:
        return '<div class="gk-empty">资料库为空。请在下方上传文件。</div>'
    rows = []
    for doc in docs:
        tags = [kind_name(doc.kind), doc_label(doc.region, doc.year)]
        if doc.table_format:
            tags.append(f"{doc.table_format}版表格")
        if doc.doc_number:
            tags.append(doc.doc_number)
        tag_html = "".join(f'<span class="gk-tag">{escape(t)}</span>' for t in tags)
        warn_html = "".join(
            f'<div class="{"gk-badge-warn" if is_serious(w) else "gk-badge-info"}">'
            f"{'⚠ ' if is_serious(w) else ''}{escape(describe_warning(w))}</div>"
            for w in doc.warnings
        )
        url = source_url(doc.doc_id, 0, 0)
        rows.append(
            f'<tr data-doc="{escape(doc.doc_id)}"><td><a class="gk-doclink" href="{escape(url)}" '
            f'target="_blank" rel="noopener">{escape(doc.title or doc.doc_id)}</a>'
            f'<div class="gk-docid">{escape(Path(doc.source).name)} · {escape(doc.doc_id)}</div></td>'
            f"<td>{tag_html}</td><td>{warn_html or '—'}</td></tr>"
        )
    head = "<tr><th>标题</th><th>标签</th><th>警告</th></tr>"
    return (
        f'<div class="gk-count">共 {len(docs)} 份文档</div>'
        f'<table class="gk-table gk-library"><thead>{head}</thead><tbody>{"".join(rows)}</tbody>'
        "</table>"
    )


def doc_choice_label(doc: Document) -> str:
    """How a document is named in the re-ingest/delete selector."""
    return f"{doc.title or doc.doc_id}（{doc_label(doc.region, doc.year)}，{doc.doc_id}）"
