"""The same tables parse the same from PDF, HTML (rowspan/colspan) and .docx (merged cells).

The facts parsed from huaian_2024 (PDF, 2021 format) and laiwu_2020 (flattened text, 2019
format) are rendered into the official table layouts, loaded back through
``index.load.load_file`` + ``clean_text`` and parsed again.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from index.clean import clean_text
from index.load import load_file
from index.models import Fact
from index.tables.annual import parse_report_tables

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"

APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
REVIEW_ROWS = ["行政复议", "行政诉讼.未经复议直接起诉", "行政诉讼.复议后起诉"]
HEADINGS = {
    "主动公开": "二、主动公开政府信息情况",
    "依申请": "三、收到和处理政府信息公开申请情况",
    "复议诉讼": "四、政府信息公开行政复议、行政诉讼情况",
}
# (printed label cells in the order they appear, canonical row) for table 三, 2021 format.
GROUPS = {
    "不予公开": [
        "属于国家秘密",
        "其他法律行政法规禁止公开",
        "危及“三安全一稳定”",
        "保护第三方合法权益",
        "属于三类内部事务信息",
        "属于四类过程性信息",
        "属于行政执法案卷",
        "属于行政查询事项",
    ],
    "无法提供": ["本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"],
    "不予处理": [
        "信访举报投诉类申请",
        "重复申请",
        "要求提供公开出版物",
        "无正当理由大量反复申请",
        "要求行政机关确认或重新出具已获取信息",
    ],
    "其他处理": [
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "其他",
    ],
}
GROUP_NUMBERS = {
    "不予公开": "（三）",
    "无法提供": "（四）",
    "不予处理": "（五）",
    "其他处理": "（六）",
}


@dataclass
class Cell:
    """A table cell to render: text and how many rows/columns it spans."""

    text: str
    rowspan: int = 1
    colspan: int = 1


def load_clean(path: Path) -> str:
    loaded = load_file(path)
    return clean_text(loaded.text, join_wrapped_lines=bool(loaded.pages)).text


def shown(value: float | None, col: str = "") -> str:
    """A cell as a report prints it: zero left blank, 增/减 for changes, 万 for money."""
    if not value:  # 0 and blank (None) both print as an empty cell
        return ""
    if col == "本年增减":
        return f"增{value}" if value > 0 else f"减{-value}"
    return f"{value}万" if col == "采购总金额" else str(value)


def key_set(facts: list[Fact]) -> set[tuple]:
    """Facts by key and value; the renderer prints 0 as an empty cell, so blank reads as 0."""
    return {(f.table, f.row, f.col, 0 if f.blank else f.value, f.unit, f.origin) for f in facts}


# Table 二 blocks: (第二十条 item, printed column headers, canonical columns, rows).
ACTIVE_2021 = [
    ("一", ["本年制发件数", "本年废止件数", "现行有效件数"], None, ["规章", "行政规范性文件"]),
    ("五", ["本年处理决定数量"], None, ["行政许可"]),
    ("六", ["本年处理决定数量"], None, ["行政处罚", "行政强制"]),
    ("八", ["本年收费金额（单位：万元）"], ["本年收费金额"], ["行政事业性收费"]),
]
DECISIONS_2019 = ["上一年项目数量", "本年增/减", "处理决定数量"]
ACTIVE_2019 = [
    ("一", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], None, ["规章", "规范性文件"]),
    ("五", DECISIONS_2019, None, ["行政许可", "其他对外管理服务事项"]),
    ("六", DECISIONS_2019, None, ["行政处罚", "行政强制"]),
    ("八", DECISIONS_2019[:2], None, ["行政事业性收费"]),
    ("九", ["采购项目数量", "采购总金额"], None, ["政府集中采购"]),
]


def active_rows(values: dict, fmt: str) -> list[list[Cell]]:
    """Table 二 on a 4-column grid; the last cell of a short row spans the rest."""
    out = []
    for item, header, columns, rows in ACTIVE_2021 if fmt == "2021" else ACTIVE_2019:
        columns = columns or [h.replace("/", "") for h in header]
        last_span = 4 - len(header)
        out.append([Cell(f"第二十条第（{item}）项", colspan=4)])
        heads = [Cell(h) for h in header[:-1]] + [Cell(header[-1], colspan=last_span)]
        out.append([Cell("信息内容")] + heads)
        for row in rows:
            cells = [Cell(shown(values[(row, c)], c)) for c in columns]
            cells[-1].colspan = last_span
            out.append([Cell(row)] + cells)
    return out


def application_rows(values: dict, fmt: str) -> list[list[Cell]]:
    """Table 三: 3 label columns, 7 data columns, merged label cells; （六） per format."""

    def data(row: str) -> list[Cell]:
        return [Cell(shown(values[(row, col)])) for col in APPLICANTS]

    rows = [
        [
            Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
            Cell("申请人情况", colspan=7),
        ],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [Cell(c) for c in APPLICANTS[1:6]],
        [Cell("一、本年新收政府信息公开申请数量", colspan=3)] + data("本年新收"),
        [Cell("二、上年结转政府信息公开申请数量", colspan=3)] + data("上年结转"),
    ]
    results = [
        [Cell("（一）予以公开", colspan=2)] + data("予以公开"),
        [Cell("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2)]
        + data("部分公开"),
    ]
    for group, labels in GROUPS.items():
        if group == "其他处理" and fmt == "2019":
            results.append([Cell("（六）其他处理", colspan=2)] + data("其他处理"))
            continue
        for i, label in enumerate(labels):
            head = [Cell(GROUP_NUMBERS[group] + group, rowspan=len(labels))] if i == 0 else []
            results.append(head + [Cell(f"{i + 1}.{label}")] + data(f"{group}.{label}"))
    results.append([Cell("（七）总计", colspan=2)] + data("总计"))
    results[0] = [Cell("三、本年度办理结果", rowspan=len(results))] + results[0]
    return rows + results + [[Cell("四、结转下年度继续办理", colspan=3)] + data("结转下年度")]


def review_rows(values: dict) -> list[list[Cell]]:
    """Table 四: three header rows and one data row of 15 cells."""
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [Cell(c, rowspan=2) for c in RESULTS]
        + [Cell("未经复议直接起诉", colspan=5), Cell("复议后起诉", colspan=5)],
        [Cell(c) for c in RESULTS * 2],
        [Cell(shown(values[(row, col)])) for row in REVIEW_ROWS for col in RESULTS],
    ]


def table_values(facts: list[Fact], table: str) -> dict:
    return {(f.row, f.col): f.value for f in facts if f.table == table}


def rendered_tables(facts: list[Fact], fmt: str) -> list[tuple[str, list[list[Cell]]]]:
    return [
        (HEADINGS["主动公开"], active_rows(table_values(facts, "主动公开"), fmt)),
        (HEADINGS["依申请"], application_rows(table_values(facts, "依申请"), fmt)),
        (HEADINGS["复议诉讼"], review_rows(table_values(facts, "复议诉讼"))),
    ]


def write_html(path: Path, tables: list[tuple[str, list[list[Cell]]]]) -> None:
    parts = ["<html><body><h1>2024年政府信息公开工作年度报告</h1>"]
    for heading, rows in tables:
        parts.append(f"<h2>{heading}</h2><table border='1'>")
        for row in rows:
            cells = "".join(
                f"<td rowspan='{c.rowspan}' colspan='{c.colspan}'>{html.escape(c.text) or '&nbsp;'}</td>"
                for c in row
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    parts.append("<p>五、存在的主要问题及改进情况</p></body></html>")
    path.write_text("".join(parts), encoding="utf-8")


def grid_positions(rows: list[list[Cell]]) -> list[list[tuple[int, Cell]]]:
    """Each row's cells with their starting grid column, honouring rowspans from above."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c, out = 0, []
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
        placed.append(out)
    return placed


