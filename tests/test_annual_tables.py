"""The annual-report table parser against hand-checked values, and the identity checks."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from index.clean import clean_text
from index.load import load_file
from index.models import Fact
from index.tables.annual import parse_report_tables
from index.tables.labels import squash
from index.tables.validate import check_identities

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
GOLD_FILES = sorted(p.name for p in FIXTURES.glob("*.json"))
ALL_REPORTS = [
    "laiwu_2020_annual_report.txt",
    "huaiyin_2019_annual_report.txt",
    "hongze_2023_annual_report.pdf",
    "hongze_2024_annual_report.pdf",
    "huaian_2024_annual_report.pdf",
]


@cache
def cleaned(name: str) -> str:
    loaded = load_file(SAMPLE / name)
    return clean_text(loaded.text, join_wrapped_lines=bool(loaded.pages)).text


def cells(facts: list[Fact], origin: str = "table") -> dict[tuple[str, str, str], float]:
    """Cells by key; a cell printed empty (blank, value None) is shown as the literal's 0."""
    return {(f.table, f.row, f.col): 0 if f.blank else f.value for f in facts if f.origin == origin}


def literal_table(table: str, columns: tuple[str, ...], literal: str) -> dict:
    """``row  v1 v2 …`` lines (as read off the source by hand) to {(table, row, col): value}."""
    expected = {}
    for line in literal.strip().splitlines():
        row, *values = line.split()
        assert len(values) == len(columns), line
        for col, value in zip(columns, values, strict=True):
            expected[(table, row, col)] = float(value) if "." in value else int(value)
    return expected


# ---------------------------------------------------------------- gold files (three PDFs)

DENIED = {
    "state_secret": "属于国家秘密",
    "other_laws_prohibit": "其他法律行政法规禁止公开",
    "endanger_three_security_one_stability": "危及“三安全一稳定”",
    "third_party_rights": "保护第三方合法权益",
    "internal_affairs": "属于三类内部事务信息",
    "process_info": "属于四类过程性信息",
    "law_enforcement_files": "属于行政执法案卷",
    "admin_inquiry_matters": "属于行政查询事项",
}
UNABLE = {
    "not_held_by_agency": "本机关不掌握相关政府信息",
    "needs_new_creation": "没有现成信息需要另行制作",
    "still_unclear_after_correction": "补正后申请内容仍不明确",
}
NOT_PROCESSED = {
    "petition_complaint": "信访举报投诉类申请",
    "repeated_application": "重复申请",
    "public_publications": "要求提供公开出版物",
    "massive_repeated_without_reason": "无正当理由大量反复申请",
    "confirm_or_reissue_obtained_info": "要求行政机关确认或重新出具已获取信息",
}
OTHER_2021 = (
    "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "其他",
)
PLAIN_ROWS = {
    "new_received": "本年新收",
    "carried_over": "上年结转",
    "granted": "予以公开",
    "partially_granted": "部分公开",
    "total_processed": "总计",
    "carried_to_next_year": "结转下年度",
}
REVIEW_ROWS = {
    "admin_review_行政复议": "行政复议",
    "litigation_direct_未经复议直接起诉": "行政诉讼.未经复议直接起诉",
    "litigation_after_review_复议后起诉": "行政诉讼.复议后起诉",
}
REVIEW_COLS = {
    "maintained": "结果维持",
    "corrected": "结果纠正",
    "other_result": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}


