"""The review desk: check annual reports as the 政务公开办 does (年报审核), deterministically.

For each report, findings with a severity, the rule, the cells or sentences involved (as
citations) and a plain-Chinese explanation:
- the table's identities (勾稽关系, per column), group sums, 复议/诉讼 totals (from the reader's
  checks), and figures the prose states against the cells;
- across years of one issuer: this year's 上年结转 = last year's 结转下年度; 现行有效件数 = last
  year's + 本年制发 − 本年废止; implausible jumps of 本年新收;
- form: the table format the report year requires (2021 format from the 2021 reports on), the
  six parts, 存在的主要问题 written as 无, cells printed empty where a 0 is required, cells the
  reader could not settle.

    python -m assistant check [--doc ID | --region R --year Y] [--json] [--xlsx F] [--csv F]
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.models import Document, Fact

ERROR, WARNING, NOTE = "错误", "警告", "提示"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, NOTE: 2}
# The six parts of the report (both formats; table_formats.md "Section headings").
PARTS = (
    ("一", "总体情况", r"总体情况"),
    ("二", "主动公开政府信息情况", r"主动公开政府信息"),
    ("三", "收到和处理政府信息公开申请情况", r"收到和处理政府信息公开申请"),
    (
        "四",
        "政府信息公开行政复议、行政诉讼情况",
        r"行政复议.{0,6}行政诉讼|行政复议.{0,4}提起行政诉讼",
    ),
    ("五", "存在的主要问题及改进情况", r"存在的主要问题|存在的问题|主要问题"),
    ("六", "其他需要报告的事项", r"其他需要报告的事项"),
)
_PROBLEMS_NONE = re.compile(
    r"存在的主要问题及改进情况\s*[:：]?\s*[（(]?\s*无\s*[）)]?\s*[。.]?\s*(?:六|$)"
)
JUMP_FACTOR = 10
JUMP_FLOOR = 50


@dataclass
class Finding:
    """One thing a reviewer should look at in one report."""

    doc_id: str
    title: str
    severity: str  # 错误 | 警告 | 提示
    rule: str
    message: str
    citations: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def cite(doc: Document, start: int, end: int) -> dict:
    return {"doc_id": doc.doc_id, "start": start, "end": end, "quote": doc.text[start:end]}


def _cell(facts: Sequence[Fact], table: str, row: str, col: str) -> Fact | None:
    for f in facts:
        if (f.table, f.row, f.col) == (table, row, col) and f.origin in ("table", "sum"):
            return f
    return None


def _finding(doc: Document, severity: str, rule: str, message: str, spans=()) -> Finding:
    return Finding(
        doc.doc_id, doc.title, severity, rule, message, [cite(doc, s, e) for s, e in spans]
    )


# ── within one report ─────────────────────────────────────────────────────────────────────
_WARNING_RULES = (
    ("identity_failed: ", ERROR, "勾稽关系", "表格勾稽关系不成立：{}"),
    ("text_table_mismatch: ", WARNING, "正文与表格", "正文数字与表格不一致：{}"),
    ("ambiguous_cells: ", NOTE, "单元格连写", "表格数字连写、无法唯一拆分（需人工核对原表）：{}"),
    ("table_row_unaligned: ", NOTE, "表格行无法对齐", "表格行的单元格数与格式不符：{}"),
    ("table_missing: ", WARNING, "统计表缺失", "未找到统计表（可能为图片或缺失）：{}"),
    ("tables_missing", WARNING, "统计表缺失", "统计表缺失（可能为图片），只能使用正文中的数字。"),
)
FIRST_FORMAT_YEAR = 2019  # 国办公开办函〔2019〕60号: the statistical tables and six parts begin


def warning_findings(doc: Document, facts: Sequence[Fact]) -> list[Finding]:
    """The reader's warnings about a report, as findings citing the rows they name."""
    out = []
    for warning in doc.warnings:
        for prefix, severity, rule, template in _WARNING_RULES:
            if warning.startswith(prefix):
                detail = warning[len(prefix) :]
                out.append(
                    _finding(
                        doc, severity, rule, template.format(detail), _rows_named(detail, facts)
                    )
                )
                break
    return out