def write_docx(path: Path, tables: list[tuple[str, list[list[Cell]]]]) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("2024年政府信息公开工作年度报告")
    for heading, rows in tables:
        document.add_paragraph(heading)
        placed = grid_positions(rows)
        width = max(c + cell.colspan for row in placed for c, cell in row)
        table = document.add_table(rows=len(rows), cols=width)
        grid = [list(row.cells) for row in table.rows]  # table.cell() rescans the whole table
        for r, row in enumerate(placed):
            for c, cell in row:
                target = grid[r][c]
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(grid[r + cell.rowspan - 1][c + cell.colspan - 1])
                target.text = cell.text
    document.add_paragraph("五、存在的主要问题及改进情况")
    document.save(str(path))


SOURCES = {  # sample → (its table format, its number of facts)
    "huaian_2024_annual_report.pdf": ("2021", 228),
    "laiwu_2020_annual_report.txt": ("2019", 219),
}


@cache
def source_parse(name: str):
    return parse_report_tables(load_clean(SAMPLE / name), name)


def render(name: str, path: Path) -> str:
    """Write ``name``'s parsed tables to ``path`` (.html or .docx); return its cleaned text."""
    tables = rendered_tables(source_parse(name).facts, SOURCES[name][0])
    (write_html if path.suffix == ".html" else write_docx)(path, tables)
    return load_clean(path)


