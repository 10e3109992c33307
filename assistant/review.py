"""The review desk: check annual reports as the 政务公开办 does (年报审核), deterministically.

For each report, findings with a severity, the rule, the cells or sentences involved (as
citations) and a plain-Chinese explanation:
- the table's identities (勾稽关系, per column), group sums, 复议/诉讼 totals (from the reader's
  checks), and figures the prose states against the cells (收到申请, 复议, 诉讼 …; counts of
  information items, 依申请公开信息数N条, are another measure and are not compared);
- across years of one issuer: this year's 上年结转 = last year's 结转下年度; 现行有效件数 = last
  year's + 本年制发 − 本年废止; implausible jumps of 本年新收;
- form: the table format the report year requires (2021 format from the 2021 reports on), the
  six parts, 存在的主要问题 written as 无, fees charged while the report says none (and, in the
  2021 format, a part 六 that does not report them), cells printed empty where a 0 is
  required, fixed labels and part headings printed with a typo (edit distance to the
  template's), the issuing date before the year ends, the signing organ misspelt, cells the
  reader could not settle, rows an abridged table leaves out;
- plausibility: fewer documents in force than issued this year, more 复议/诉讼 cases than
  applications.

    python -m assistant check [--doc ID | --region R --year Y] [--json] [--xlsx F] [--csv F]
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from domain.citation import Citation
from domain.numbers import format_number
from domain.schema import identity, schema
from index.models import Document, Fact
from index.tables.labels import (
    ACTIVE_ROWS,
    APPLICANT_COLUMNS,
    APPLICATION_HEAD_ROWS,
    APPLICATION_TOTAL_ROWS,
    APPLICATIONS,
    GROUP_ROWS,
    NUMBERING,
    REVIEW,
    REVIEW_RESULT_COLUMNS,
    REVIEW_ROWS,
    TABLES,
)

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
    ("五", "存在的主要问题及改进情况", r"存在(?:的)?(?:主要)?问题|主要问题"),
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
    citations: list[Citation] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # citations become the answer contract's citation objects

    def cite(self, doc: Document, start: int, end: int) -> None:
        """Add a citation of ``doc.text[start:end]`` (numbered after the ones held)."""
        self.citations.append(Citation.of(len(self.citations) + 1, doc, start, end))


def _cell(facts: Sequence[Fact], table: str, row: str, col: str) -> Fact | None:
    for f in facts:
        if (f.table, f.row, f.col) == (table, row, col) and f.origin in ("table", "sum"):
            return f
    return None


def _finding(doc: Document, severity: str, rule: str, message: str, spans=()) -> Finding:
    finding = Finding(doc.doc_id, doc.title, severity, rule, message)
    for start, end in spans:
        finding.cite(doc, start, end)
    return finding


# ── within one report ─────────────────────────────────────────────────────────────────────
_WARNING_RULES = (
    ("identity_failed: ", ERROR, "勾稽关系", "表格勾稽关系不成立：{}"),
    ("text_table_mismatch: ", WARNING, "正文与表格", "正文数字与表格不一致：{}"),
    ("ambiguous_cells: ", NOTE, "单元格连写", "表格数字连写、无法唯一拆分（需人工核对原表）：{}"),
    ("table_row_unaligned: ", NOTE, "表格行无法对齐", "表格行的单元格数与格式不符：{}"),
    ("table_missing: ", WARNING, "统计表缺失", "未找到统计表（可能为图片或缺失）：{}"),
    ("table_cell_unreadable: ", NOTE, "单元格无法识别", "表格单元格不是该列可填的数字：{}"),
    ("tables_missing", WARNING, "统计表缺失", "统计表缺失（可能为图片），只能使用正文中的数字。"),
)
FIRST_FORMAT_YEAR = 2019  # 国办公开办函〔2019〕60号: the statistical tables and six parts begin


def warning_findings(doc: Document, facts: Sequence[Fact]) -> list[Finding]:
    """The reader's warnings about a report, as findings citing the rows they name."""
    out = []
    blank = {w.removeprefix("table_blank: ") for w in doc.warnings if w.startswith("table_blank: ")}
    for table in sorted(blank):
        message = f"统计表“{table}”已印出但所有单元格均未填写（空白模板？）。"
        out.append(_finding(doc, WARNING, "统计表未填写", message))
    for warning in doc.warnings:
        if warning.removeprefix("table_missing: ") in blank:
            continue  # said above: printed, not missing
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
    single = next(
        (f for f in facts if (f.table, f.row, f.origin) == (APPLICATIONS, "其他处理", "table")),
        None,
    )  # printed as one row, not the sum of the 2021 sub-rows
    if doc.year and doc.year >= 2021 and doc.table_format == "2021" and single:
        message = (
            "2021年版格式的“（六）其他处理”分为三行（逾期不补正、逾期未缴费、其他），"
            "本报告仍印为一行（2019年版）。"
        )
        out.append(_finding(doc, NOTE, "表格格式", message, [(single.start, single.end)]))
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


