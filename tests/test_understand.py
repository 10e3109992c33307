"""Question understanding: pure functions, no store. Regions come from the documents given."""

from __future__ import annotations

import pytest

from assistant.lexicon import region_aliases
from assistant.understand import understand
from index.models import Document


def doc(region: str, year: int, kind: str = "annual_report") -> Document:
    return Document(
        doc_id=f"{region}{year}", source="", text="", kind=kind, region=region, year=year
    )


# The regions and years the sample corpus is tagged with (see tests/test_ingest.py).
DOCS = [
    doc("济南市莱芜区", 2020),
    doc("槐荫区", 2019),
    doc("淮安市洪泽区", 2023),
    doc("淮安市洪泽区", 2024),
    doc("淮安市", 2024),
    doc("", 2021),
    doc("槐荫区", 2020, "work_points"),
    doc("济南市莱芜区", 2022, "work_points"),
]


def ask(question: str):
    return understand(question, DOCS)


@pytest.mark.parametrize(
    ("question", "rows"),
    [
        ("莱芜区2020年行政复议结果纠正多少件", ["行政复议"]),
        ("莱芜区2020年复议纠正多少件", ["行政复议"]),
        ("莱芜区2020年诉讼纠正多少件", ["行政诉讼"]),
        ("莱芜区2020年复议后起诉的案件纠正多少件", ["行政诉讼.复议后起诉"]),
        ("莱芜区2020年未经复议直接起诉多少件", ["行政诉讼.未经复议直接起诉"]),
        ("莱芜区2020年行政诉讼中复议后起诉的有多少件", ["行政诉讼.复议后起诉"]),
        ("how many lawsuits were filed after review in 2020", ["行政诉讼.复议后起诉"]),
        ("How many administrative review cases in 2020", ["行政复议"]),
    ],
)
def test_review_and_litigation_rows_are_told_apart(question, rows):
    query = ask(question)
    assert query.table == "复议诉讼" and query.rows == rows and query.is_numeric


def test_the_issue_examples():
    query = ask("莱芜区2020年行政复议结果纠正多少件？")
    assert (query.regions, query.years, query.rows, query.cols) == (
        ["济南市莱芜区"],
        [2020],
        ["行政复议"],
        ["结果纠正"],
    )
    english = ask("how many 复议 cases were corrected in 2020?")
    assert (english.regions, english.years, english.rows, english.cols, english.measure) == (
        [],
        [2020],
        ["行政复议"],
        ["结果纠正"],
        "value",
    )
    applications = ask("槐荫区2019年收到多少申请？")
    assert applications.table == "依申请" and applications.rows == ["本年新收"]


@pytest.mark.parametrize(
    ("question", "regions", "unknown"),
    [
        ("淮安市洪泽区2024年收到多少申请", ["淮安市洪泽区"], []),
        ("洪泽2024年收到多少申请", ["淮安市洪泽区"], []),
        ("淮安市2024年收到多少申请", ["淮安市"], []),
        ("江苏省淮安市2024年收到多少申请", ["淮安市"], []),
        ("济南市槐荫区2019年收到多少申请", ["槐荫区"], []),
        ("How many applications did Huai'an receive in 2024?", ["淮安市"], []),
        ("laiwu 2020 复议多少件", ["济南市莱芜区"], []),
        ("历下区2020年收到多少申请", [], ["历下区"]),
        ("历城区2020年收到多少申请", [], ["历城区"]),
        ("上海市2020年收到多少申请", [], ["上海市"]),
        ("北京2020年收到多少申请", [], ["北京"]),
        ("How many applications did Shanghai receive in 2020?", [], ["Shanghai"]),
        ("全区2020年收到多少申请", [], []),
        ("老旧小区改造信息公开由哪个单位负责", [], []),
    ],
)
def test_regions_come_from_the_documents(question, regions, unknown):
    query = ask(question)
    assert (query.regions, query.unknown_regions) == (regions, unknown)


def test_a_newly_ingested_region_is_understood_without_code_changes():
    assert ask("历下区2020年收到多少申请").unknown_regions == ["历下区"]
    query = understand("历下区2020年收到多少申请", [*DOCS, doc("济南市历下区", 2020)])
    assert query.regions == ["济南市历下区"] and not query.unknown_regions
    assert {"历下区", "历下", "济南市历下区"} <= region_aliases("济南市历下区")


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("2019年和2020年收到多少申请", [2019, 2020]),
        ("2019-2021年收到多少申请", [2019, 2020, 2021]),
        ("二〇二〇年收到多少申请", [2020]),
        ("applications received in 2024", [2024]),
        ("收到多少申请", []),
    ],
)
def test_years(question, years):
    assert ask(question).years == years