@pytest.mark.parametrize("suffix", [".html", ".docx"])
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_rendered_tables_parse_to_the_same_facts(name, suffix, tmp_path):
    text = render(name, tmp_path / f"report{suffix}")

    parsed = parse_report_tables(text, "rendered")

    fmt, count = SOURCES[name]
    assert parsed.problems == []
    assert parsed.tables == {"主动公开", "依申请", "复议诉讼"}
    assert parsed.table_format == fmt
    assert key_set(parsed.facts) == key_set(source_parse(name).facts)
    assert len(parsed.facts) == count


@pytest.mark.parametrize("suffix", [".html", ".docx"])
def test_rendered_spans_quote_the_printed_row(suffix, tmp_path):
    text = render("huaian_2024_annual_report.pdf", tmp_path / f"report{suffix}")

    facts = parse_report_tables(text, "rendered").facts

    row = [f for f in facts if f.row == "予以公开" and f.col == "自然人"][0]
    quote = text[row.start : row.end]
    assert "予以公开" in quote and "1288" in quote and "1362" in quote
    permit = [f for f in facts if f.row == "行政许可"][0]
    assert text[permit.start : permit.end].split() == ["行政许可", "447228"]


def test_html_blank_cells_are_kept_blank_not_missing(tmp_path):
    text = render("huaian_2024_annual_report.pdf", tmp_path / "report.html")
    assert "3.要求提供公开出版物\t\t\t\t\t\t\t\n" in text  # zeros really are blank

    facts = parse_report_tables(text, "rendered").facts

    row = {f.col: (f.value, f.blank) for f in facts if f.row == "不予处理.要求提供公开出版物"}
    assert row == dict.fromkeys(APPLICANTS, (None, True))
    cell = [f for f in facts if f.row == "予以公开" and f.col == "自然人"][0]
    assert text[cell.cell_start : cell.cell_end] == "1288"


def test_grid_row_with_too_few_cells_is_reported_not_zero_filled(tmp_path):
    text = render("huaian_2024_annual_report.pdf", tmp_path / "report.html")
    stripped = text.replace("3.要求提供公开出版物\t\t\t\t\t\t\t\n", "3.要求提供公开出版物\n")

    parsed = parse_report_tables(stripped, "rendered")

    assert parsed.problems == [
        "table_row_unaligned: 依申请/不予处理.要求提供公开出版物 (expected 7 cells, found 0)"
    ]
    rows = {f.row for f in parsed.facts}
    assert "不予处理.要求提供公开出版物" not in rows
    assert "不予处理" not in rows  # no group sum over a missing sub-row
    assert "不予处理.重复申请" in rows


