"""任务分解表 parsing on the real work-point notices, and the same table as docx, HTML and text."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from index.clean import clean_text
from index.load import load_file
from index.tables.tasks import (
    TaskParse,
    parse_task_tables,
    split_units,
    squeeze_spaces,
    unit_roles,
)
from tests.conftest import REPO, SAMPLE_DIR

OTHERS = ["各镇（街道）", "区政府有关部门（单位）"]


def cleaned(path: Path) -> str:
    loaded = load_file(path)
    return clean_text(loaded.text, join_wrapped_lines=bool(loaded.pages)).text


@pytest.fixture(scope="module")
def laiwu() -> tuple[str, TaskParse]:
    text = cleaned(SAMPLE_DIR / "laiwu_2022_work_points.txt")
    return text, parse_task_tables(text, doc_id="laiwu")


@pytest.fixture(scope="module")
def huaiyin() -> tuple[str, TaskParse]:
    text = cleaned(SAMPLE_DIR / "huaiyin_2020_work_points.txt")
    return text, parse_task_tables(text, doc_id="huaiyin")


def by_number(parse: TaskParse) -> dict[int, object]:
    return {t.number: t for t in parse.tasks}


# ---------------------------------------------------------------- laiwu 2022


def test_laiwu_has_71_tasks_numbered_in_order(laiwu):
    _, parse = laiwu
    assert [t.number for t in parse.tasks] == list(range(1, 72))
    assert parse.problems == []
    assert parse.title == "2022年莱芜区政务公开重点工作任务分解表"
    assert {t.doc_id for t in parse.tasks} == {"laiwu"}


# Checked by hand against the printed rows (laiwu_2022_work_points.txt, 附件).
LAIWU_ROWS = {
    # number: (area, subtask, units, deadline)
    1: ("紧扣经济发展深化公开", "加强推高质量展信息公开",
        ["各镇（街道）", "区发展改革局", "区工业和信息化局", "区政府有关部门（单位）"], "全年"),
    2: ("紧扣经济发展深化公开", "加强推高质量展信息公开",
        ["各镇（街道）", "区文化和旅游局", "区商务综合服务中心", "区政府有关部门（单位）"], "全年"),
    3: ("紧扣经济发展深化公开", "加强推高质量展信息公开",
        ["各镇（街道）", "区财政局", "区税务局"], "2022年年底前完成，长期坚持"),
    4: ("紧扣经济发展深化公开", "加强重大战略实施信息公开", OTHERS, "全年"),
    8: ("紧扣经济发展深化公开", "加强重大战略实施信息公开",
        ["相关镇（街道）", "区政府有关部门（单位）"], "全年"),
    9: ("紧扣经济发展深化公开", "加强优化营商环境信息公开",
        ["各镇（街道）", "区政府办公室"], "2022年年底前"),
    10: ("紧扣经济发展深化公开", "加强优化营商环境信息公开",
         ["各镇（街道）", "区司法局", "区行政审批服务局", "区大数据局", "区政府有关部门（单位）"],
         "全年"),
    14: ("紧扣社会稳定深化公开", "加强疫情防控信息公开", OTHERS, "全年"),
    # 15 and 16 print neither 责任单位 nor 完成时限: both are filled down from 14.
    15: ("紧扣社会稳定深化公开", "加强疫情防控信息公开", OTHERS, "全年"),
    16: ("紧扣社会稳定深化公开", "加强疫情防控信息公开", OTHERS, "全年"),
    # 17 restates only the area; its subtask is printed (centred) on row 21.
    17: ("紧扣社会稳定深化公开", "高质量公开民生保障信息", ["各镇（街道）", "区住房城乡建设局"], "全年"),
    19: ("紧扣社会稳定深化公开", "高质量公开民生保障信息",
         ["各镇（街道）", "区交通运输局", "市公安局莱芜区分局"], "全年"),
    23: ("紧扣社会稳定深化公开", "高质量公开民生保障信息", ["各镇（街道）", "区民政局"], "全年"),
    25: ("紧扣社会稳定深化公开", "规范化公开公共企事业单位信息",
         ["区发展改革局", "区教育和体育局", "区住房城乡建设局", "区交通运输局", "区卫生健康局",
          "市生态环境局莱芜分局"], "2022年9月底前"),
    27: ("紧扣社会稳定深化公开", "规范化公开企事业单位信息",
         ["各镇（街道）", "区发展改革局", "区教育和体育局", "区住房城乡建设局", "区交通运输局",
          "区卫生健康局", "市生态环境局莱芜分局"], "2022年9月底前完成，并长期坚持"),
    # 30 and 31 leave 责任单位 blank.
    30: ("紧扣政策解读深化公开", "推进政策精细化解读", OTHERS, "全年"),
    31: ("紧扣政策解读深化公开", "推进政策精细化解读", OTHERS, "全年"),
    32: ("紧扣政策解读深化公开", "推进政策精细化解读", OTHERS, "全年"),
    # 33-35 lost their subtask cell; the notice files them under （二）推进政策集中统一公开.
    33: ("紧扣政策解读深化公开", "推进政策集中统一公开", OTHERS, "2022年年底前"),
    # 36 prints no 完成时限, 37 prints 全年 in the 责任单位 position (a shifted row).
    36: ("紧扣政策解读深化公开", "推进行政决策公开透明", OTHERS, "全年"),
    37: ("紧扣政策解读深化公开", "推进行政决策公开透明", OTHERS, "全年"),
    39: ("紧扣政策解读深化公开", "推进政务舆情关注回应", OTHERS, "全年"),
    44: ("紧扣夯实基础深化公开", "规范开展政府信息公开", OTHERS, "全年"),
    45: ("紧扣夯实基础深化公开", "规范开展政府信息公开", OTHERS, "全年"),
    47: ("紧扣夯实基础深化公开", "加强公开平台建设", OTHERS, "2022年年底"),
    48: ("紧扣夯实基础深化公开", "加强公开平台建设", OTHERS, "2022年年底前完成，并长期坚持"),
    49: ("紧扣夯实基础深化公开", "加强公开平台建设", ["区政府办公室"], "全年"),
    50: ("紧扣夯实基础深化公开", "加强公开平台建设", ["各镇（街道）", "区图书馆", "区档案馆"], "全年"),
    51: ("紧扣夯实基础深化公开", "推进依申请公开工作", OTHERS, "全年"),
    56: ("紧扣基层建设深化公开", "深化基层政务公开标准化规范化建设", OTHERS, "2022年6月底前"),
    57: ("紧扣基层建设深化公开", "深化基层政务公开标准化规范化建设", OTHERS, "全年"),
    59: ("紧扣基层建设深化公开", "推动基层政务公开标准化规范化向纵深发展", OTHERS, "2022年年底以前"),
    61: ("紧扣基层建设深化公开", "推进政务公开“一镇（街道）一特色”建设", ["各镇（街道）"], "全年"),
    62: ("紧扣基层建设深化公开", "推进政务公开“一镇（街道）一特色”建设", ["各镇（街道）"], "全年"),
    63: ("紧扣保障机制深化公开", "加强组织保障", OTHERS, "全年"),
    66: ("紧扣保障机制深化公开", "强化培训考核", OTHERS, "全年"),
    67: ("紧扣保障机制深化公开", "加强工作指导", OTHERS, "全年"),
    69: ("紧扣保障机制深化公开", "狠抓工作落实", OTHERS, "本文件印发后30日内"),
    70: ("紧扣保障机制深化公开", "狠抓工作落实", OTHERS, "2022年年底前"),
    71: ("紧扣保障机制深化公开", "狠抓工作落实", OTHERS, "2022年6月底前"),
}  # fmt: skip


@pytest.mark.parametrize("number", sorted(LAIWU_ROWS))
def test_laiwu_rows_match_the_printed_table(laiwu, number):
    area, subtask, units, deadline = LAIWU_ROWS[number]
    task = by_number(laiwu[1])[number]
    assert (task.area, task.subtask, task.units, task.deadline) == (area, subtask, units, deadline)


def test_laiwu_requirements_are_the_full_cells(laiwu):
    tasks = by_number(laiwu[1])
    assert tasks[1].requirement.startswith("抓好新旧动能转换信息公开，围绕科技创新")
    assert tasks[36].requirement.startswith("持续实行重大行政决策事项目录管理")
    assert tasks[36].requirement.endswith("视情况公开重大决策风险评估、专家论证、效果评估等信息。")
    assert tasks[37].requirement.startswith("决策事项需向社会公开征求意见的")
    assert tasks[37].requirement.endswith("以及较为集中的意见不予采纳的原因。")
    assert tasks[66].requirement.startswith("进一步完善考核指标体系")
    assert tasks[71].requirement == (
        "对上一年度政务公开工作要点落实情况开展“回头看”，重点针对有明确责任主体和时限要求的"
        "工作任务，逐项核查开展落实情况，对未完成的依法督促整改、依规清理销号。"
    )


def test_laiwu_spans_are_the_printed_rows(laiwu):
    text, parse = laiwu
    for task in parse.tasks:
        row = text[task.start : task.end]
        assert task.requirement in row
        assert row.startswith(f"{task.number}\t")
        assert "\n" not in row
        assert text[task.end :].startswith(("\n", "\t"))


def test_laiwu_answers_staff_questions(laiwu):
    tasks = laiwu[1].tasks
    assert [t.number for t in tasks if "区民政局" in t.units] == [23, 24]
    assert [t.number for t in tasks if "6月底" in t.deadline] == [56, 71]
    assert [t.number for t in tasks if "市公安局莱芜区分局" in t.units] == [19]


def test_laiwu_lead_and_support_units_are_kept_apart(laiwu):
    parse = laiwu[1]
    index = next(i for i, t in enumerate(parse.tasks) if t.number == 12)
    assert parse.tasks[index].units == ["各镇（街道）", "区市场监管局", "区政府有关部门（单位）"]
    assert parse.unit_roles[index] == {
        "各镇（街道）": "牵头",
        "区市场监管局": "牵头",
        "区政府有关部门（单位）": "配合",
    }
    assert len(parse.unit_roles) == len(parse.tasks)


# ---------------------------------------------------------------- huaiyin 2020


def test_huaiyin_has_35_unnumbered_tasks_without_a_deadline_column(huaiyin):
    _, parse = huaiyin
    # Counted by hand: 9 + 2 + 1 + 3 (一), 1 + 7 + 1 (二), 4 (三), 3 (四), 4 (五).
    assert len(parse.tasks) == 35
    assert parse.problems == []
    assert parse.title == "2020年槐荫区政务公开重点工作任务分解表"
    assert all(t.number is None for t in parse.tasks)
    assert all(t.units and t.units_printed and t.lead_units == [] for t in parse.tasks)
    # No 完成时限 column: only time limits written in the 具体要求 itself are kept, as printed
    # ("…2020年年底前编制完成…", "每季度梳理涉企政策"); "持续推进国资监管" is an action, not one.
    with_deadline = {i: t.deadline for i, t in enumerate(parse.tasks) if t.deadline}
    assert with_deadline == {13: "每季度", 30: "2020年年底前"}
    assert all(t.deadline in t.requirement for t in parse.tasks)


def test_huaiyin_areas_and_subtasks(huaiyin):
    tasks = huaiyin[1].tasks
    assert (tasks[0].area, tasks[0].subtask) == (
        "聚焦各项重点领域推进精准政务公开",
        "聚焦中心工作加强信息主动公开",
    )
    assert tasks[9].subtask == "聚焦“六稳”“六保”工作做好政策发布、解读回应"
    assert tasks[9].area == "聚焦各项重点领域推进精准政务公开"
    # labels printed over several lines are joined back together
    assert {t.subtask for t in tasks[16:23]} == {"推进行政管理和服务公开"}
    assert tasks[24].area == "聚焦强化平台建设推进智能政务公开"
    assert tasks[24].subtask == "加强政府网站集约化建设"
    assert (tasks[28].area, tasks[28].subtask) == (
        "聚焦规范标准建设推进务实政务公开",
        "规范依申请公开工作",
    )
    assert (tasks[34].area, tasks[34].subtask) == (
        "聚焦完善保障机制推进深度政务公开",
        "加强业务培训",
    )
    assert len({t.area for t in tasks}) == 5


def test_huaiyin_units(huaiyin):
    tasks = huaiyin[1].tasks
    assert tasks[17].requirement == "更新完善权责清单。"
    assert tasks[17].units == ["区委编办"]
    assert tasks[7].units == [
        "区扶贫办", "区生态环境分局", "区发展改革局", "区财政局", "区应急局", "区公安分局",
        "各街道办事处",
    ]  # fmt: skip
    assert [t.requirement[:9] for t in tasks if "区民政局" in t.units] == ["深化城乡低保、特困"]
    assert sum("各街道办事处" in t.units for t in tasks) == 34


def test_huaiyin_spans_cover_each_requirement(huaiyin):
    text, parse = huaiyin
    for task in parse.tasks:
        assert task.requirement in text[task.start : task.end]
    first = parse.tasks[0]
    assert text[first.start : first.end].startswith("聚焦各项重点领域推进精准政务公开")
    assert text[first.start : first.end].endswith("区政府各部门、各街道办事处")


# ---------------------------------------------------------------- documents without tasks


@pytest.mark.parametrize(
    "name", sorted(p.name for p in SAMPLE_DIR.iterdir() if "work_points" not in p.name)
)
def test_documents_without_a_task_table_yield_no_tasks(name):
    parse = parse_task_tables(cleaned(SAMPLE_DIR / name))
    assert parse.tasks == [] and parse.problems == [] and parse.title == ""


# ---------------------------------------------------------------- the same table, four ways

TITLE = "2022年某区政务公开重点工作任务分解表"
REQ = [
    "增强政策制定实施的透明度和可预期性，提振市场主体信心。",
    "集中公开一批适应新业态新模式发展需要的政策。",
    "切实增强新冠肺炎疫情防控信息发布的及时性针对性。",
    "做好城乡低保、临时救助等社会救助信息公开。",
]
UNITS_1 = "各镇（街道）、区司法局牵头，区政府有关部门（单位）配合"
EXPECTED = [
    (1, "紧扣经济发展深化公开", "加强优化营商环境信息公开", REQ[0],
     ["各镇（街道）", "区司法局", "区政府有关部门（单位）"], "全年"),
    (2, "紧扣经济发展深化公开", "加强优化营商环境信息公开", REQ[1],
     ["各镇（街道）", "区司法局", "区政府有关部门（单位）"], "全年"),
    (3, "紧扣经济发展深化公开", "加强疫情防控信息公开", REQ[2],
     ["区卫生健康局", "区民政局"], "2022年6月底前"),
    (4, "紧扣社会稳定深化公开", "高质量公开民生保障信息", REQ[3],
     ["区民政局"], "2022年年底前完成"),
]  # fmt: skip


def summary(parse: TaskParse) -> list[tuple]:
    return [(t.number, t.area, t.subtask, t.requirement, t.units, t.deadline) for t in parse.tasks]


def write_docx(path: Path) -> Path:
    """The table with vertically merged 工作任务/责任单位/完成时限 cells and a 2-column header."""
    document = docx.Document()
    document.add_paragraph("附件")
    document.add_paragraph(TITLE)
    rows = [
        ["1", "紧扣经济发展深化公开", "加强优化营商环境信息公开", REQ[0], UNITS_1, "全年"],
        ["2", "", "", REQ[1], "", ""],
        ["3", "", "加强疫情防控信息公开", REQ[2], "区卫生健康局、区民政局", "2022年6月底前"],
        ["4", "紧扣社会稳定深化公开", "高质量公开民生保障信息", REQ[3], "区民政局", "2022 年年底 前完成"],
    ]  # fmt: skip
    table = document.add_table(rows=len(rows) + 1, cols=6)
    for c, name in enumerate(["序号", "工作任务", "", "具体要求", "责任单位", "完成时限"]):
        table.cell(0, c).text = name
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value:
                table.cell(r, c).text = value
    table.cell(0, 1).merge(table.cell(0, 2))
    table.cell(1, 1).merge(table.cell(3, 1))
    for column in (2, 4, 5):
        table.cell(1, column).merge(table.cell(2, column))
    document.add_paragraph("抄送：区委各部门。")
    document.save(path)
    return path


def write_html(path: Path) -> Path:
    path.write_text(
        f"""<html><body><p>{TITLE}</p><table>