def gold_cells(gold: dict) -> dict[tuple[str, str, str], float]:
    """Every printed cell of a gold file, keyed by canonical (table, row, col)."""
    expected: dict[tuple[str, str, str], float] = {}
    by_col = gold["applications_by_column"]
    rows = {PLAIN_ROWS[k]: by_col[k] for k in PLAIN_ROWS}
    for group, key, names in (
        ("不予公开", "denied_rows", DENIED),
        ("无法提供", "unable_rows", UNABLE),
        ("不予处理", "not_processed_rows", NOT_PROCESSED),
    ):
        rows.update({f"{group}.{names[k]}": v for k, v in by_col[key].items()})
    other = by_col["other_processing_rows"]
    if len(other) == 1:
        rows["其他处理"] = other[0]
    else:
        rows.update({f"其他处理.{label}": v for label, v in zip(OTHER_2021, other, strict=True)})
    for row, values in rows.items():
        for col, value in zip(APPLICANTS, values, strict=True):
            expected[("依申请", row, col)] = value
    for key, row in REVIEW_ROWS.items():
        for gkey, col in REVIEW_COLS.items():
            expected[("复议诉讼", row, col)] = gold["review_litigation"][key][gkey]
    active = gold["active_disclosure"]
    for row in ("规章", "行政规范性文件"):
        for col, value in active[row].items():
            expected[("主动公开", row, col)] = value
    for row in ("行政许可", "行政处罚", "行政强制"):
        expected[("主动公开", row, "本年处理决定数量")] = active[f"{row}_本年处理决定数量"]
    fee = float(active["行政事业性收费_本年收费金额_万元"])
    expected[("主动公开", "行政事业性收费", "本年收费金额")] = fee
    return expected


@pytest.mark.parametrize("gold_file", GOLD_FILES)
def test_every_gold_cell_is_parsed_exactly(gold_file):
    gold = json.loads((FIXTURES / gold_file).read_text(encoding="utf-8"))
    parsed = parse_report_tables(cleaned(gold["file"]), gold_file)

    assert cells(parsed.facts) == gold_cells(gold)
    assert parsed.problems == []
    assert parsed.tables == {"主动公开", "依申请", "复议诉讼"}
    assert parsed.table_format == gold["active_disclosure"]["table_version"]


@pytest.mark.parametrize("gold_file", GOLD_FILES)
def test_group_sums_match_gold_totals(gold_file):
    gold = json.loads((FIXTURES / gold_file).read_text(encoding="utf-8"))
    sums = cells(parse_report_tables(cleaned(gold["file"])).facts, origin="sum")
    apps = gold["applications"]

    for group, key in (
        ("不予公开", "denied_不予公开"),
        ("无法提供", "unable_to_provide_无法提供"),
        ("不予处理", "not_processed_不予处理"),
    ):
        assert sums[("依申请", group, "总计")] == apps[key]["total_computed"]
    other = apps["other_processing_其他处理"]
    if "total_computed" in other:  # 2021 sub-rows: a computed group total
        assert sums[("依申请", "其他处理", "总计")] == other["total_computed"]
    else:  # one printed row, no sum
        assert ("依申请", "其他处理", "总计") not in sums
    assert {f"{t}/{r}" for t, r, _ in sums} <= {
        "依申请/不予公开",
        "依申请/无法提供",
        "依申请/不予处理",
        "依申请/其他处理",
    }


def test_huaian_units_and_fact_fields():
    facts = parse_report_tables(cleaned("huaian_2024_annual_report.pdf"), "doc-1").facts
    fee = [f for f in facts if f.row == "行政事业性收费"]
    assert [(f.value, f.unit) for f in fee] == [(96171.6, "万元")]
    assert all(f.unit == "件" for f in facts if f.row != "行政事业性收费")
    assert all(f.doc_id == "doc-1" for f in facts)
    assert isinstance([f for f in facts if f.row == "行政许可"][0].value, int)


# ------------------------------------------- tab-flattened 2019 tables, read by hand

