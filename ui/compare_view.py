"""The 对比 tab's content: a comparison (issuer × year) as an HTML table and chart data.

Every number links to its cell in the cell view; cells printed empty read 表中为空 and missing
reports 无报告, never 0, and neither enters the chart.
"""

from __future__ import annotations

from html import escape

from assistant.compare import NO_REPORT, STATE_TEXT, VALUE, Comparison
from ui.render import cell_key, cell_url, format_number

VIEWER_FRAME = "gk-compare-source"  # the iframe the numbers' links load into


def entry_html(comparison: Comparison, key: str, year: int) -> str:
    entry = comparison.entries[(key, year)]
    if entry.state == VALUE and entry.fact is not None:
        fact = entry.fact
        url = cell_url(fact.doc_id, [cell_key(fact.table, fact.row, fact.col)])
        text = f"{format_number(fact.value)}"
        return (
            f'<td class="gk-num"><a class="gk-cell-link" href="{escape(url)}" '
            f'target="{VIEWER_FRAME}" title="查看单元格">{escape(text)}</a></td>'
        )
    note = STATE_TEXT[entry.state]
    if entry.fact is not None:  # a blank cell: still show where it is
        fact = entry.fact
        url = cell_url(fact.doc_id, [cell_key(fact.table, fact.row, fact.col)])
        return (
            f'<td class="gk-state gk-blank-cell"><a class="gk-cell-link" href="{escape(url)}" '
            f'target="{VIEWER_FRAME}">{escape(note)}</a></td>'
        )
    css = "gk-no-report" if entry.state == NO_REPORT else "gk-no-cell"
    return f'<td class="gk-state {css}">{escape(note)}</td>'


def comparison_html(comparison: Comparison) -> str:
    """The issuer × year table (the chart's numbers, each linked to its cell)."""
    if not comparison.issuers or not comparison.years:
        return '<div class="gk-empty">请选择至少一个单位和一个年份。</div>'
    m = comparison.measure
    head = "".join(f"<th>{y}年</th>" for y in comparison.years)
    rows = "".join(
        f"<tr><th scope='row'>{escape(label)}</th>"
        + "".join(entry_html(comparison, key, y) for y in comparison.years)
        + "</tr>"
        for key, label in comparison.issuers
    )
    return (
        f'<div class="gk-compare-title">{escape(m.label)}（单位：{escape(m.unit)}）</div>'
        f'<table class="gk-table gk-compare"><thead><tr><th>单位</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        '<div class="gk-foot">点击数字查看单元格与原文；“表中为空”指报告表格中该格未填，'
        "“无报告”指资料库中没有该单位该年度的年报，二者都不计为0，也不进入图表。</div>"
    )


def chart_rows(comparison: Comparison) -> list[dict[str, str | float]]:
    """Rows for the chart: one per printed number (单位, 年份, 数值)."""
    return [{"单位": label, "年份": str(year), "数值": value}
            for label, year, value in comparison.values()]  # fmt: skip


def chart_kind(comparison: Comparison) -> str:
    """A bar chart for one year, a line chart over several."""
    return "line" if len(comparison.years) > 1 else "bar"
