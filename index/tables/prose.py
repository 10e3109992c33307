"""Figures an annual report states in its prose (收到申请 N 件, 行政复议 N 件 …) as Facts.

Each fact has origin "text", table "text" and the span of the stating phrase. Rows reuse the
table labels where the meaning is the same (row 本年新收 col 总计 for 收到申请; row 行政复议 col
总计); figures with no table cell get their own row name (主动公开信息, 平均答复工作日数,
信息处理费). Approximate figures (5500余条, 2000多条) are skipped: they are not exact numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.models import Fact

TEXT_TABLE = "text"
_N = r"(?P<n>\d+(?:\.\d+)?)"
_GAP = r"[^。；;，,\d\n]{0,15}?"  # a few words inside one clause
_SENTENCE = re.compile(r"[^。；;！？!?]+[。；;！？!?]?")


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    row: str
    col: str
    unit: str


def _p(regex: str, row: str, col: str = "总计", unit: str = "件") -> _Pattern:
    return _Pattern(re.compile(regex), row, col, unit)


_SIMPLE = (
    _p(
        rf"(?:收到|受理|接收|接到){_GAP}政府信息公开(?:类)?(?:申请|案件)(?:案件)?\s*(?:共\s*)?{_N}\s*件",
        "本年新收",
    ),
    # 公开答复1件 counts one outcome (予以公开), not every application answered
    _p(rf"(?<!公开)(?:答复|办结)(?:政府信息公开)?(?:申请)?\s*{_N}\s*件", "总计"),
    _p(rf"依申请公开办件\s*{_N}\s*件", "总计"),
    _p(rf"上年度?结转(?:的)?(?:申请)?\s*{_N}\s*件", "上年结转"),
    _p(rf"{_N}\s*件\s*(?:顺延|结转)(?:到|至)下一?年度", "结转下年度"),
    _p(rf"结转(?:到|至)?下一?年度(?:继续办理)?(?:的)?(?:申请)?\s*{_N}\s*件", "结转下年度"),
    _p(rf"予以公开\s*{_N}\s*件", "予以公开"),
    _p(rf"部分公开\s*{_N}\s*件", "部分公开"),
    _p(rf"不予公开\s*{_N}\s*件", "不予公开"),
    _p(rf"无法提供\s*{_N}\s*件", "无法提供"),
    _p(rf"不予处理\s*{_N}\s*件", "不予处理"),
    _p(rf"其他处理\s*{_N}\s*件", "其他处理"),
    _p(rf"平均答复工作日数?\s*(?:为|是|:|：)?\s*{_N}", "平均答复工作日数", "数值", "工作日"),
    _p(
        rf"平均答复(?:时间|用时|时限)?\s*(?:为|是)?\s*{_N}\s*个?工作日",
        "平均答复工作日数",
        "数值",
        "工作日",
    ),
    # 主动公开政府信息120条; the kinds may be listed first (主动公开办事程序、便民政策等政府信息135条)
    _p(
        rf"主动(?:公开|发布)(?:[^。；;，,\d]{{0,60}}?等)?(?:各类|各项)?(?:政府)?信息(?:发布)?"
        rf"\s*(?:共\s*)?{_N}\s*条",
        "主动公开信息",
        unit="条",
    ),
    _p(rf"(?:收取|收缴){_GAP}信息处理费\s*(?:共\s*)?{_N}\s*元", "信息处理费", unit="元"),
)
_ZERO_FEE = re.compile(r"(?:未|无|没有|不)收取(?:任何)?[^。；;，,\d]{0,15}?信息处理费")
_CASE_TOTAL = re.compile(rf"(?P<kind>行政复议|行政诉讼)(?:案件|申请)?\s*(?:共\s*)?{_N}\s*(?:件|起)")
_LITIGATION_KIND = (
    ("未经复议直接", "行政诉讼.未经复议直接起诉"),
    ("复议后", "行政诉讼.复议后起诉"),
)
_RESULTS = (
    (re.compile(rf"(?:结果)?维持\s*{_N}\s*件"), "结果维持"),
    (re.compile(rf"(?:结果)?纠正\s*{_N}\s*件"), "结果纠正"),
    (re.compile(rf"被?纠错\s*{_N}\s*件"), "结果纠正"),
    (re.compile(rf"其他结果\s*{_N}\s*件"), "其他结果"),
    (re.compile(rf"尚未审结\s*{_N}\s*件"), "尚未审结"),
)
_NO_CORRECTION = re.compile(r"(?:没有|未|无|均未|未曾)被?(?:纠错|纠正)|零纠错")


def extract_prose_facts(text: str, doc_id: str = "") -> list[Fact]:
    """Numbers the report states in prose, one Fact per (row, col, value) first stated."""
    facts: list[Fact] = []
    for pattern in _SIMPLE:
        for m in pattern.regex.finditer(text):
            facts.append(_fact(doc_id, pattern.row, pattern.col, m, pattern.unit))
    for m in _ZERO_FEE.finditer(text):
        facts.append(_fact(doc_id, "信息处理费", "总计", m, "元", value=0))
    previous: list[tuple[int, str]] = []
    for sentence in _SENTENCE.finditer(text):
        # "…行政复议13件。其中，结果维持1件…" continues the previous sentence's cases.
        carried = previous if sentence.group().lstrip().startswith("其中") else []
        case_facts, previous = _case_facts(text, sentence.start(), sentence.end(), doc_id, carried)
        facts.extend(case_facts)
    return _first_statements(facts)


def _case_facts(
    text: str, start: int, end: int, doc_id: str, carried: list[tuple[int, str]]
) -> tuple[list[Fact], list[tuple[int, str]]]:
    """行政复议 / 行政诉讼 totals in one sentence, and the results stated after each.

    Returns the facts and the totals (position, row) the sentence stated.
    """
    facts = []
    totals = list(carried)  # (position, row)
    for m in _CASE_TOTAL.finditer(text, start, end):
        row = m.group("kind")
        clause_start = max(text.rfind(p, start, m.start()) for p in "，,、：:") + 1
        clause = text[max(start, clause_start) : m.start()]
        for marker, specific in _LITIGATION_KIND:
            if row == "行政诉讼" and marker in clause:
                row = specific
        totals.append((m.start(), row))
        fact = _fact(doc_id, row, "总计", m)
        # Quote the whole clause: 未经复议直接提起行政诉讼1件, not just 行政诉讼1件.
        fact.start = max(start, clause_start) + len(clause) - len(clause.lstrip())
        facts.append(fact)
    if not totals:
        return facts, []
    for regex, col in _RESULTS:
        for m in regex.finditer(text, start, end):
            owner = [row for pos, row in totals if pos < m.start()]
            if owner:
                facts.append(_fact(doc_id, owner[-1], col, m))
    for m in _NO_CORRECTION.finditer(text, start, end):
        for pos, row in totals:
            if pos < m.start():
                facts.append(_fact(doc_id, row, "结果纠正", m, value=0))
    return facts, [t for t in totals if t not in carried]


def _fact(
    doc_id: str,
    row: str,
    col: str,
    m: re.Match[str],
    unit: str = "件",
    value: int | float | None = None,
) -> Fact:
    if value is None:
        digits = m.group("n")
        value = float(digits) if "." in digits else int(digits)
    return Fact(
        doc_id=doc_id,
        table=TEXT_TABLE,
        row=row,
        col=col,
        value=value,
        unit=unit,
        start=m.start(),
        end=m.end(),
        origin="text",
    )


def _first_statements(facts: list[Fact]) -> list[Fact]:
    """Drop repeats of the same figure, keeping the earliest statement; order by position."""
    seen: set[tuple[str, str, float]] = set()
    kept = []
    for fact in sorted(facts, key=lambda f: (f.start, f.end)):
        key = (fact.row, fact.col, fact.value)
        if key not in seen:
            seen.add(key)
            kept.append(fact)
    return kept