LAIWU_ACTIVE = {
    **literal_table(
        "主动公开",
        ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
        """
        规章        0 0 0
        规范性文件  7 6 12
        """,
    ),
    **literal_table(
        "主动公开",
        ("上一年项目数量", "本年增减", "处理决定数量"),
        """
        行政许可              256  84  153784
        其他对外管理服务事项  177  -22 5990
        行政处罚              2366 41  1804
        行政强制              91   -3  60
        """,
    ),
    **literal_table("主动公开", ("上一年项目数量", "本年增减"), "行政事业性收费 19 -1"),
    **literal_table("主动公开", ("采购项目数量", "采购总金额"), "政府集中采购 159 18618.37"),
}
LAIWU_APPLICATIONS = literal_table(
    "依申请",
    APPLICANTS,
    """
    本年新收                                331 0 0 0 0 0 331
    上年结转                                0   0 0 0 0 0 0
    予以公开                                72  0 0 0 0 0 72
    部分公开                                20  0 0 0 0 0 20
    不予公开.属于国家秘密                   0   0 0 0 0 0 0
    不予公开.其他法律行政法规禁止公开       0   0 0 0 0 0 0
    不予公开.危及“三安全一稳定”             0   0 0 0 0 0 0
    不予公开.保护第三方合法权益             0   0 0 0 0 0 0
    不予公开.属于三类内部事务信息           0   0 0 0 0 0 0
    不予公开.属于四类过程性信息             0   0 0 0 0 0 0
    不予公开.属于行政执法案卷               0   0 0 0 0 0 0
    不予公开.属于行政查询事项               1   0 0 0 0 0 1
    无法提供.本机关不掌握相关政府信息       226 0 0 0 0 0 226
    无法提供.没有现成信息需要另行制作       1   0 0 0 0 0 1
    无法提供.补正后申请内容仍不明确         0   0 0 0 0 0 0
    不予处理.信访举报投诉类申请             0   0 0 0 0 0 0
    不予处理.重复申请                       4   0 0 0 0 0 4
    不予处理.要求提供公开出版物             0   0 0 0 0 0 0
    不予处理.无正当理由大量反复申请         0   0 0 0 0 0 0
    不予处理.要求行政机关确认或重新出具已获取信息 0 0 0 0 0 0 0
    其他处理                                7   0 0 0 0 0 7
    总计                                    331 0 0 0 0 0 331
    结转下年度                              0   0 0 0 0 0 0
    """,
)
LAIWU_REVIEW = literal_table(
    "复议诉讼",
    RESULTS,
    """
    行政复议                   1 10 2 0 13
    行政诉讼.未经复议直接起诉  0 1  0 0 1
    行政诉讼.复议后起诉        0 0  0 0 0
    """,
)
LAIWU_SUMS = literal_table(
    "依申请",
    APPLICANTS,
    """
    不予公开  1   0 0 0 0 0 1
    无法提供  227 0 0 0 0 0 227
    不予处理  4   0 0 0 0 0 4
    """,
)

HUAIYIN_ACTIVE = {
    **literal_table(
        "主动公开",
        ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
        """
        规章        0 0 0
        规范性文件  2 2 35
        """,
    ),
    **literal_table(
        "主动公开",
        ("上一年项目数量", "本年增减", "处理决定数量"),
        """
        行政许可              371  98   30456
        其他对外管理服务事项  17   124  141
        行政处罚              2574 -641 1412
        行政强制              42   38   145
        """,
    ),
    **literal_table("主动公开", ("上一年项目数量", "本年增减"), "行政事业性收费 12 1"),
    **literal_table("主动公开", ("采购项目数量", "采购总金额"), "政府集中采购 2073 77903.8"),
}
HUAIYIN_APPLICATIONS = literal_table(
    "依申请",
    APPLICANTS,
    """
    本年新收                                59 1 0 0 0 0 60
    上年结转                                0  0 0 0 0 0 0
    予以公开                                24 0 0 0 0 0 24
    部分公开                                0  0 0 0 0 0 0
    不予公开.属于国家秘密                   0  0 0 0 0 0 0
    不予公开.其他法律行政法规禁止公开       0  0 0 0 0 0 0
    不予公开.危及“三安全一稳定”             0  0 0 0 0 0 0
    不予公开.保护第三方合法权益             0  0 0 0 0 0 0
    不予公开.属于三类内部事务信息           0  0 0 0 0 0 0
    不予公开.属于四类过程性信息             0  0 0 0 0 0 0
    不予公开.属于行政执法案卷               0  0 0 0 0 0 0
    不予公开.属于行政查询事项               0  0 0 0 0 0 0
    无法提供.本机关不掌握相关政府信息       20 1 0 0 0 0 21
    无法提供.没有现成信息需要另行制作       10 0 0 0 0 0 10
    无法提供.补正后申请内容仍不明确         0  0 0 0 0 0 0
    不予处理.信访举报投诉类申请             0  0 0 0 0 0 0
    不予处理.重复申请                       0  0 0 0 0 0 0
    不予处理.要求提供公开出版物             0  0 0 0 0 0 0
    不予处理.无正当理由大量反复申请         0  0 0 0 0 0 0
    不予处理.要求行政机关确认或重新出具已获取信息 0 0 0 0 0 0 0
    其他处理                                1  0 0 0 0 0 1
    总计                                    55 1 0 0 0 0 56
    结转下年度                              4  0 0 0 0 0 4
    """,
)
HUAIYIN_REVIEW = literal_table(
    "复议诉讼",
    RESULTS,
    """
    行政复议                   2 3 0  0 5
    行政诉讼.未经复议直接起诉  0 2 13 0 15
    行政诉讼.复议后起诉        0 0 1  0 1
    """,
)
HUAIYIN_SUMS = literal_table(
    "依申请",
    APPLICANTS,
    """
    不予公开  0  0 0 0 0 0 0
    无法提供  30 1 0 0 0 0 31
    不予处理  0  0 0 0 0 0 0
    """,
)


