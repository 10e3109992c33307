"""Figures stated in report prose, and their comparison with the tables."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from index.clean import clean_text
from index.load import load_file
from index.tables.annual import parse_report_tables
from index.tables.prose import extract_prose_facts
from index.tables.validate import check_text_vs_table

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


@cache
def cleaned(name: str) -> str:
    loaded = load_file(SAMPLE / name)
    return clean_text(loaded.text, join_wrapped_lines=bool(loaded.pages)).text


def stated(name: str) -> list[tuple[str, str, float, str, str]]:
    text = cleaned(name)
    return [
        (f.row, f.col, f.value, f.unit, text[f.start : f.end])
        for f in extract_prose_facts(text, name)
    ]


def test_spam_report_prose_facts_survive_the_lost_tables():
    assert stated("spam_2021_annual_report.txt") == [
        ("主动公开信息", "总计", 255, "条", "主动公开信息255条"),
        ("本年新收", "总计", 70, "件", "收到政府信息公开案件70件"),
        ("行政复议", "总计", 2, "件", "处理政府信息公开类行政复议2件"),
        ("行政诉讼", "总计", 1, "件", "行政诉讼1件"),
        ("行政复议", "结果纠正", 0, "件", "没有被纠错"),
        ("行政诉讼", "结果纠正", 0, "件", "没有被纠错"),
        ("平均答复工作日数", "数值", 7.29, "工作日", "平均答复工作日数为7.29"),
        ("信息处理费", "总计", 0, "元", "无收取信息处理费"),
    ]


def test_prose_facts_are_text_facts_with_the_doc_id():
    facts = extract_prose_facts(cleaned("spam_2021_annual_report.txt"), "spam")
    assert {(f.table, f.origin, f.doc_id) for f in facts} == {("text", "text", "spam")}


def test_laiwu_prose_figures_and_breakdown_after_a_full_stop():
    rows = {
        (row, col): (value, quote)
        for row, col, value, _, quote in stated("laiwu_2020_annual_report.txt")
    }
    assert rows[("本年新收", "总计")] == (331, "收到政府信息公开申请331件")
    assert rows[("总计", "总计")] == (331, "答复政府信息公开申请331件")
    assert rows[("无法提供", "总计")] == (227, "无法提供227件")
    assert rows[("其他处理", "总计")][0] == 7
    assert rows[("行政复议", "总计")][0] == 13
    # "…被申请行政复议13件，同比增长3.3倍。其中，结果维持1件、纠正10件、撤回终止2件"
    assert rows[("行政复议", "结果维持")] == (1, "结果维持1件")
    assert rows[("行政复议", "结果纠正")] == (10, "纠正10件")
    assert rows[("行政诉讼.未经复议直接起诉", "总计")] == (1, "未经复议直接提起行政诉讼1件")
    assert ("行政复议", "其他结果") not in rows  # 撤回终止 is not named as 其他结果


def test_huaian_prose_case_breakdowns_belong_to_their_case_kind():
    rows = {(row, col): value for row, col, value, _, _ in stated("huaian_2024_annual_report.pdf")}
    assert rows[("本年新收", "总计")] == 3119
    assert rows[("总计", "总计")] == 3050
    assert rows[("上年结转", "总计")] == 34
    assert rows[("结转下年度", "总计")] == 103
    review = [
        rows[("行政复议", c)] for c in ("总计", "结果维持", "结果纠正", "其他结果", "尚未审结")
    ]
    litigation = [
        rows[("行政诉讼", c)] for c in ("总计", "结果维持", "结果纠正", "其他结果", "尚未审结")
    ]
    assert review == [351, 72, 64, 178, 37]
    assert litigation == [46, 25, 5, 9, 7]
    assert rows[("信息处理费", "总计")] == 3940
    assert ("主动公开信息", "总计") not in rows  # "5500 余条" is not an exact figure


def test_hongze_fee_and_active_disclosure():
    rows = {(row, col): value for row, col, value, _, _ in stated("hongze_2023_annual_report.pdf")}
    assert rows == {
        ("主动公开信息", "总计"): 1136,
        ("本年新收", "总计"): 21,
        ("信息处理费", "总计"): 0,
    }


def test_unrelated_counts_are_not_taken_for_applications():
    # huaiyin: "通过政府网站办理群众来信598件，依申请公开办件56件，予以公开24件"
    rows = {(row, col): value for row, col, value, _, _ in stated("huaiyin_2019_annual_report.txt")}
    assert rows == {
        ("主动公开信息", "总计"): 5476,
        ("总计", "总计"): 56,
        ("予以公开", "总计"): 24,
    }


def test_a_count_after_a_list_of_kinds_is_the_active_disclosure_total():
    text = (
        "全年累计主动公开涵盖办事程序、便民政策、人事任免等政府信息135条，保障了知情权。"
        "主动公开信息，访问量达3000次。"
    )
    facts = [f for f in extract_prose_facts(text) if f.row == "主动公开信息"]
    assert [(f.value, f.unit) for f in facts] == [(135, "条")]
    assert text[facts[0].start : facts[0].end].endswith("政府信息135条")


def test_a_list_that_crosses_a_clause_is_not_counted():
    text = "主动公开办事程序，并发布便民政策等政府信息135条。"
    assert not [f for f in extract_prose_facts(text) if f.row == "主动公开信息"]


# ------------------------------------------------------------------- text vs table


def mismatches(name: str, text: str | None = None) -> list[str]:
    text = cleaned(name) if text is None else text
    return check_text_vs_table(text, parse_report_tables(text).facts)


def test_hongze_2024_prose_contradicts_its_table():
    assert mismatches("hongze_2024_annual_report.pdf") == [
        "text_table_mismatch: 依申请/本年新收.总计 正文 17 ≠ 表格 95"
        "（正文：“受理政府信息公开申请 17 件”）"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "hongze_2023_annual_report.pdf",
        "huaian_2024_annual_report.pdf",
        "laiwu_2020_annual_report.txt",
        "huaiyin_2019_annual_report.txt",
        "spam_2021_annual_report.txt",
    ],
)
def test_prose_agrees_with_tables(name):
    assert mismatches(name) == []


def test_a_changed_prose_figure_is_caught():
    text = cleaned("laiwu_2020_annual_report.txt")
    changed = text.replace("被申请行政复议13件", "被申请行政复议14件")
    assert changed != text

    assert mismatches("", changed) == [
        "text_table_mismatch: 复议诉讼/行政复议.总计 正文 14 ≠ 表格 13"
        "（正文：“全区各级政府和政府部门因政府信息公开被申请行政复议14件”）"
    ]


def test_litigation_total_is_compared_with_both_kinds_of_suit():
    text = cleaned("huaian_2024_annual_report.pdf")
    changed = text.replace("政府信息公开行政诉讼 46 件", "政府信息公开行政诉讼 45 件")
    assert changed != text

    assert mismatches("", changed) == [
        "text_table_mismatch: 复议诉讼/行政诉讼(两类合计).总计 正文 45 ≠ 表格 46"
        "（正文：“政府信息公开行政诉讼 45 件”）"
    ]