<tr><th>序号</th><th colspan="2">工作任务</th><th>具体要求</th><th>责任单位</th><th>完成时限</th></tr>
<tr><td>1</td><td rowspan="3">紧扣经济发展深化公开</td><td rowspan="2">加强优化营商环境信息公开</td>
<td>{REQ[0]}</td><td rowspan="2">{UNITS_1}</td><td rowspan="2">全年</td></tr>
<tr><td>2</td><td>{REQ[1]}</td></tr>
<tr><td>3</td><td>加强疫情防控信息公开</td><td>{REQ[2]}</td><td>区卫生健康局、区民政局</td>
<td>2022年6月底前</td></tr>
<tr><td>4</td><td>紧扣社会稳定深化公开</td><td>高质量公开民生保障信息</td><td>{REQ[3]}</td>
<td>区民政局</td><td>2022 年年底 前完成</td></tr>
</table><p>抄送：区委各部门。</p></body></html>""",
        encoding="utf-8",
    )
    return path


def flattened_text() -> str:
    """One cell per line with blank lines between, as web pages get flattened."""
    cells = [TITLE, "序号", "工作任务", "具体要求", "责任单位", "完成时限",
             "1", "紧扣经济发展深化公开", "加强优化营商环境信息公开", REQ[0], UNITS_1, "全年",
             "2", REQ[1],
             "3", "加强疫情防控信息公开", REQ[2], "区卫生健康局、区民政局", "2022年6月底前",
             "4", "紧扣社会稳定深化公开", "高质量公开民生保障信息", REQ[3], "区民政局",
             "2022 年年底 前完成",
             "抄送：区委各部门。"]  # fmt: skip
    return "\n\n".join(cells) + "\n"


def test_docx_with_merged_cells_parses_to_the_same_tasks(tmp_path):
    text = cleaned(write_docx(tmp_path / "tasks.docx"))
    parse = parse_task_tables(text)
    assert summary(parse) == EXPECTED
    assert parse.title == TITLE and parse.problems == []
    assert parse.unit_roles[0] == {
        "各镇（街道）": "牵头",
        "区司法局": "牵头",
        "区政府有关部门（单位）": "配合",
    }
    for task in parse.tasks:
        assert task.requirement in text[task.start : task.end]


def test_html_with_rowspan_parses_to_the_same_tasks(tmp_path):
    text = cleaned(write_html(tmp_path / "tasks.html"))
    parse = parse_task_tables(text)
    assert summary(parse) == EXPECTED
    assert parse.title == TITLE and parse.problems == []
    assert text[parse.tasks[1].start : parse.tasks[1].end] == f"2\t\t\t{REQ[1]}"


def test_flattened_cells_parse_to_the_same_tasks():
    text = flattened_text()
    parse = parse_task_tables(text)
    assert summary(parse) == EXPECTED
    assert parse.problems == []
    assert text[parse.tasks[1].start : parse.tasks[1].end] == f"2\n\n{REQ[1]}"


def test_html_without_number_column_loses_leading_blanks_and_still_aligns(tmp_path):
    # load_file strips each line, so rows whose first cells are spanned lose them: the parser
    # must place cells by content, not position.
    path = tmp_path / "plain.html"
    path.write_text(
        f"""<html><body><p>{TITLE}</p><table>
