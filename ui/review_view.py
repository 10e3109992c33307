"""The 文档库 tab's 年报审核 section: choose the reports, list the findings, export them.

The findings come from assistant.review (check_reports, write_xlsx, write_csv); this module
only picks the reports and renders the list.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from ui.render import doc_label, source_url

if TYPE_CHECKING:
    from assistant.review import Finding
    from index.models import Document

ALL = "all"
SEVERITY_CSS = {"错误": "gk-sev-error", "警告": "gk-sev-warn", "提示": "gk-sev-note"}


def scope_choices(docs: Sequence[Document]) -> list[tuple[str, str]]:
    """全部 / each region+year / each annual report, as (label, value) for one dropdown."""
    reports = [d for d in docs if d.kind == "annual_report"]
    out = [(f"全部年度报告（{len(reports)} 份）", ALL)]
    groups = Counter((d.region, d.year) for d in reports if d.region and d.year)
    for (region, year), n in sorted(groups.items(), key=lambda p: (p[0][0], -p[0][1])):
        out.append((f"{region} {year}年（{n} 份）", f"ry|{region}|{year}"))
    for d in sorted(reports, key=lambda d: (d.region, -(d.year or 0), d.title)):
        out.append(
            (f"报告：{d.title or d.doc_id}（{doc_label(d.region, d.year)}）", f"doc|{d.doc_id}")
        )
    return out


def chosen_reports(docs: Sequence[Document], scope: str | None) -> list[Document]:
    """The documents a scope value names."""
    kind, _, rest = (scope or ALL).partition("|")
    if kind == "doc":
        return [d for d in docs if d.doc_id == rest]
    if kind == "ry":
        region, _, year = rest.rpartition("|")
        return [d for d in docs if d.region == region and str(d.year) == year]
    return [d for d in docs if d.kind == "annual_report"]


def citation_links(finding: Finding) -> str:
    links = []
    for i, c in enumerate(finding.citations, start=1):
        url = source_url(c.doc_id, c.start, c.end)
        quote = " ".join(c.quote.split())[:120]
        links.append(
            f'<a class="gk-src-link" href="{escape(url)}" target="_blank" rel="noopener" '
            f'title="{escape(quote)}">原文{i}</a>'
        )
    return " ".join(links) or "—"


def findings_html(findings: Sequence[Finding], checked: int) -> str:
    """A summary line and one table row per finding (severity, report, rule, explanation)."""
    counts = Counter(f.severity for f in findings)
    summary = "，".join(f"{s} {counts[s]} 项" for s in ("错误", "警告", "提示") if counts[s])
    head = f"审核 {checked} 份年度报告：" + (summary or "未发现问题")
    if not findings:
        return f'<div class="gk-check-summary">{escape(head)}。</div>'
    rows = "".join(
        f'<tr class="gk-finding"><td class="{SEVERITY_CSS.get(f.severity, "")}">'
        f"{escape(f.severity)}</td><td>{escape(f.title)}</td><td>{escape(f.rule)}</td>"
        f"<td>{escape(f.message)}</td><td>{citation_links(f)}</td></tr>"
        for f in findings
    )
    return (
        f'<div class="gk-check-summary">{escape(head)}。</div>'
        '<table class="gk-table gk-findings"><thead><tr><th>严重程度</th><th>报告</th>'
        f"<th>规则</th><th>说明</th><th>引用</th></tr></thead><tbody>{rows}</tbody></table>"
    )


EXPORT_PREFIX = "gongkai-check-"
EXPORT_KEEP_S = 3600  # exports older than this are removed when a new one is written


def remove_old_exports(now: float | None = None) -> None:
    """Delete earlier exports (Gradio serves its own copy of a download)."""
    now = time.time() if now is None else now
    for folder in Path(tempfile.gettempdir()).glob(f"{EXPORT_PREFIX}*"):
        try:
            if now - folder.stat().st_mtime > EXPORT_KEEP_S:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def export_files(findings: Sequence[Finding]) -> tuple[Path, Path]:
    """The findings as 年报审核.xlsx and 年报审核.csv in a fresh temporary folder."""
    from assistant.review import write_csv, write_xlsx

    remove_old_exports()
    folder = Path(tempfile.mkdtemp(prefix=EXPORT_PREFIX))
    xlsx, csv = folder / "年报审核.xlsx", folder / "年报审核.csv"
    write_xlsx(findings, xlsx)
    write_csv(findings, csv)
    return xlsx, csv