# ── fixed labels (typos) ──────────────────────────────────────────────────────────────────
# A printed label this close to a template label is that label mistyped: at most a quarter of
# its characters (at least 1, at most 3) dropped, added or substituted. Labels under 4
# characters (规章, 总计, 其他) are too short to tell a typo from another word.
TYPO_SHARE = 4
TYPO_MAX = 3
TYPO_MIN_LENGTH = 4
# Header cells printed in the templates besides the row and column labels (table 二 block
# headers, table 三 top-left cell and 申请人情况 header, table 四 group headers).
TEMPLATE_HEADER_WORDS = schema().header_cells
_LABEL_RUN = re.compile(
    r"(?:[\u3400-\u9fff“”\"'‘’「」、，,；;:：（）()/／]|[ \t\u3000\n]|<br\s*/?>)+"
)
_LABEL_PUNCT = set("“”\"'‘’「」『』、，,；;.．:：（）()/／")


def official_labels() -> tuple[str, ...]:
    """Every fixed label of the templates (国办公开办函〔2019〕60号 / 〔2021〕30号): rows,
    columns, group and header cells; a row's label as the template prints it."""
    labels = {_normal(w) for w in TEMPLATE_HEADER_WORDS}
    labels |= set(APPLICANT_COLUMNS + REVIEW_RESULT_COLUMNS + TABLES)
    labels |= {"行政复议", "行政诉讼", *GROUP_ROWS}
    for row in APPLICATION_HEAD_ROWS + APPLICATION_TOTAL_ROWS:
        labels |= {_normal(p) for p in row.printed}
    for rows in GROUP_ROWS.values():
        labels |= {_normal(r.canonical.split(".", 1)[1]) for r in rows}  # not a reader alias
    for row, column_sets in ACTIVE_ROWS:
        labels |= {_normal(p) for p in row.printed}
        labels |= {_normal(c) for cs in column_sets for c in cs.columns}
    return tuple(sorted(labels))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions of one character)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _normal(label: str) -> str:
    return "".join(ch for ch in re.sub(r"\s+|<br\s*/?>", "", label) if ch not in _LABEL_PUNCT)