<tr><th>工作任务</th><th>具体要求</th><th>责任单位</th></tr>
<tr><td rowspan="2">加强优化营商环境信息公开</td><td>{REQ[0]}</td><td rowspan="2">区司法局</td></tr>
<tr><td>{REQ[1]}</td></tr>
<tr><td>加强疫情防控信息公开</td><td>{REQ[2]}</td><td>区卫生健康局 区民政局</td></tr>
</table></body></html>""",
        encoding="utf-8",
    )
    parse = parse_task_tables(cleaned(path))
    assert [(t.number, t.area, t.subtask, t.units, t.deadline) for t in parse.tasks] == [
        (None, "加强优化营商环境信息公开", "", ["区司法局"], ""),
        (None, "加强优化营商环境信息公开", "", ["区司法局"], ""),
        (None, "加强疫情防控信息公开", "", ["区卫生健康局", "区民政局"], ""),
    ]


def test_repeated_headers_and_unalignable_rows():
    text = "\n".join(
        [
            "序号\t工作任务\t具体要求\t责任单位\t完成时限",
            f"1\t加强公开平台建设\t{REQ[0]}\t区政府办公室\t全年",
            "序号\t工作任务\t具体要求\t责任单位\t完成时限",
            f"2\t\t{REQ[1]}\t\t",
            "4\t\t区民政局\t2022年底前",
            "正文继续。",
        ]
    )
    parse = parse_task_tables(text)
    assert [(t.number, t.area, t.units, t.deadline) for t in parse.tasks] == [
        (1, "加强公开平台建设", ["区政府办公室"], "全年"),
        (2, "加强公开平台建设", ["区政府办公室"], "全年"),
    ]
    assert len(parse.problems) == 1 and "第4行没有可识别的具体要求" in parse.problems[0]


def test_number_gaps_are_reported():
    text = "\n".join(
        [
            "序号\t具体要求\t责任单位",
            f"1\t{REQ[0]}\t区政府办公室",
            f"3\t{REQ[1]}\t区民政局",
        ]
    )
    parse = parse_task_tables(text)
    assert [t.number for t in parse.tasks] == [1, 3]
    assert parse.problems == [
        "序号不连续：第1项之后是第3项（原文位置 " + str(parse.tasks[1].start) + "）"
    ]


# ---------------------------------------------------------------- units and deadlines


@pytest.mark.parametrize(
    ("cell", "units"),
    [
        (
            "各镇（街道），区发展改革局、区工业和信息化局等区政府有关部门（单位）",
            ["各镇（街道）", "区发展改革局", "区工业和信息化局", "区政府有关部门（单位）"],
        ),
        ("区财政局 区税务局", ["区财政局", "区税务局"]),
        ("区人力资源 社会保障局", ["区人力资源社会保障局"]),
        ("各镇（街道、园区）；市公安局莱芜区分局", ["各镇（街道、园区）", "市公安局莱芜区分局"]),
        ("区民政局（牵头）、区财政局", ["区民政局", "区财政局"]),
        ("区民政局、区民政局", ["区民政局"]),
    ],
)
def test_split_units(cell, units):
    assert split_units(cell) == units


def test_unit_roles_from_markers_and_prefixes():
    assert unit_roles("区民政局（牵头）、区财政局") == {"区民政局": "牵头"}
    assert unit_roles("牵头单位：区政府办公室；配合单位：区民政局、区财政局") == {
        "区政府办公室": "牵头",
        "区民政局": "配合",
        "区财政局": "配合",
    }


def test_deadline_whitespace_is_squeezed():
    assert squeeze_spaces("2022 年年底 前完成，长 期坚持") == "2022年年底前完成，长期坚持"
    assert squeeze_spaces(" 本文件印发后 30 日内 ") == "本文件印发后30日内"


# ---------------------------------------------------------------- 福建 2016 (run-together cells)

DEV_DIR = REPO.parent / "shared" / "realdocs" / "dev"
FUJIAN = DEV_DIR / "fujian_2016_workpoints.txt"
needs_dev = pytest.mark.skipif(not FUJIAN.exists(), reason="dev corpus not mounted")


@pytest.fixture(scope="module")
def fujian() -> tuple[str, TaskParse, dict[int, dict]]:
    gold = json.loads((DEV_DIR / "gold" / "fujian_2016_workpoints.json").read_text("utf-8"))
    text = cleaned(FUJIAN)
    return text, parse_task_tables(text, doc_id="fujian"), {t["number"]: t for t in gold["tasks"]}


def gold_names(cell: str) -> list[str]:
    """Gold unit cell → names ("省应急办、省政府新闻办 (printed run together: …)" → two)."""
    return split_units(cell.split(" (printed")[0]) if cell else []


@needs_dev
def test_fujian_all_66_tasks_with_their_headings_and_rows(fujian):
    text, parse, gold = fujian
    assert [t.number for t in parse.tasks] == list(range(1, 67))
    assert parse.title == "2016年政务公开工作主要任务分解表"
    for task in parse.tasks:
        expected = gold[task.number]
        assert (task.area, task.subarea) == (expected["area"], expected["subarea"]), task.number
        assert expected["raw"] in text[task.start : task.end], task.number
        # the span is the row itself: it starts at its number and holds no other row
        assert text[task.start : task.end].startswith(f"{task.number}.")
        assert f"{task.number + 1}." not in text[task.start : task.end]
    assert len({t.area for t in parse.tasks}) == 6


@needs_dev
def test_fujian_rows_with_given_cells_are_exact(fujian):
    _, parse, gold = fujian
    given = [g for g in gold.values() if "task" in g]
    assert len(given) == 11
    tasks = {t.number: t for t in parse.tasks}
    for expected in given:
        task = tasks[expected["number"]]
        assert task.subtask == expected["task"], task.number
        assert task.lead_units == gold_names(expected["lead_unit_牵头单位"]), task.number
        assert task.units == gold_names(expected["responsible_units_责任单位"]), task.number
        if expected["requirement_工作要求"] is not None:
            assert task.requirement == expected["requirement_工作要求"], task.number
        assert task.units_printed


@needs_dev
def test_fujian_merged_unit_cells_are_marked_not_filled(fujian):
    _, parse, gold = fujian
    unprinted = {n for n, g in gold.items() if g.get("units_printed") is False}
    assert {t.number for t in parse.tasks if not t.units_printed} == unprinted
    for task in parse.tasks:
        if not task.units_printed:
            assert task.units == [] and task.lead_units == []
            assert any(f"第{task.number}项未印单位" in p for p in parse.problems)
        else:
            assert task.units and task.subtask
    assert len(parse.problems) == len(unprinted)


@needs_dev
def test_fujian_deadlines_come_from_the_requirement_text(fujian):
    _, parse, _ = fujian
    gold = json.loads((DEV_DIR / "gold" / "fujian_2016_workpoints.json").read_text("utf-8"))
    tasks = {t.number: t for t in parse.tasks}
    for number, sentence in gold["deadlines_in_tasks"].items():
        parts = tasks[int(number)].deadline.split("；")
        assert parts != [""] and all(part in sentence for part in parts), number
    # a deadline is only ever text of the row's own requirement; the notice's own dates
    # (6月20日前 …) belong to no task
    for task in parse.tasks:
        assert all(part in task.requirement for part in task.deadline.split("；") if part)
    assert not any("6月20日" in t.deadline for t in parse.tasks)


@needs_dev
def test_fujian_lead_units_survive_the_store_and_answer_a_question(tmp_path):
    from assistant.tools import answer_structured
    from index.pipeline import ingest_paths
    from index.stores.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "gongkai.sqlite3")
    assert [r.status for r in ingest_paths([FUJIAN], store)] == ["added"]
    stored = {t.number: t for t in store.tasks()}
    assert len(stored) == 66
    assert stored[53].lead_units == ["省应急办", "省政府新闻办"]
    assert stored[53].subarea == "（二）积极回应社会关切"
    assert stored[2].units_printed is False and stored[1].units_printed is True
    result = answer_structured(
        "2016年福建省政务公开工作中，做好重大突发事件处置任务的牵头单位是哪个？", store
    )
    assert result is not None and not result.refused
    assert [t["number"] for t in result.tasks] == [53]
    assert result.tasks[0]["lead_units"] == ["省应急办", "省政府新闻办"]


def test_old_task_tables_gain_the_new_columns(tmp_path):
    import sqlite3

    from index.stores.sqlite import SQLiteStore

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE tasks (doc_id TEXT, number INTEGER, area TEXT, subtask TEXT,"
            ' requirement TEXT, units TEXT, deadline TEXT, start INTEGER, "end" INTEGER)'
        )
    SQLiteStore(path)
    with sqlite3.connect(path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(tasks)")}
    assert {"lead_units", "subarea", "units_printed"} <= columns


# ---------------------------------------------------------------- prose notices


def sample_sentence(name: str, opening: str) -> str:
    """The sentence of a sample notice that starts with ``opening`` (through its 。)."""
    text = cleaned(SAMPLE_DIR / name)
    at = text.index(opening)
    return text[at : text.index("。", at) + 1]


def test_prose_notice_with_unit_lines_after_each_item():
    # Real sentences of the sample notices, laid out as a notice without a table.
    first = sample_sentence("laiwu_2022_work_points.txt", "准确把握不同类型公开要求")
    second = sample_sentence("laiwu_2022_work_points.txt", "积极推动政府网站和政务新媒体")
    third = sample_sentence("huaiyin_2020_work_points.txt", "街道办事处要聚焦权力运行")
    lines = [
        "2022年政务公开工作要点",
        "四、紧扣夯实基础深化公开",
        f"（一）规范开展政府信息公开。{first}",
        "责任单位：区政府办公室、各镇（街道）",
        "完成时限：全年",
        f"（二）加强公开平台建设。{second}",
        "牵头单位：区政府办公室；配合单位：区大数据局、区融媒体中心",
        "五、紧扣基层建设深化公开",
        f"1.{third}",
        "责任单位：各街道办事处",
    ]
    text = "\n".join(lines)
    parse = parse_task_tables(text, doc_id="prose")
    assert parse.problems == []
    assert len(parse.tasks) == len(parse.unit_roles) == 3
    one, two, three = parse.tasks
    assert (one.area, one.subtask, one.requirement) == (lines[1], "规范开展政府信息公开", first)
    assert (one.units, one.lead_units, one.deadline) == (
        ["区政府办公室", "各镇（街道）"],
        [],
        "全年",
    )
    assert (two.subtask, two.requirement) == ("加强公开平台建设", second)
    assert two.lead_units == ["区政府办公室"]
    assert two.units == ["区大数据局", "区融媒体中心"]
    assert two.deadline == ""
    assert (three.area, three.number, three.requirement) == (lines[7], 1, third)
    assert (three.units, three.deadline) == (["各街道办事处"], "2020年年底前")
    # each span runs from the item through its last unit/deadline line
    assert text[one.start : one.end] == "\n".join(lines[2:5])
    assert text[two.start : two.end] == "\n".join(lines[5:7])
    assert text[three.start : three.end] == "\n".join(lines[8:10])


def test_prose_unit_line_without_an_item_is_reported():
    text = "一、加强政策解读\n责任单位：区政府办公室\n（一）做好政策解读。各部门要做好解读。\n责任单位：区司法局"
    parse = parse_task_tables(text)
    assert [t.units for t in parse.tasks] == [["区司法局"]]
    assert len(parse.problems) == 1 and "责任单位：区政府办公室" in parse.problems[0]


@needs_dev
@pytest.mark.parametrize("layout", ["tabs", "one cell per line"])
def test_lead_and_responsible_columns_in_other_layouts(fujian, layout):
    """The 福建 rows whose cells the gold gives, printed as a tab table and as a page that
    puts each cell on its own line (an empty 牵头单位 then prints nothing)."""
    _, _, gold = fujian
    rows = [g for g in gold.values() if "task" in g and g["requirement_工作要求"]]
    columns = ["序号", "工作任务", "牵头单位", "责任单位", "工作要求"]
    lines = ["2016年政务公开工作主要任务分解表"]
    for number, g in enumerate(rows, start=1):  # renumbered: the table holds only these rows
        cells = [
            str(number),
            g["task"],
            g["lead_unit_牵头单位"],
            g["responsible_units_责任单位"],
            g["requirement_工作要求"],
        ]
        lines.append("\t".join(cells) if layout == "tabs" else "\n".join(c for c in cells if c))
    header = "\t".join(columns) if layout == "tabs" else "\n".join(columns)
    text = "\n".join([lines[0], header, *lines[1:]])
    parse = parse_task_tables(text)
    assert parse.problems == []
    assert [t.number for t in parse.tasks] == list(range(1, len(rows) + 1))
    for task, g in zip(parse.tasks, rows, strict=True):
        assert g["task"] in (task.area, task.subtask)
        assert task.lead_units == gold_names(g["lead_unit_牵头单位"]), task.number
        assert task.units == gold_names(g["responsible_units_责任单位"]), task.number
        assert task.requirement == g["requirement_工作要求"]


def test_prose_items_ending_in_bracketed_units():
    first = sample_sentence("laiwu_2022_work_points.txt", "准确把握不同类型公开要求")
    third = sample_sentence("huaiyin_2020_work_points.txt", "街道办事处要聚焦权力运行")
    lines = [
        "四、紧扣夯实基础深化公开",
        f"1.{first}（责任单位：区政府办公室、各镇（街道）；完成时限：2022年6月底前）",
        f"2.{third}（牵头单位：区政府办公室；配合单位：各街道办事处）",
        "（三）推进依申请公开工作。",
        "（责任单位：区司法局）",
    ]
    text = "\n".join(lines)
    parse = parse_task_tables(text)
    assert parse.problems == []
    one, two, three = parse.tasks
    assert (one.number, one.requirement, one.deadline) == (1, first, "2022年6月底前")
    assert one.units == ["区政府办公室", "各镇（街道）"]
    assert text[one.start : one.end] == lines[1]
    assert (two.number, two.requirement, two.deadline) == (2, third, "2020年年底前")
    assert (two.lead_units, two.units) == (["区政府办公室"], ["各街道办事处"])
    # a （三） line followed at once by its unit line is the item itself, not a heading
    assert (three.subtask, three.subarea, three.units) == ("推进依申请公开工作", "", ["区司法局"])
    assert text[three.start : three.end] == "\n".join(lines[3:])
    assert {t.area for t in parse.tasks} == {lines[0]}
