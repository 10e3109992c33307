"""Checks on parsed table facts: the template's identities (勾稽关系) and prose vs table.

Both return warning strings; a warning is a finding about the report, not a parse error.
"""

from __future__ import annotations

from domain.numbers import format_number as _num
from domain.schema import groups, identity
from index.models import Fact
from index.tables.labels import (
    APPLICANT_COLUMNS,
    APPLICATIONS,
    REVIEW,
    REVIEW_RESULT_COLUMNS,
)
from index.tables.prose import extract_prose_facts

_BALANCE = identity("balance")  # 本年新收 + 上年结转 = 总计 + 结转下年度
_OUTCOMES = identity("outcomes").right
_LITIGATION = tuple(r.canonical for r in groups(REVIEW)["行政诉讼"])

Cells = dict[tuple[str, str, str], float]


def _cells(facts: list[Fact]) -> Cells:
    """Table cells by key; a blank cell of a filled table reads as 0 in the identities."""
    return {(f.table, f.row, f.col): f.value or 0 for f in facts if f.origin in ("table", "sum")}


def _differs(a: float, b: float) -> bool:
    return abs(a - b) > 1e-6


def check_identities(facts: list[Fact]) -> list[str]:
    """Warnings ``identity_failed: …`` for every identity of the template that does not hold."""
    cells = _cells(facts)
    return (
        _check_balance(cells)
        + _check_outcomes(cells)
        + _check_row_totals(facts)
        + _check_review_totals(cells)
    )


def _check_balance(cells: Cells) -> list[str]:
    """一 + 二 = （七）总计 + 四, per column (stated in the table's top-left cell)."""
    warnings = []
    for col in APPLICANT_COLUMNS:
        keys = [(APPLICATIONS, row, col) for row in _BALANCE.left + _BALANCE.right]
        if not all(k in cells for k in keys):
            continue
        new, carried, total, next_year = (cells[k] for k in keys)
        if _differs(new + carried, total + next_year):
            warnings.append(
                f"identity_failed: {APPLICATIONS}/{col}: 本年新收+上年结转 = {_num(new + carried)}，"
                f"总计+结转下年度 = {_num(total + next_year)}"
            )
    return warnings


def _check_outcomes(cells: Cells) -> list[str]:
    """（七）总计 = （一）+（二）+Σ（三）+Σ（四）+Σ（五）+Σ（六）, per column."""
    warnings = []
    for col in APPLICANT_COLUMNS:
        keys = [(APPLICATIONS, row, col) for row in _OUTCOMES]
        total_key = (APPLICATIONS, "总计", col)
        if total_key not in cells or not all(k in cells for k in keys):
            continue
        parts = sum(cells[k] for k in keys)
        if _differs(parts, cells[total_key]):
            warnings.append(
                f"identity_failed: {APPLICATIONS}/{col}: "
                f"{'+'.join(_OUTCOMES)} = {_num(parts)}，总计 = {_num(cells[total_key])}"
            )
    return warnings


def _check_row_totals(facts: list[Fact]) -> list[str]:
    """总计 column = sum of the six applicant columns, for every printed row."""
    rows: dict[str, dict[str, float]] = {}
    for f in facts:
        if f.table == APPLICATIONS and f.origin == "table":
            rows.setdefault(f.row, {})[f.col] = f.value or 0
    warnings = []
    for row, values in rows.items():
        if not all(col in values for col in APPLICANT_COLUMNS):
            continue
        parts = sum(values[col] for col in APPLICANT_COLUMNS[:-1])
        if _differs(parts, values["总计"]):
            warnings.append(
                f"identity_failed: {APPLICATIONS}/{row}: 自然人+法人或其他组织 = {_num(parts)}，"
                f"总计 = {_num(values['总计'])}"
            )
    return warnings


def _check_review_totals(cells: Cells) -> list[str]:
    """复议诉讼: 总计 = 结果维持+结果纠正+其他结果+尚未审结, per row."""
    warnings = []
    rows = sorted({row for table, row, _ in cells if table == REVIEW})
    for row in rows:
        keys = [(REVIEW, row, col) for col in REVIEW_RESULT_COLUMNS]
        if not all(k in cells for k in keys):
            continue
        *parts, total = (cells[k] for k in keys)
        if _differs(sum(parts), total):
            warnings.append(
                f"identity_failed: {REVIEW}/{row}: {'+'.join(REVIEW_RESULT_COLUMNS[:-1])} = "
                f"{_num(sum(parts))}，总计 = {_num(total)}"
            )
    return warnings


def check_text_vs_table(text: str, facts: list[Fact]) -> list[str]:
    """Warnings ``text_table_mismatch: …`` where the prose states a figure the table contradicts."""
    cells = _cells(facts)
    warnings = []
    for stated in extract_prose_facts(text):
        target = _table_value(cells, stated.row, stated.col)
        if target is None or not _differs(stated.value, target[1]):
            continue
        quote = " ".join(text[stated.start : stated.end].split())
        warnings.append(
            f"text_table_mismatch: {target[0]} 正文 {_num(stated.value)} ≠ 表格 "
            f"{_num(target[1])}（正文：“{quote}”）"
        )
    return warnings


def _table_value(cells: Cells, row: str, col: str) -> tuple[str, float] | None:
    """The table cell (label, value) a prose figure speaks of, or None when there is none."""
    if (APPLICATIONS, row, col) in cells:
        return f"{APPLICATIONS}/{row}.{col}", cells[(APPLICATIONS, row, col)]
    if (REVIEW, row, col) in cells:
        return f"{REVIEW}/{row}.{col}", cells[(REVIEW, row, col)]
    keys = [(REVIEW, sub, col) for sub in _LITIGATION]
    if row == "行政诉讼" and all(k in cells for k in keys):
        return f"{REVIEW}/行政诉讼(两类合计).{col}", sum(cells[k] for k in keys)
    return None