@pytest.mark.parametrize(
    ("name", "expected", "sums"),
    [
        (
            "laiwu_2020_annual_report.txt",
            {**LAIWU_ACTIVE, **LAIWU_APPLICATIONS, **LAIWU_REVIEW},
            LAIWU_SUMS,
        ),
        (
            "huaiyin_2019_annual_report.txt",
            {**HUAIYIN_ACTIVE, **HUAIYIN_APPLICATIONS, **HUAIYIN_REVIEW},
            HUAIYIN_SUMS,
        ),
    ],
)
def test_tab_flattened_2019_tables_cell_by_cell(name, expected, sums):
    parsed = parse_report_tables(cleaned(name), name)

    assert cells(parsed.facts) == expected
    assert cells(parsed.facts, origin="sum") == sums
    assert parsed.problems == []
    assert parsed.table_format == "2019"
    assert parsed.tables == {"主动公开", "依申请", "复议诉讼"}


def test_money_and_signed_cells_keep_their_units():
    facts = parse_report_tables(cleaned("laiwu_2020_annual_report.txt")).facts
    units = {(f.row, f.col): f.unit for f in facts if f.table == "主动公开"}
    assert units[("政府集中采购", "采购总金额")] == "万元"
    assert units[("政府集中采购", "采购项目数量")] == "件"
    assert units[("其他对外管理服务事项", "本年增减")] == "件"


def test_spam_report_without_tables_yields_no_facts():
    parsed = parse_report_tables(cleaned("spam_2021_annual_report.txt"))
    assert parsed.facts == []
    assert parsed.tables == set()
    assert parsed.table_format == ""
    assert sorted(parsed.problems) == [
        "table_missing: 主动公开",
        "table_missing: 依申请",
        "table_missing: 复议诉讼",
    ]


# ------------------------------------------------------------------------------ spans

LABEL_VARIANTS = {"其他法律行政法规禁止公开": ("其他法律行政法规禁止公开", "其他法律行政止公开")}
NUMBER_TOKEN = re.compile(r"(?<![\d.])[增减]?(\d+(?:\.\d+)?)(?:万元|万)?(?![\d.])")


@pytest.mark.parametrize("name", ALL_REPORTS)
def test_spans_quote_the_row_label_and_its_values(name):
    text = cleaned(name)
    facts = parse_report_tables(text).facts
    assert facts
    for fact in facts:
        quote = text[fact.start : fact.end]
        label = fact.row.split(".")[-1]
        if fact.origin == "sum":  # the group label may be cut by a page break: （四）无 … 法提供
            assert re.search(".*?".join(label), quote, re.S), (fact, quote)
            continue
        assert any(v in squash(quote) for v in LABEL_VARIANTS.get(label, (label,))), fact
        if fact.origin == "table" and fact.value:
            printed = {float(n) for n in NUMBER_TOKEN.findall(quote)}
            assert abs(fact.value) in printed, (fact, quote)
        if fact.origin == "table":  # the cell's own span holds its printed text, or nothing
            cell = text[fact.cell_start : fact.cell_end]
            assert fact.start <= fact.cell_start <= fact.cell_end <= fact.end, fact
            assert (cell == "") == fact.blank, (fact, cell)