# --- Run-together crawler text, pipes, blanks: tables built here in the 2021 template's order ---

APP_HEADER = (
    "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加"
    "第四项之和）申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
)
APP_LABELS = (
    ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "三、本年度办理结果"]
    + [
        "（一）予以公开",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "（三）不予公开",
    ]
    + [f"{i}.{label}" for i, label in enumerate(GROUPS["不予公开"], 1)]
    + ["（四）无法提供"]
    + [f"{i}.{label}" for i, label in enumerate(GROUPS["无法提供"], 1)]
    + ["（五）不予处理"]
    + [f"{i}.{label}" for i, label in enumerate(GROUPS["不予处理"], 1)]
    + ["（六）其他处理"]
    + [f"{i}.{label}" for i, label in enumerate(GROUPS["其他处理"], 1)]
    + ["（七）总计", "四、结转下年度继续办理"]
)
GROUP_HEADS = {
    "三、本年度办理结果",
    "（三）不予公开",
    "（四）无法提供",
    "（五）不予处理",
    "（六）其他处理",
}


def crawler_table(rows: dict[str, str], default: str = "0000000") -> str:
    """表三 flattened as crawler text: every label followed directly by its printed cells."""
    parts = [APP_HEADER]
    for label in APP_LABELS:
        parts.append(label + ("" if label in GROUP_HEADS else rows.get(label, default)))
    return "".join(parts) + "四、政府信息公开行政复议、行政诉讼情况"


def app_row(facts: list[Fact], row: str) -> list:
    got = {f.col: f.value for f in facts if f.table == "依申请" and f.row == row}
    return [got.get(col) for col in APPLICANTS]


def test_run_together_cells_split_by_the_row_total():
    text = crawler_table(
        {
            "一、本年新收政府信息公开申请数量": "1 0 0 0 0 01",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "1 0 0 0 0 01",
            "（七）总计": "1000001",
        }
    )
    parsed = parse_report_tables(text, "t")
    assert app_row(parsed.facts, "本年新收") == [1, 0, 0, 0, 0, 0, 1]
    assert app_row(parsed.facts, "总计") == [1, 0, 0, 0, 0, 0, 1]
    assert not [p for p in parsed.problems if p.startswith(("ambiguous", "table_row"))]
    fact = [f for f in parsed.facts if f.row == "本年新收" and f.col == "总计"][0]
    assert text[fact.cell_start : fact.cell_end] == "1"
    assert text[fact.start : fact.end].startswith("一、本年新收")


def test_column_identities_choose_between_splits_of_a_row():
    # 12 new applications from 自然人: "12000012" alone splits 12|0|0|0|0|0|12 or 1|20|…;
    # only one split makes the columns add up with the 总计 row.
    rows = {
        "一、本年新收政府信息公开申请数量": "120000012",
        "（一）予以公开": "120000012",
        "（七）总计": "120000012",
    }
    parsed = parse_report_tables(crawler_table(rows), "t")
    assert app_row(parsed.facts, "本年新收") == [12, 0, 0, 0, 0, 0, 12]
    assert not [p for p in parsed.problems if p.startswith("ambiguous")]


def test_a_split_no_identity_decides_is_left_out_with_a_warning():
    text = (
        "二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数"
        "规章000行政规范性文件12012第二十条第（五）项信息内容本年处理决定数量行政许可5"
        "三、收到和处理政府信息公开申请情况"
    )  # 12|0|12, 1|20|12 or 1|201|2: no cell is the same in every split
    parsed = parse_report_tables(text, "t")
    active = {(f.row, f.col): f.value for f in parsed.facts if f.table == "主动公开"}
    assert active[("规章", "本年制发件数")] == 0 and active[("行政许可", "本年处理决定数量")] == 5
    assert not [k for k in active if k[0] == "行政规范性文件"]
    assert any(p.startswith("ambiguous_cells: 主动公开/行政规范性文件") for p in parsed.problems)