def _rows_named(detail: str, facts: Sequence[Fact]) -> list[tuple[int, int]]:
    """Spans of the printed rows a warning names (依申请/总计, 复议诉讼/行政复议 …)."""
    m = re.match(r"(\S+?)/([^:： (]+)", detail)
    if not m:
        return []
    table, name = m.groups()
    spans = {(f.start, f.end) for f in facts if f.table == table and name in (f.row, f.col)}
    return sorted(spans)[:6]


def form_findings(doc: Document, facts: Sequence[Fact]) -> list[Finding]:
    """The format the year requires, the six parts, 存在的主要问题 as 无, empty cells."""
    out = []
    if doc.year and doc.year >= 2021 and doc.table_format == "2019":
        out.append(
            _finding(doc, WARNING, "表格格式",
                     f"{doc.year}年度报告应使用2021年版统计表格式（国办公开办函〔2021〕30号），本报告仍为2019年版格式。")
        )  # fmt: skip
    flat = re.sub(r"\s+", "", doc.text)
    missing = [f"{n}、{name}" for n, name, pattern in PARTS if not re.search(pattern, flat)]
    if missing and doc.kind == "annual_report" and (doc.year or 0) >= FIRST_FORMAT_YEAR:
        out.append(
            _finding(
                doc,
                WARNING,
                "六个部分",
                f"缺少以下部分：{'、'.join(missing)}（年报格式要求六个部分）。",
            )
        )
    none = _PROBLEMS_NONE.search(doc.text)
    if none:
        out.append(
            _finding(doc, WARNING, "存在的主要问题", "“存在的主要问题及改进情况”写为“无”，应如实报告问题和改进措施。",
                     [none.span()])
        )  # fmt: skip
    blanks = [f for f in facts if f.blank and f.origin == "table"]
    if blanks:
        names = "、".join(f"{f.row}·{f.col}" for f in blanks[:8]) + (
            "等" if len(blanks) > 8 else ""
        )
        spans = sorted({(f.start, f.end) for f in blanks})[:6]
        out.append(
            _finding(
                doc, NOTE, "空白单元格", f"表中有{len(blanks)}格未填数字（应填0）：{names}。", spans
            )
        )
    return out


# ── across years of one issuer ────────────────────────────────────────────────────────────
def series_key(doc: Document) -> tuple[str, str]:
    return (doc.region, doc.issuer)


def cross_year_findings(docs: Sequence[Document], facts: dict[str, list[Fact]]) -> list[Finding]:
    """This year against last year's report of the same issuer (both must be held)."""
    out = []
    by_series: dict[tuple[str, str], dict[int, Document]] = {}
    for doc in docs:
        if doc.kind == "annual_report" and doc.year and doc.region:
            by_series.setdefault(series_key(doc), {})[doc.year] = doc
    for years in by_series.values():
        for year, doc in years.items():
            last = years.get(year - 1)
            if last is None:
                continue
            out += _carried(doc, last, facts[doc.doc_id], facts[last.doc_id])
            out += _in_force(doc, last, facts[doc.doc_id], facts[last.doc_id])
            out += _jump(doc, last, facts[doc.doc_id], facts[last.doc_id])
    return out


def _carried(doc, last, now: Sequence[Fact], before: Sequence[Fact]) -> list[Finding]:
    carried = _cell(now, "依申请", "上年结转", "总计")
    next_year = _cell(before, "依申请", "结转下年度", "总计")
    if not carried or not next_year or carried.value is None or next_year.value is None:
        return []
    if carried.value == next_year.value:
        return []
    message = (
        f"本年“上年结转”{_n(carried.value)}件，与{last.year}年报告“结转下年度继续办理”"
        f"{_n(next_year.value)}件不一致。"
    )
    finding = _finding(doc, WARNING, "跨年度结转", message, [(carried.start, carried.end)])
    finding.citations.append(cite(last, next_year.start, next_year.end))
    return [finding]