@pytest.mark.parametrize("name", [n for n in ALL_REPORTS if n.endswith(".pdf")])
def test_spaced_rows_quote_exactly_their_cells_in_order(name):
    """In pypdf text a row's quote is its label followed by exactly its printed numbers."""
    text = cleaned(name)
    facts = parse_report_tables(text).facts
    rows: dict[tuple[str, str], list[Fact]] = {}
    for fact in facts:
        if fact.origin == "table" and fact.table != "复议诉讼":
            rows.setdefault((fact.table, fact.row), []).append(fact)
    for row_facts in rows.values():
        quote = text[row_facts[0].start : row_facts[0].end]
        numbers = [t for t in quote.split() if re.fullmatch(r"\d+(?:\.\d+)?", t)]
        assert [float(n) for n in numbers] == [f.value for f in row_facts], quote
    review = [f for f in facts if f.table == "复议诉讼"]
    quote = text[review[0].start : review[0].end]
    assert quote.split()[-15:] == [str(f.value) for f in review]
    assert "行政复议" in quote and "未经复议直接起诉" in quote and "复议后起诉" in quote


# ------------------------------------------------------------------- layout variants


def test_truncated_spaced_row_is_reported_and_yields_nothing():
    text = cleaned("huaian_2024_annual_report.pdf")
    assert "1.属于国家秘密\t2\t0\t0\t0\t0\t0\t2\n" in text
    truncated = text.replace(
        "1.属于国家秘密\t2\t0\t0\t0\t0\t0\t2\n", "1.属于国家秘密\t2\t0\t0\t0\t0\n"
    )

    parsed = parse_report_tables(truncated)

    assert parsed.problems == [
        "table_row_unaligned: 依申请/不予公开.属于国家秘密 (expected 7 cells, found 5)"
    ]
    rows = {f.row for f in parsed.facts}
    assert "不予公开.属于国家秘密" not in rows
    assert "不予公开" not in rows  # no group sum over a missing sub-row
    assert "不予公开.其他法律行政法规禁止公开" in rows and "无法提供" in rows
    assert len(parsed.facts) == 228 - 7 - 7


def test_truncated_review_row_is_reported_and_yields_nothing():
    text = cleaned("huaian_2024_annual_report.pdf")
    row = "72\t64\t178\t37\t351\t13\t4\t8\t1\t26\t12\t1\t1\t6\t20"
    assert row in text

    parsed = parse_report_tables(text.replace(row, row[: row.rindex("\t")]))

    assert parsed.problems[-1] == "table_missing: 复议诉讼"
    assert parsed.problems[0].startswith(
        ("table_row_unaligned: 复议诉讼/", "ambiguous_cells: 复议诉讼/")
    )
    assert not [f for f in parsed.facts if f.table == "复议诉讼"]
    assert parsed.tables == {"主动公开", "依申请"}


def test_flattened_header_cells_still_identify_the_columns():
    """Header cells cut to their first line (本年新 / 对外公开) are the 2019 (一) columns."""
    text = cleaned("laiwu_2020_annual_report.txt")
    flattened = (
        text.replace("\t本年新制作数量\n", "\t本年新\n")
        .replace("\t本年新\n公开数量\n", "\t本年新\n")
        .replace("\t对外公开\n总数量\n", "\t对外公开\n")
    )
    assert flattened != text

    assert cells(parse_report_tables(flattened).facts) == cells(parse_report_tables(text).facts)


def test_cells_with_words_the_column_cannot_hold_are_reported():
    text = cleaned("laiwu_2020_annual_report.txt")
    broken = text.replace("\t2.重复申请\n\t4\n", "\t2.重复申请\n\t4件左右\n")

    parsed = parse_report_tables(broken)

    assert parsed.problems == ["table_cell_unreadable: 依申请/不予处理.重复申请.自然人 (4件左右)"]
    assert not [f for f in parsed.facts if f.row in ("不予处理.重复申请", "不予处理")]