def test_a_gap_standing_for_a_blank_cell_is_blank_not_zero():
    parsed = parse_report_tables(
        crawler_table({"一、本年新收政府信息公开申请数量": "0 00000"}), "t"
    )
    row = [f for f in parsed.facts if f.row == "本年新收"]
    assert [f.value for f in row] == [0, None, 0, 0, 0, 0, 0]
    assert [f.blank for f in row] == [False, True, False, False, False, False, False]


def test_rows_printed_empty_are_blank_and_an_all_blank_table_yields_nothing():
    rows = {f"{i}.{label}": "" for i, label in enumerate(GROUPS["其他处理"], 1)}
    parsed = parse_report_tables(crawler_table(rows), "t")
    assert app_row(parsed.facts, "其他处理.其他") == [None] * 7
    assert app_row(parsed.facts, "予以公开") == [0] * 7

    empty = parse_report_tables(crawler_table({}, default=""), "t")
    assert not [f for f in empty.facts if f.table == "依申请"]
    assert "table_blank: 依申请" in empty.problems


def test_markdown_pipe_rows_with_repeated_merged_cells_and_br_in_labels():
    lines = [
        "三、收到和处理政府信息公开申请情况",
        "|（本列数据的勾稽关系）|Col2|申请人情况|Col4|Col5|Col6|Col7|Col8|Col9|",
        "|||自然人|商业<br>企业|科研<br>机构|社会公益<br>组织|法律服务<br>机构|其他|总计|",
    ]
    group = ""
    for label in APP_LABELS:
        if label in GROUP_HEADS:
            group = label.replace("不予", "不<br>予")  # the converter breaks labels with <br>
            continue
        printed = label.replace("确认或重新出", "确认或重新出<br>")
        first = group if label[0].isdigit() else printed
        lines.append(f"|{first}|{printed}|{printed}|2|0|0|0|0|0|2|")
    lines.append("四、政府信息公开行政复议、行政诉讼情况")
    parsed = parse_report_tables("\n".join(lines), "t")
    assert app_row(parsed.facts, "不予处理.要求行政机关确认或重新出具已获取信息") == [
        2,
        0,
        0,
        0,
        0,
        0,
        2,
    ]
    assert app_row(parsed.facts, "结转下年度") == [2, 0, 0, 0, 0, 0, 2]
    assert not [p for p in parsed.problems if p.startswith("table_row")]


def test_a_digit_run_with_many_splits_is_reported_not_guessed():
    rows = {"一、本年新收政府信息公开申请数量": "1234567891234567891234567"}
    parsed = parse_report_tables(crawler_table(rows), "t")
    assert app_row(parsed.facts, "本年新收") == [None] * 7
    assert any(p.startswith("ambiguous_cells: 依申请/本年新收") for p in parsed.problems)


def test_labels_split_by_spaces_and_line_breaks_still_align():
    text = crawler_table({"1.属于国家秘密": " 1 0 0 0 0 0 1", "（七）总计": "1000001"})
    text = text.replace("（三）不予公开", "（三）不予 公开").replace(
        "1.属于国家秘密", "1.属于国家\n秘密"
    )
    text = text.replace("（七）总计", "（七）总\n计")
    parsed = parse_report_tables(text, "t")
    assert app_row(parsed.facts, "不予公开.属于国家秘密") == [1, 0, 0, 0, 0, 0, 1]
    assert app_row(parsed.facts, "不予公开") == [1, 0, 0, 0, 0, 0, 1]  # the group's sum
    assert app_row(parsed.facts, "总计") == [1, 0, 0, 0, 0, 0, 1]
    assert not [p for p in parsed.problems if p.startswith(("table_row", "ambiguous"))]


RUN_2019 = (
    "二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量"
    "规章000规范性文件{first}第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购{purchase}"
    "三、收到和处理政府信息公开申请情况"
)
RUN_2021 = (
    "二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数"
    "规章000行政规范性文件{first}第二十条第（八）项信息内容本年收费金额（单位：万元）"
    "行政事业性收费{fee} (二)主动公开政府信息的主要类别三、收到和处理政府信息公开申请情况"
)