def _in_force(doc, last, now: Sequence[Fact], before: Sequence[Fact]) -> list[Finding]:
    out = []
    for row in ("规章", "行政规范性文件"):
        cells = [
            _cell(now, "主动公开", row, c) for c in ("现行有效件数", "本年制发件数", "本年废止件数")
        ]
        previous = _cell(before, "主动公开", row, "现行有效件数")
        if (
            previous is None
            or any(c is None or c.value is None for c in cells)
            or previous.value is None
        ):
            continue
        in_force, made, abolished = (c.value for c in cells)
        expected = previous.value + made - abolished
        if in_force != expected:
            message = (
                f"{row}现行有效{_n(in_force)}件，而{last.year}年现行有效{_n(previous.value)}件 + 本年制发"
                f"{_n(made)}件 − 本年废止{_n(abolished)}件 = {_n(expected)}件，请核实。"
            )
            finding = _finding(doc, NOTE, "现行有效件数", message, [(cells[0].start, cells[0].end)])
            finding.citations.append(cite(last, previous.start, previous.end))
            out.append(finding)
    return out


def _jump(doc, last, now: Sequence[Fact], before: Sequence[Fact]) -> list[Finding]:
    new = _cell(now, "依申请", "本年新收", "总计")
    old = _cell(before, "依申请", "本年新收", "总计")
    if not new or not old or new.value is None or old.value is None:
        return []
    high, low = max(new.value, old.value), min(new.value, old.value)
    if high < JUMP_FLOOR or high < JUMP_FACTOR * max(low, 1):
        return []
    message = f"本年新收申请{_n(new.value)}件，{last.year}年为{_n(old.value)}件，变化超过{JUMP_FACTOR}倍，请核实。"
    finding = _finding(doc, NOTE, "异常变化", message, [(new.start, new.end)])
    finding.citations.append(cite(last, old.start, old.end))
    return [finding]


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# ── the whole check ───────────────────────────────────────────────────────────────────────
def check_reports(
    docs: Sequence[Document], all_docs: Sequence[Document], facts_of
) -> list[Finding]:
    """Findings for ``docs`` (annual reports); ``all_docs`` supplies the other years;
    ``facts_of(doc_id)`` the parsed facts."""
    facts = {d.doc_id: list(facts_of(d.doc_id)) for d in all_docs if d.kind == "annual_report"}
    out: list[Finding] = []
    for doc in docs:
        if doc.kind != "annual_report":
            continue
        out += warning_findings(doc, facts[doc.doc_id])
        out += form_findings(doc, facts[doc.doc_id])
    wanted = {d.doc_id for d in docs}
    out += [f for f in cross_year_findings(all_docs, facts) if f.doc_id in wanted]
    return sorted(out, key=lambda f: (f.title, SEVERITY_ORDER[f.severity], f.rule))


EXPORT_COLUMNS = ("报告", "doc_id", "严重程度", "规则", "说明", "引用原文")


def export_rows(findings: Iterable[Finding]) -> list[list[str]]:
    return [
        [f.title, f.doc_id, f.severity, f.rule, f.message,
         " | ".join(" ".join(c["quote"].split())[:200] for c in f.citations)]
        for f in findings
    ]  # fmt: skip


def write_csv(findings: Sequence[Finding], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # BOM: Excel opens it as UTF-8
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(export_rows(findings))


def write_xlsx(findings: Sequence[Finding], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "年报审核"
    sheet.append(list(EXPORT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in export_rows(findings):
        sheet.append(row)
    for column, width in zip("ABCDEF", (46, 18, 10, 14, 70, 80), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(path)


def run_check_command(args, store) -> int:
    docs = store.documents()
    chosen = [
        d
        for d in docs
        if (not args.doc or d.doc_id == args.doc)
        and (not args.region or args.region in d.region)
        and (not args.year or d.year == args.year)
    ]
    if not chosen:
        print("没有符合条件的文档。")
        return 1
    findings = check_reports(chosen, docs, store.facts)
    if args.csv:
        write_csv(findings, args.csv)
    if args.xlsx:
        write_xlsx(findings, args.xlsx)
    if args.json:
        for f in findings:
            print(json.dumps(f.to_dict(), ensure_ascii=False))
        return 0
    reports = [d for d in chosen if d.kind == "annual_report"]
    print(f"审核 {len(reports)} 份年度报告，发现 {len(findings)} 项：")
    for f in findings:
        print(f"[{f.severity}] {f.title} · {f.rule}：{f.message}")
    return 0