@pytest.mark.parametrize(
    ("question", "measure", "rows", "cols"),
    [
        ("莱芜区2020年行政复议纠错率", "rate", ["行政复议"], ["结果纠正"]),
        ("淮安市2024年复议维持率", "rate", ["行政复议"], ["结果维持"]),
        ("淮安市2024年予以公开占比", "share", ["予以公开"], []),
        ("淮安市2024年自然人申请占比", "share", [], ["自然人"]),
        ("洪泽区2024年新收申请同比增长多少", "yoy", ["本年新收"], []),
        ("淮安市2024年行政复议和行政诉讼一共多少件", "sum", ["行政复议", "行政诉讼"], []),
        ("淮安市2024年行政复议和行政诉讼哪个多", "compare", ["行政复议", "行政诉讼"], []),
        ("淮安市2024年结果维持和结果纠正分别多少件", "compare", [], ["结果维持", "结果纠正"]),
        ("淮安市2024年一共收到多少申请", "value", ["本年新收"], []),
        ("淮安市2024年法人或其他组织提出多少申请", "value", ["本年新收"], ["法人或其他组织"]),
        ("莱芜区2020年行政许可本年增减多少", "value", ["行政许可"], ["本年增减"]),
    ],
)
def test_measures_and_slots(question, measure, rows, cols):
    query = ask(question)
    assert (query.measure, query.rows, query.cols) == (measure, rows, cols)
    assert query.is_numeric and not query.is_task


def test_two_regions_or_years_without_a_sum_word_are_compared():
    assert ask("莱芜区和槐荫区行政复议结果纠正多少件").measure == "compare"
    assert ask("洪泽区2023年和2024年共收到多少申请").measure == "sum"


def test_a_change_asked_as_a_percentage():
    assert ask("洪泽区2024年收到的申请比上年增长了百分之多少").wants_percent
    assert not ask("洪泽区2024年收到的申请比上年增加了多少件").wants_percent


def test_a_sub_row_wins_over_its_group():
    assert ask("淮安市2024年因属于国家秘密不予公开多少件").rows == ["不予公开.属于国家秘密"]
    assert ask("淮安市2024年信访举报投诉类申请不予处理多少件").rows == [
        "不予处理.信访举报投诉类申请"
    ]
    assert ask("淮安市2024年不予公开多少件").rows == ["不予公开"]


def test_prose_only_figures_have_their_own_rows():
    query = ask("2021年平均答复工作日数是多少")
    assert (query.table, query.rows) == ("text", ["平均答复工作日数"])
    assert ask("槐荫区2019年主动公开政府信息多少条").rows == ["主动公开信息"]


@pytest.mark.parametrize(
    "question",
    ["2019年槐荫区存在哪些主要问题？", "政务新媒体有什么要求？", "行政复议有哪些要求", "你好"],
)
def test_narrative_questions_are_neither_numeric_nor_task(question):
    query = ask(question)
    assert not query.is_numeric and not query.is_task


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("哪些任务由区民政局负责", "区民政局"),
        ("区民政局负责哪些任务", "区民政局"),
        ("莱芜区2022年工作要点中哪些任务由区住建局负责？", "区住房城乡建设局"),
        ("区人社局牵头的任务有哪些", "区人力资源社会保障局"),
        ("责任单位是区财政局的任务", "区财政局"),
        ("Which tasks is the civil affairs bureau responsible for?", "民政局"),
        ("政府公报编发工作由哪个部门负责", None),
    ],
)
def test_task_units(question, unit):
    query = ask(question)
    assert query.is_task and not query.is_numeric and query.unit == unit


@pytest.mark.parametrize(
    ("question", "number", "month", "keyword"),
    [
        ("第41项要求是什么", 41, None, None),
        ("莱芜区工作要点第十七项任务的具体要求", 17, None, None),
        ("What is task 69?", 69, None, None),
        ("哪些任务要在6月底前完成", None, 6, None),
        ("Which tasks are due by the end of June?", None, 6, None),
        ("哪些任务年底前完成", None, 12, None),
        ("老旧小区改造信息公开由哪个单位负责？", None, None, "老旧小区改造信息公开"),
    ],
)
def test_task_number_deadline_keyword(question, number, month, keyword):
    query = ask(question)
    assert query.is_task
    assert (query.number, query.deadline_month) == (number, month)
    if keyword:
        assert query.keyword == keyword


def test_several_task_numbers_and_day_deadlines():
    assert ask("第56项和第71项的要求分别是什么").numbers == [56, 71]
    query = ask("哪项任务要求在本文件印发后30日内完成")
    assert query.deadline == "印发后30日内" and query.deadline_month is None


@pytest.mark.parametrize(
    "question",
    ["莱芜区2020年答复率是多少", "莱芜区2020年平均每月收到多少申请", "申请量环比增长多少"],
)
def test_measures_the_tables_do_not_define_are_flagged(question):
    assert ask(question).unsupported


def test_relative_years_are_flagged_but_not_comparisons():
    assert ask("莱芜区去年收到多少申请").relative_year == "去年"
    assert ask("洪泽区2024年比去年多收到多少申请").relative_year is None
    assert ask("洪泽区收到的申请比去年多多少").relative_year is None


def test_a_region_name_inside_a_departments_name_is_not_a_place():
    """源和县 is a region; 人力资源和社会保障局 (a department of another region) contains 源和."""
    import dataclasses

    docs = [
        doc("源和县", 2020),
        doc("青禾区", 2020),
        dataclasses.replace(doc("青禾区", 2020), doc_id="hr", issuer="人力资源和社会保障局"),
    ]
    query = understand("青禾区人力资源和社会保障局2020年收到多少政府信息公开申请？", docs)
    assert query.regions == ["青禾区"] and query.issuers == ["人力资源和社会保障局"]
    assert understand("源和县2020年收到多少政府信息公开申请？", docs).regions == ["源和县"]