def active_cells(text: str) -> dict[tuple[str, str], float | None]:
    parsed = parse_report_tables(text, "t")
    return {(f.row, f.col): f.value for f in parsed.facts if f.table == "主动公开"}


def test_2019_published_total_is_never_below_the_years_new_publications():
    # "2120": 2|1|20, 2|12|0 or 21|2|0; only 2|1|20 has 对外公开总数量 >= 本年新公开数量.
    cells = active_cells(RUN_2019.format(first="2120", purchase="00"))
    assert [
        cells[("规范性文件", c)] for c in ("本年新制作数量", "本年新公开数量", "对外公开总数量")
    ] == [
        2,
        1,
        20,
    ]
    # Several splits keep the inequality ("1077": 1|0|77 or 10|7|7): nothing is chosen.
    text = RUN_2019.format(first="1077", purchase="00")
    assert ("规范性文件", "本年新制作数量") not in active_cells(text)
    assert "ambiguous_cells: 主动公开/规范性文件" in " ".join(
        parse_report_tables(text, "t").problems
    )


def test_the_2021_columns_allow_fewer_in_force_than_made():
    # 现行有效件数 may be below 本年制发件数 (a real report prints 2 | 12 | 0): "2120" keeps
    # 2|1|20 and 2|12|0 (21|2|0 would leave 19 of this year's documents nowhere).
    cells = active_cells(RUN_2021.format(first="2120", fee="0"))
    assert cells[("行政规范性文件", "本年制发件数")] == 2  # the same in every remaining split
    assert ("行政规范性文件", "本年废止件数") not in cells
    assert ("行政规范性文件", "现行有效件数") not in cells


def test_documents_made_this_year_are_in_force_or_repealed():
    # "6045": 6|0|45, or 60|4|5, which would leave 56 of the year's 60 documents nowhere.
    cells = active_cells(RUN_2021.format(first="6045", fee="0"))
    made, repealed, in_force = (
        cells[("行政规范性文件", c)] for c in ("本年制发件数", "本年废止件数", "现行有效件数")
    )
    assert (made, repealed, in_force) == (6, 0, 45)


def test_purchase_count_and_amount_are_zero_together():
    # "1050万元": 10|50万元 or 105|0万元; a purchase of 105 projects cannot cost 0.
    cells = active_cells(RUN_2019.format(first="000", purchase="1050万元"))
    assert cells[("政府集中采购", "采购项目数量")] == 10
    assert cells[("政府集中采购", "采购总金额")] == 50


def test_a_decimal_amount_runs_into_the_count_before_it_and_is_not_guessed():
    # "191690.9913万元" reads 19 | 1690.9913万元 but also 1 | 91690.9913万元 …: left out.
    text = RUN_2019.format(first="000", purchase="191690.9913万元")
    cells = active_cells(text)
    assert ("政府集中采购", "采购总金额") not in cells
    problems = parse_report_tables(text, "t").problems
    assert any(p.startswith("ambiguous_cells: 主动公开/政府集中采购") for p in problems)


def test_a_2021_fee_with_many_decimals_is_one_cell():
    text = RUN_2021.format(first="021", fee="18651.064104")
    parsed = parse_report_tables(text, "t")
    fee = [f for f in parsed.facts if f.row == "行政事业性收费"][0]
    assert fee.value == 18651.064104 and fee.unit == "万元"
    assert text[fee.cell_start : fee.cell_end] == "18651.064104"