def misprint(piece: str, labels: Sequence[str]) -> str | None:
    """The template label ``piece`` mistypes, or None when it is a label or part of one (a
    label abridged or broken over lines), or resembles none."""
    if len(piece) < 2 or any(piece in label for label in labels):
        return None
    near = []
    for label in labels:
        limit = min(TYPO_MAX, max(1, len(label) // TYPO_SHARE))
        if len(label) >= TYPO_MIN_LENGTH and abs(len(piece) - len(label)) <= limit:
            distance = edit_distance(piece, label)
            if distance <= limit:
                near.append((distance, label))
    return min(near)[1] if near else None


@cache
def _known_labels() -> re.Pattern[str]:
    """Labels long enough to cut out of run-together text (crawler pages print a table's
    header cells as one run)."""
    long = sorted((x for x in official_labels() if len(x) >= TYPO_MIN_LENGTH), key=len)
    return re.compile("|".join(re.escape(x) for x in reversed(long)))


def label_pieces(run: str) -> list[str]:
    """What a run of printed label text holds besides the template's labels: cells split on
    tabs and pipes, numbering (（一） 1. 一、) dropped, the known labels cut out."""
    pieces = []
    for cell in re.split(r"[\t|]", run):
        for part in re.split(NUMBERING, re.sub(r"\s+|<br\s*/?>", "", cell)):
            pieces += _known_labels().sub("|", _normal(part)).split("|")
    return [p for p in pieces if len(p) >= 2]


def table_regions(doc: Document, facts: Sequence[Fact]) -> list[tuple[int, int]]:
    """The printed extent of each table read: its section (header cells included) up to
    its last row."""
    from index.tables.annual import find_table_sections

    regions = []
    for table in TABLES:
        rows = [f for f in facts if f.table == table and f.origin == "table"]
        if not rows:
            continue
        first, last = min(f.start for f in rows), max(f.end for f in rows)
        sections = [s for s in find_table_sections(doc.text, table) if s.start <= first < s.end]
        regions.append((min([first] + [s.start for s in sections]), last))
    return regions


def label_findings(doc: Document, facts: Sequence[Fact]) -> list[Finding]:
    """Fixed labels of the tables printed with a typo (a character dropped, added or
    substituted), with the printed and the expected label."""
    labels = official_labels()
    out, seen = [], set()
    for start, end in table_regions(doc, facts):
        for run in _LABEL_RUN.finditer(doc.text, start, end):
            for printed in label_pieces(run.group()):
                expected = misprint(printed, labels)
                if expected and (printed, expected) not in seen:
                    seen.add((printed, expected))
                    message = (
                        f"表格中的“{printed}”与格式规定的“{expected}”不一致（疑为错字、漏字）。"
                    )
                    out.append(_finding(doc, WARNING, "标签错字", message, [run.span()]))
    return out


# ── headings, signature, dates ────────────────────────────────────────────────────────────
# Heading names as the template prints them and as the notices word them (table_formats.md
# "Section headings"); a heading one character off one of them is a typo.
HEADING_NAMES = {
    "一": ("总体情况",),
    "二": ("主动公开政府信息情况", "行政机关主动公开政府信息情况"),
    "三": ("收到和处理政府信息公开申请情况",),
    "四": (
        "政府信息公开行政复议、行政诉讼情况",
        "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    ),
    "五": ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况"),
    "六": ("其他需要报告的事项",),
}
HEADING_MIN_LENGTH = 8
HEADING_CANDIDATES = 50  # "一、" … marks looked at per part: headings come early, lists repeat
_DATE = r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
# A date that signs or issues the report: followed by 印发, 抄送, 附件 or the end of the text.
_CLOSING_DATE = re.compile(rf"{_DATE}\s*(?P<what>印发|抄送|附件|$)")
_TITLE_ORGAN = re.compile(r"^(.{6,40}?)\s*\d{4}\s*年")


def heading_findings(doc: Document) -> list[Finding]:
    """Part headings printed one character off the template's (行政法复议 for 行政复议)."""
    out = []
    for numeral, names in HEADING_NAMES.items():
        marks = re.finditer(rf"{numeral}\s*、", doc.text)
        for m in itertools.islice(marks, HEADING_CANDIDATES):  # bounded on hostile text
            finding = _heading_typo(doc, m, numeral, names)
            if finding:
                out.append(finding)
                break  # one heading per part
    return out


def _heading_typo(doc: Document, m: re.Match[str], numeral: str, names) -> Finding | None:
    window = _normal(doc.text[m.end() : m.end() + 60])
    if any(window.startswith(_normal(n)) for n in names):
        return None
    for name in (n for n in names if len(n) >= HEADING_MIN_LENGTH):
        printed = _closest_prefix(window, _normal(name))
        if printed:
            message = (
                f"第{numeral}部分标题“{printed}”与格式规定的“{numeral}、{name}”不一致（疑为错字）。"
            )
            return _finding(
                doc, NOTE, "标签错字", message, [(m.start(), m.end() + len(printed) + 2)]
            )
    return None


def _closest_prefix(window: str, name: str) -> str | None:
    """The start of ``window`` when it is ``name`` with one character dropped, added or
    changed (same first and last two characters); None when exact or farther off."""
    if window.startswith(name):
        return None
    for k in (len(name), len(name) + 1, len(name) - 1):
        head = window[:k]
        if head[:2] == name[:2] and head[-2:] == name[-2:] and edit_distance(head, name) == 1:
            return head
    return None


def closing_findings(doc: Document) -> list[Finding]:
    """The issuing or signing date before the report year is over; the signing organ's name
    one character off the title's."""
    out = []
    tail = max(0, len(doc.text) - 400)
    if doc.year:
        for m in _CLOSING_DATE.finditer(doc.text, tail):
            if int(m.group("y")) <= doc.year:
                what = "印发" if m.group("what") == "印发" else "落款"
                message = (
                    f"{what}日期{m.group('y')}年{m.group('m')}月{m.group('d')}日早于{doc.year}年度结束，"
                    "疑为年份笔误。"
                )
                out.append(_finding(doc, NOTE, "印发日期", message, [m.span()]))
    organ = _TITLE_ORGAN.match(re.sub(r"\s+", "", doc.title))
    if organ and len(organ.group(1)) >= HEADING_MIN_LENGTH:
        name = organ.group(1)
        flat = re.sub(r"\s+", "", doc.text[tail:])
        if name not in flat:
            near = {
                flat[i : i + k]
                for k in (len(name) - 1, len(name), len(name) + 1)
                for i in range(len(flat) - k + 1)
                if flat[i : i + 2] == name[:2] and edit_distance(flat[i : i + k], name) == 1
            }
            for printed in sorted(near)[:1]:
                message = f"落款单位“{printed}”与标题中的“{name}”不一致（疑为错字）。"
                at = doc.text.find(printed[:4], tail)
                out.append(
                    _finding(
                        doc, NOTE, "落款", message, [(at, at + len(printed))] if at >= 0 else []
                    )
                )
    return out


# ── fees ──────────────────────────────────────────────────────────────────────────────────
_FEE_NONE = re.compile(
    r"(?:未|无|没有|不|均未)(?:收取|产生|发生|收缴)(?:任何)?[^。；;，,\d]{0,15}?处理费"
)
_OTHER_MATTERS = re.compile(r"其他需要报告的事项")
_OTHER_NONE = re.compile(r"\s*[:：]?\s*(?:[（(][^）)]{0,30}[）)])?\s*无\s*(?:[。.]|\s|$)")
# 信息处理费, or fees named otherwise (无向申请人收取政府信息公开费用的情况)
_FEE_MENTION = re.compile(r"处理费|收取[^。；;]{0,20}?费|收费")
FEE_FORMAT = "2021"  # 〔2021〕30号: 收取信息处理费的情况 is reported in 六


def _other_matters(doc: Document) -> tuple[int, int] | None:
    """Span of the body of 六、其他需要报告的事项 (its last heading to the end)."""
    heads = list(_OTHER_MATTERS.finditer(doc.text))
    return (heads[-1].end(), len(doc.text)) if heads else None


def fee_findings(doc: Document, facts: Sequence[Fact]) -> list[Finding]:
    """Fees stated as charged while the report also says none were, and (2021 format) a
    part 六 that does not report the fees at all."""
    out = []
    charged = [f for f in facts if f.row == "信息处理费" and f.origin == "text" and f.value]
    body = _other_matters(doc)
    nothing = [m.span() for m in _FEE_NONE.finditer(doc.text)]
    if body and _OTHER_NONE.match(doc.text, body[0]):
        nothing.append((body[0] - len("其他需要报告的事项"), body[0] + 2))
    if charged and nothing:
        fee = charged[0]
        message = (
            f"正文称收取信息处理费{format_number(fee.value)}元，又写明未收取信息处理费或“其他需要报告的事项”"
            "为“无”，前后矛盾。"
        )
        out.append(
            _finding(doc, WARNING, "信息处理费", message, [(fee.start, fee.end)] + nothing[:2])
        )
    if (
        body
        and doc.table_format == FEE_FORMAT
        and (doc.year or 0) >= 2021
        and not _FEE_MENTION.search(doc.text, body[0], body[1])
    ):
        message = (
            "2021年版格式要求在“六、其他需要报告的事项”中报告收取信息处理费的情况，本报告未提及。"
        )
        out.append(
            _finding(doc, NOTE, "信息处理费", message, [(body[0], min(body[1], body[0] + 60))])
        )
    return out


# ── plausibility within one report ────────────────────────────────────────────────────────
def plausibility_findings(doc: Document, facts: Sequence[Fact]) -> list[Finding]:
    """Figures that can hold but rarely do: fewer documents in force than issued this year,
    more 复议/诉讼 cases than applications handled; rows the table does not print."""
    out = []
    for row in ("规章", "行政规范性文件", "规范性文件"):
        made = _cell(facts, "主动公开", row, "本年制发件数")
        in_force = _cell(facts, "主动公开", row, "现行有效件数")
        known = made and in_force and None not in (made.value, in_force.value)
        if known and in_force.value < made.value:
            message = (
                f"{row}本年制发{format_number(made.value)}件，现行有效仅{format_number(in_force.value)}件"
                "（少于本年制发件数），请核实。"
            )
            out.append(_finding(doc, NOTE, "现行有效件数", message, [(made.start, made.end)]))
    cases = [_cell(facts, REVIEW, row, "总计") for row in REVIEW_ROWS]
    handled = [_cell(facts, APPLICATIONS, row, "总计") for row in identity("balance").left]
    if all(c and c.value is not None for c in cases + handled):
        n_cases, n_apps = sum(c.value for c in cases), sum(c.value for c in handled)
        if n_cases > n_apps:
            message = (
                f"行政复议、行政诉讼案件合计{format_number(n_cases)}件，多于本年新收与上年结转的申请"
                f"{format_number(n_apps)}件（可能涉及往年申请），请核实。"
            )
            spans = [(cases[0].start, cases[0].end), (handled[0].start, handled[0].end)]
            out.append(_finding(doc, NOTE, "复议诉讼与申请数", message, spans))
    missing: dict[str, list[str]] = {}
    for warning in doc.warnings:
        if warning.startswith("table_row_missing: "):
            table, _, row = warning.removeprefix("table_row_missing: ").partition("/")
            missing.setdefault(table, []).append(row)
    for table, rows in missing.items():
        names = "、".join(rows[:6]) + ("等" if len(rows) > 6 else "")
        message = f"“{table}”表缺少{len(rows)}行：{names}（可能为节选；缺少的行不按0计）。"
        out.append(_finding(doc, NOTE, "表格行缺失", message))
    return out


# ── across years of one issuer ────────────────────────────────────────────────────────────
def series_key(doc: Document) -> tuple[str, str]:
    return (doc.region, doc.issuer)


def cross_year_findings(docs: Sequence[Document], facts: dict[str, list[Fact]]) -> list[Finding]:
    """This year against last year's report of the same issuer (both must be held)."""
    out = []
    by_series: dict[tuple[str, str], dict[int, list[Document]]] = {}
    for doc in docs:
        if doc.kind == "annual_report" and doc.year and doc.region:
            by_series.setdefault(series_key(doc), {}).setdefault(doc.year, []).append(doc)
    for years in by_series.values():
        for year, reports in years.items():
            # One file of last year's report is enough (a PDF and its conversion agree).
            last = next(iter(years.get(year - 1, [])), None)
            if last is None:
                continue
            for doc in reports:
                now, before = facts[doc.doc_id], facts[last.doc_id]
                out += _carried(doc, last, now, before)
                out += _in_force(doc, last, now, before)
                out += _jump(doc, last, now, before)
    return out


def _carried(doc, last, now: Sequence[Fact], before: Sequence[Fact]) -> list[Finding]:
    carried = _cell(now, "依申请", "上年结转", "总计")
    next_year = _cell(before, "依申请", "结转下年度", "总计")
    if not carried or not next_year or carried.value is None or next_year.value is None:
        return []
    if carried.value == next_year.value:
        return []
    message = (
        f"本年“上年结转”{format_number(carried.value)}件，与{last.year}年报告“结转下年度继续办理”"
        f"{format_number(next_year.value)}件不一致。"
    )
    finding = _finding(doc, WARNING, "跨年度结转", message, [(carried.start, carried.end)])
    finding.cite(last, next_year.start, next_year.end)
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
                f"{row}现行有效{format_number(in_force)}件，而{last.year}年现行有效{format_number(previous.value)}件 + 本年制发"
                f"{format_number(made)}件 − 本年废止{format_number(abolished)}件 = {format_number(expected)}件，请核实。"
            )
            finding = _finding(doc, NOTE, "现行有效件数", message, [(cells[0].start, cells[0].end)])
            finding.cite(last, previous.start, previous.end)
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
    message = f"本年新收申请{format_number(new.value)}件，{last.year}年为{format_number(old.value)}件，变化超过{JUMP_FACTOR}倍，请核实。"
    finding = _finding(doc, NOTE, "异常变化", message, [(new.start, new.end)])
    finding.cite(last, old.start, old.end)
    return [finding]


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
        out += label_findings(doc, facts[doc.doc_id])
        out += fee_findings(doc, facts[doc.doc_id])
        out += plausibility_findings(doc, facts[doc.doc_id])
        out += heading_findings(doc)
        out += closing_findings(doc)
    wanted = {d.doc_id for d in docs}
    out += [f for f in cross_year_findings(all_docs, facts) if f.doc_id in wanted]
    return sorted(out, key=lambda f: (f.title, SEVERITY_ORDER[f.severity], f.rule))


EXPORT_COLUMNS = ("报告", "doc_id", "严重程度", "规则", "说明", "引用原文")


def export_rows(findings: Iterable[Finding]) -> list[list[str]]:
    return [
        [f.title, f.doc_id, f.severity, f.rule, f.message,
         " | ".join(" ".join(c.quote.split())[:200] for c in f.citations)]
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