def test_tables_are_found_under_any_section_number():
    text = cleaned("huaiyin_2019_annual_report.txt")
    assert "七、收到和处理政府信息公开申请情况" in text
    assert "八、政府信息公开行政复议、行政诉讼情况" in text
    renumbered = text.replace("七、收到和处理", "三、收到和处理").replace(
        "八、政府信息", "四、政府信息"
    )

    assert cells(parse_report_tables(renumbered).facts) == cells(parse_report_tables(text).facts)


def test_no_heading_no_facts():
    text = cleaned("huaian_2024_annual_report.pdf")
    without = text.replace("三、收到和处理政府信息公开申请情况", "三、其他情况")

    parsed = parse_report_tables(without)

    assert not [f for f in parsed.facts if f.table == "依申请"]
    assert "table_missing: 依申请" in parsed.problems


# --------------------------------------------------------------------- identities


def identities(name: str) -> list[str]:
    return check_identities(parse_report_tables(cleaned(name)).facts)


def test_hongze_2023_has_its_two_real_identity_failures():
    assert identities("hongze_2023_annual_report.pdf") == [
        "identity_failed: 复议诉讼/行政复议: 结果维持+结果纠正+其他结果+尚未审结 = 11，总计 = 0",
        "identity_failed: 复议诉讼/行政诉讼.复议后起诉: 结果维持+结果纠正+其他结果+尚未审结 = 5，"
        "总计 = 0",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "hongze_2024_annual_report.pdf",
        "huaian_2024_annual_report.pdf",
        "laiwu_2020_annual_report.txt",
        "huaiyin_2019_annual_report.txt",
    ],
)
def test_consistent_reports_pass_every_identity(name):
    assert identities(name) == []


def test_a_changed_total_breaks_the_application_identities():
    text = cleaned("huaian_2024_annual_report.pdf")
    changed = text.replace(
        "（七）总计\t\t2932\t53\t0\t0\t61\t4\t3050", "（七）总计\t\t2932\t53\t0\t0\t61\t4\t3051"
    )

    warnings = check_identities(parse_report_tables(changed).facts)

    assert warnings == [
        "identity_failed: 依申请/总计: 本年新收+上年结转 = 3153，总计+结转下年度 = 3154",
        "identity_failed: 依申请/总计: 予以公开+部分公开+不予公开+无法提供+不予处理+其他处理 = 3050，"
        "总计 = 3051",
        "identity_failed: 依申请/总计: 自然人+法人或其他组织 = 3050，总计 = 3051",
    ]


def test_a_changed_applicant_cell_breaks_its_row_and_column():
    text = cleaned("laiwu_2020_annual_report.txt")
    changed = text.replace("\t2.重复申请\n\t4\n", "\t2.重复申请\n\t5\n")

    warnings = check_identities(parse_report_tables(changed).facts)

    assert warnings == [
        "identity_failed: 依申请/自然人: 予以公开+部分公开+不予公开+无法提供+不予处理+其他处理 = 332，"
        "总计 = 331",
        "identity_failed: 依申请/不予处理.重复申请: 自然人+法人或其他组织 = 5，总计 = 4",
    ]


@pytest.mark.parametrize(
    "printed", ["本机关不掌握政府信息", "本机关不掌握相关信息", "本机关不掌相关政府信息"]
)
def test_a_long_label_retyped_with_characters_missing_still_names_its_row(printed):
    """Hand-typed tables drop a few characters of long fixed labels (其他法律行政止公开 in the
    洪泽 PDFs): the row is still read, with the same cells."""
    text = cleaned("laiwu_2020_annual_report.txt")
    row = "无法提供.本机关不掌握相关政府信息"
    before = {(f.col, f.value) for f in parse_report_tables(text).facts if f.row == row}
    retyped = text.replace("本机关不掌握相关政府信息", printed)
    after = {(f.col, f.value) for f in parse_report_tables(retyped).facts if f.row == row}
    assert before and after == before


def test_a_short_label_with_a_character_missing_is_not_taken_for_another_row():
    from index.tables.labels import with_dropped_run

    assert with_dropped_run("属于国家秘密") == ("属于国家秘密",)  # too short to guess