@pytest.mark.parametrize("name", ["huaian_2024_annual_report.pdf", "hongze_2023_annual_report.pdf"])
def test_a_whole_table_joined_on_one_tab_separated_line_reads_the_same(name):
    # Crawler text that maps <td> to a tab but drops the row breaks: every row of a table,
    # header included, on one line. A label cell after a row's numbers starts the next row.
    path = Path(__file__).resolve().parent.parent.parent / "shared" / "realdocs" / name
    if not path.exists():
        pytest.skip(f"absent: {path}")
    text = clean_text(load_file(path).text).text
    lines: list[str] = []
    for line in text.split("\n"):
        joined = lines and "\t" in lines[-1] + line and not line.lstrip()[:2].endswith("、")
        if joined:
            lines[-1] += "\t" + line
        else:
            lines.append(line)
    one_line = "\n".join(lines)
    assert len(one_line.split("\n")) < len(text.split("\n")) - 20

    def cells(t: str) -> dict:
        return {(f.table, f.row, f.col): f.value for f in parse_report_tables(t, "t").facts}

    want = cells(text)
    assert len(want) > 150
    assert cells(one_line) == want


REVIEW_RUN = (
    "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
    "未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果"
    "尚未审结总计{run}五、存在的主要问题及改进情况"
)


def test_a_long_run_together_review_row_is_reported_not_enumerated():
    # 36 digits for 15 cells split in millions of ways, none adding up: reported, not listed.
    parsed = parse_report_tables(REVIEW_RUN.format(run="123456789123456789123456789123456789"), "t")
    assert not [f for f in parsed.facts if f.table == "复议诉讼"]
    assert any(p.startswith("ambiguous_cells: 复议诉讼") for p in parsed.problems)


def test_review_groups_that_add_up_one_way_are_kept_the_others_left_out():
    # 376 97 196 121 790 | 16 1 12 27 56 | 74 1 30 51 156 run together: only the splits whose
    # groups add up to their 总计 are built; 复议 and 复议后起诉 read one way in all of them,
    # 直接起诉 several ways (1|6|1|2|… and 16|1|12|27|56 …): left out.
    parsed = parse_report_tables(REVIEW_RUN.format(run="376971961217901611227567413051156"), "t")
    rows = {f.row: [] for f in parsed.facts if f.table == "复议诉讼"}
    for f in parsed.facts:
        if f.table == "复议诉讼":
            rows[f.row].append(f.value)
    assert rows == {
        "行政复议": [376, 97, 196, 121, 790],
        "行政诉讼.复议后起诉": [74, 1, 30, 51, 156],
    }
    assert "ambiguous_cells: 复议诉讼/行政诉讼.未经复议直接起诉" in parsed.problems


def test_a_long_run_together_applicant_row_is_split_by_its_total():
    # 21 digits for 7 cells: tens of thousands of splits, one whose six cells add up to the
    # seventh (13612+252+0+45+128+32 = 14069).
    rows = {"一、本年新收政府信息公开申请数量": "136122520451283214069"}
    parsed = parse_report_tables(crawler_table(rows), "t")
    assert app_row(parsed.facts, "本年新收") == [13612, 252, 0, 45, 128, 32, 14069]


def test_a_run_together_review_row_with_one_reading_is_read():
    parsed = parse_report_tables(REVIEW_RUN.format(run="100010002200000"), "t")
    values = [f.value for f in parsed.facts if f.table == "复议诉讼"]
    assert values == [1, 0, 0, 0, 1, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0]


def test_numbers_behind_stray_marks_are_not_a_blank_row():
    # A converter left "<br>." between a label and its cells: the row cannot be placed, and
    # it must not be reported as printed empty (a blank is a claim about the report).
    text = crawler_table({"2.没有现成信息需要另行制作": "<br>. 11 0 0 0 0 0 11"})
    parsed = parse_report_tables(text, "t")
    assert app_row(parsed.facts, "无法提供.没有现成信息需要另行制作") == [None] * 7
    assert not [f for f in parsed.facts if f.row == "无法提供.没有现成信息需要另行制作"]
    assert any("无法提供.没有现成信息需要另行制作" in p for p in parsed.problems)


def test_a_repeated_label_cell_is_skipped_before_the_cells():
    text = crawler_table(
        {"1.属于国家秘密": " 1.属于国家秘密 1 0 0 0 0 0 1", "（七）总计": "1000001"}
    )
    parsed = parse_report_tables(text, "t")
    assert app_row(parsed.facts, "不予公开.属于国家秘密") == [1, 0, 0, 0, 0, 0, 1]


REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "realdocs"
REFLOWS = {  # how crawlers and converters print a table's cells: (between cells, between rows)
    "one cell per line": ("\n", "\n"),
    "single spaces": (" ", "\n"),
    "ideographic spaces": ("\u3000", "\n"),
    "one line, spaces": (" ", ""),
    "run together": ("", "\n"),
    "run together, one line": ("", ""),
    "tabs, rows glued to the next line": ("\t", ""),
}
EXACT = {"one cell per line", "single spaces", "ideographic spaces", "one line, spaces"}


def reflow(text: str, between_cells: str, between_rows: str) -> str:
    """``text`` with every tab- or pipe-separated table row re-printed another way."""
    out = []
    for line in text.split("\n"):
        if "\t" in line or line.count("|") >= 3:
            cells = [c.strip() for c in re.split(r"[\t|]", line)]
            out.append(between_cells.join(c for c in cells if c))
        else:
            out.append(line)
    return between_rows.join(out)


@pytest.mark.parametrize(
    "name",
    [
        "huaian_2024_annual_report.pdf",
        "hongze_2023_annual_report.pdf",
        "dev/kgc-test_hangzhou-style_2025_annual_report.html",
        "dev/pingtan-shehuishiyeju-html_2023_annual_report.html",
    ],
)
def test_a_real_report_reflowed_reads_the_same_or_leaves_cells_out(name):
    # Separated cells read exactly as the table; run-together cells (and cells glued to the
    # next line's words) read the same or are left out, never as another number or a blank.
    path = REAL / name
    if not path.exists():
        pytest.skip(f"absent: {path}")
    text = clean_text(load_file(path).text).text

    def cells(t: str) -> dict:
        facts = parse_report_tables(t, "t").facts
        return {(f.table, f.row, f.col): f.value for f in facts if f.origin == "table"}

    want = cells(text)
    assert len(want) > 150
    for form, (between_cells, between_rows) in REFLOWS.items():
        got = cells(reflow(text, between_cells, between_rows))
        assert {k: v for k, v in got.items() if want.get(k) != v} == {}, form
        if form in EXACT:
            assert got == want, form
        else:
            assert len(got) >= 0.9 * len(want), (form, len(got), len(want))


def test_a_prose_figure_never_settles_a_run_together_split():
    # "12012" under the 2021 columns reads 12|0|12, 1|20|12 or 1|201|2. The prose names the row
    # and a figure that agrees with some splits only; prose figures in real reports count other
    # things (清理规范性文件1件, 刊载规范性文件16件, 发布行政处罚23件 in the dev corpus), so the
    # row stays left out whichever split the sentence agrees or disagrees with.
    for sentence in ("本年制发行政规范性文件12件。", "本年制发行政规范性文件1件。"):
        text = sentence + RUN_2021.format(first="12012", fee="0")
        cells = active_cells(text)
        assert ("行政规范性文件", "本年制发件数") not in cells
        assert ("行政规范性文件", "现行有效件数") not in cells


def test_a_cell_every_reading_shares_is_read_the_others_left_out():
    # "4500" under 上一年项目数量 / 本年增减 / 处理决定数量 reads 4|50|0 or 45|0|0: the last cell is
    # the same printed "0" in both, the first two are not.
    text = (
        "二、主动公开政府信息情况第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量"
        "行政许可4500其他对外管理服务事项000三、收到和处理政府信息公开申请情况"
    )
    parsed = parse_report_tables(text, "t")
    row = {f.col: f for f in parsed.facts if f.row == "行政许可"}
    assert set(row) == {"处理决定数量"} and row["处理决定数量"].value == 0
    assert text[row["处理决定数量"].cell_start : row["处理决定数量"].cell_end] == "0"
    assert any(p.startswith("ambiguous_cells: 主动公开/行政许可") for p in parsed.problems)
