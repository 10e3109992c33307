"""Build the unseen-document set: two SYNTHETIC annual reports in the official table formats.

    python -m evals.unseen.make_docs            # writes evals/unseen/docs/*.docx, *.html

- ``qinghe_2020_annual_report.docx``: 青禾区 (a fictional district) 2020, a Word file with the
  2019-format tables (国办公开办函〔2019〕60号) as real Word tables with merged cells.
- ``yunxi_2023_annual_report.html``: 云溪县 (fictional) 2023, an HTML page with the 2021-format
  tables (〔2021〕30号, （六）其他处理 in three sub-rows) using rowspan/colspan.

The layout follows ``shared/table_formats.md`` and the real reports in data/sample; every
number is invented, chosen so that the template's identities hold (一+二 = （七）+四 per column,
（七） = sum of the results, 总计 column = sum of the applicant columns). The gold answers in
``questions.jsonl`` beside this file were written from the tables below, not from gongkai's
output. Both documents say in section 六 that they are synthetic.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent / "docs"
APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
DENIED = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
          "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]  # fmt: skip
UNABLE = ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
NOT_PROCESSED = ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                 "5.要求行政机关确认或重新出具已获取信息"]  # fmt: skip
OTHER_2021 = ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]  # fmt: skip
Z = [0] * 7


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


# -- the invented figures ----------------------------------------------------------------
QINGHE = {  # 青禾区 2020, 2019 format
    "new": [140, 12, 0, 1, 5, 2, 160],
    "carried": [6, 1, 0, 0, 0, 0, 7],
    "granted": [58, 5, 0, 1, 2, 1, 67],
    "partial": [14, 2, 0, 0, 1, 0, 17],
    "denied": [
        [1, 0, 0, 0, 0, 0, 1],
        Z,
        [2, 0, 0, 0, 0, 0, 2],
        [3, 0, 0, 0, 0, 0, 3],
        Z,
        [4, 0, 0, 0, 0, 0, 4],
        Z,
        [5, 0, 0, 0, 0, 0, 5],
    ],  # fmt: skip
    "unable": [[38, 3, 0, 0, 1, 0, 42], [6, 1, 0, 0, 0, 0, 7], [2, 0, 0, 0, 0, 0, 2]],
    "not_processed": [[4, 0, 0, 0, 0, 0, 4], [3, 0, 0, 0, 0, 0, 3], Z, Z, [1, 0, 0, 0, 0, 0, 1]],
    "other": [[5, 1, 0, 0, 0, 1, 7]],
    "total": [146, 12, 0, 1, 4, 2, 165],
    "next_year": [0, 1, 0, 0, 1, 0, 2],
    "review": [4, 3, 1, 1, 9, 2, 1, 0, 1, 4, 1, 0, 0, 0, 1],
}
YUNXI = {  # 云溪县 2023, 2021 format
    "new": [50, 6, 0, 0, 3, 1, 60],
    "carried": [2, 0, 0, 0, 0, 0, 2],
    "granted": [20, 3, 0, 0, 1, 1, 25],
    "partial": [6, 1, 0, 0, 0, 0, 7],
    "denied": [
        Z,
        [1, 0, 0, 0, 0, 0, 1],
        Z,
        [2, 0, 0, 0, 0, 0, 2],
        Z,
        [1, 0, 0, 0, 0, 0, 1],
        Z,
        [3, 0, 0, 0, 0, 0, 3],
    ],  # fmt: skip
    "unable": [[9, 1, 0, 0, 1, 0, 11], [2, 0, 0, 0, 0, 0, 2], [1, 0, 0, 0, 0, 0, 1]],
    "not_processed": [[2, 0, 0, 0, 0, 0, 2], [1, 0, 0, 0, 0, 0, 1], Z, Z, Z],
    "other": [[3, 0, 0, 0, 0, 0, 3], Z, [1, 0, 0, 0, 1, 0, 2]],
    "total": [52, 5, 0, 0, 3, 1, 61],
    "next_year": [0, 1, 0, 0, 0, 0, 1],
    "review": [2, 1, 0, 1, 4, 1, 0, 1, 0, 2, 0, 0, 0, 0, 0],
}


def check_identities(d: dict) -> None:
    """The template's identities; raises AssertionError when the invented figures break one."""
    rows = [
        d["granted"],
        d["partial"],
        *d["denied"],
        *d["unable"],
        *d["not_processed"],
        *d["other"],
    ]
    for col in range(7):
        assert sum(r[col] for r in rows) == d["total"][col], ("总计", col)
        assert d["new"][col] + d["carried"][col] == d["total"][col] + d["next_year"][col], col
    for row in [d["new"], d["carried"], d["total"], d["next_year"], *rows]:
        assert sum(row[:6]) == row[6], row
    for k in range(3):
        block = d["review"][5 * k : 5 * k + 5]
        assert sum(block[:4]) == block[4], block


# -- table grids -------------------------------------------------------------------------
def row_of(label_cells: list[Cell], values: list[int], blank_zero: bool = False) -> list[Cell]:
    return label_cells + [Cell("" if blank_zero and v == 0 else str(v)) for v in values]


def application_grid(d: dict, fmt: str) -> list[list[Cell]]:
    """Table 三 as printed: three label columns, seven applicant columns."""
    other_labels = ["（六）其他处理"] if fmt == "2019" else OTHER_2021
    results = 2 + len(DENIED) + len(UNABLE) + len(NOT_PROCESSED) + len(other_labels) + 1
    grid = [
        [Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), Cell("申请人情况", 1, 7)],
        [Cell("自然人", 2), Cell("法人或其他组织", 1, 5), Cell("总计", 2)],
        [Cell(x) for x in APPLICANTS[1:6]],
        row_of([Cell("一、本年新收政府信息公开申请数量", 1, 3)], d["new"]),
        row_of([Cell("二、上年结转政府信息公开申请数量", 1, 3)], d["carried"]),
        row_of([Cell("三、本年度办理结果", results), Cell("（一）予以公开", 1, 2)], d["granted"]),
        row_of([Cell("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2)], d["partial"]),
    ]  # fmt: skip
    groups = [("（三）不予公开", DENIED, d["denied"]), ("（四）无法提供", UNABLE, d["unable"]),
              ("（五）不予处理", NOT_PROCESSED, d["not_processed"])]  # fmt: skip
    if fmt == "2021":
        groups.append(("（六）其他处理", OTHER_2021, d["other"]))
    for head, labels, values in groups:
        for i, (label, row) in enumerate(zip(labels, values, strict=True)):
            lead = [Cell(head, len(labels))] if i == 0 else []
            grid.append(row_of(lead + [Cell(label)], row))
    if fmt == "2019":
        grid.append(row_of([Cell("（六）其他处理", 1, 2)], d["other"][0]))
    grid.append(row_of([Cell("（七）总计", 1, 2)], d["total"]))
    grid.append(row_of([Cell("四、结转下年度继续办理", 1, 3)], d["next_year"]))
    return grid


def review_grid(values: list[int]) -> list[list[Cell]]:
    """Table 四: 行政复议 and the two kinds of 行政诉讼, five columns each."""
    results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        [Cell("行政复议", 1, 5), Cell("行政诉讼", 1, 10)],
        [*(Cell(r, 2) for r in results), Cell("未经复议直接起诉", 1, 5), Cell("复议后起诉", 1, 5)],
        [Cell(r) for r in results * 2],
        [Cell(str(v)) for v in values],
    ]


def active_grid_2019() -> list[list[Cell]]:
    return [
        [Cell("第二十条第（一）项", 1, 4)],
        [Cell(x) for x in ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量")],
        [Cell(x) for x in ("规章", "1", "1", "3")],
        [Cell(x) for x in ("规范性文件", "9", "8", "41")],
        [Cell("第二十条第（五）项", 1, 4)],
        [Cell(x) for x in ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量")],
        [Cell(x) for x in ("行政许可", "312", "增17", "20871")],
        [Cell(x) for x in ("其他对外管理服务事项", "45", "减6", "933")],
        [Cell("第二十条第（六）项", 1, 4)],
        [Cell(x) for x in ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量")],
        [Cell(x) for x in ("行政处罚", "1520", "增88", "2764")],
        [Cell(x) for x in ("行政强制", "37", "减2", "119")],
        [Cell("第二十条第（八）项", 1, 4)],
        [Cell(x) for x in ("信息内容", "上一年项目数量", "本年增/减", "")],
        [Cell(x) for x in ("行政事业性收费", "23", "减4", "")],
        [Cell("第二十条第（九）项", 1, 4)],
        [Cell(x) for x in ("信息内容", "采购项目数量", "采购总金额", "")],
        [Cell(x) for x in ("政府集中采购", "486", "35612.5万元", "")],
    ]


def active_grid_2021() -> list[list[Cell]]:
    return [
        [Cell("第二十条第（一）项", 1, 4)],
        [Cell(x) for x in ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")],
        [Cell(x) for x in ("规章", "0", "0", "0")],
        [Cell(x) for x in ("行政规范性文件", "4", "2", "27")],
        [Cell("第二十条第（五）项", 1, 4)],
        [Cell("信息内容"), Cell("本年处理决定数量", 1, 3)],
        [Cell("行政许可"), Cell("6815", 1, 3)],
        [Cell("第二十条第（六）项", 1, 4)],
        [Cell("信息内容"), Cell("本年处理决定数量", 1, 3)],
        [Cell("行政处罚"), Cell("1377", 1, 3)],
        [Cell("行政强制"), Cell("58", 1, 3)],
        [Cell("第二十条第（八）项", 1, 4)],
        [Cell("信息内容"), Cell("本年收费金额（单位：万元）", 1, 3)],
        [Cell("行政事业性收费"), Cell("2318.6", 1, 3)],
    ]


# -- prose -------------------------------------------------------------------------------
QINGHE_TEXT = {
    "title": "青禾区人民政府2020年政府信息公开工作年度报告",
    "intro": "本报告根据《中华人民共和国政府信息公开条例》要求，由青禾区人民政府办公室编制。本报告所列数据的统计期限从2020年1月1日起至2020年12月31日止。",
    "overview": [
        "一、总体情况",
        "2020年，青禾区坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。",
        "（一）主动公开。全年通过区政府门户网站主动公开政府信息3862条，发布政策解读46篇，召开新闻发布会9场。",
        "（二）依申请公开。全年共收到政府信息公开申请160件，均在法定期限内答复。",
        "（三）平台建设。区政府门户网站开设“稳就业”专题，全区政务新媒体账号整合为23个。",
    ],
    "problems": [
        "五、存在的主要问题及改进情况",
        "（一）主要问题。一是政策解读形式较为单一，图解和视频解读偏少；二是基层政务公开专区建设不均衡；三是依申请公开答复文书规范性有待提高。",
        "（二）改进措施。一是丰富政策解读形式；二是推进基层政务公开专区标准化建设；三是开展答复文书评查。",
    ],
    "other": [
        "六、其他需要报告的事项",
        "本报告为评测用的合成样例，地区与数字均为虚构。本年度未收取信息处理费。",
    ],
}
YUNXI_TEXT = {
    "title": "云溪县人民政府2023年政府信息公开工作年度报告",
    "intro": "本报告由云溪县人民政府办公室根据《中华人民共和国政府信息公开条例》编制。报告中所列数据统计期限自2023年1月1日起至2023年12月31日止。",
    "overview": [
        "一、总体情况",
        "（一）主动公开情况。2023年，县政府门户网站主动公开各类政府信息1984条，公开县政府常务会议12期。",
        "（二）依申请公开情况。2023年全县受理政府信息公开申请60件，答复61件（含上年结转2件），结转下年度1件。",
        "（三）政府信息公开平台建设情况。全县在运维政务新媒体共计17个，全年开展政务新媒体检查4次。",
    ],
    "problems": [
        "五、存在的主要问题及改进情况",
        "主要问题：一是乡镇政务公开专区利用率不高；二是政策解读的通俗性有待提升。下一步，将推动专区进村入户，推广图解和短视频解读。",
    ],
    "other": [
        "六、其他需要报告的事项",
        "2023年，全年收取政府信息公开信息处理费0元。本报告为评测用的合成样例，地区与数字均为虚构。",
    ],
}


# -- renderers ---------------------------------------------------------------------------
def placements(grid: list[list[Cell]]) -> tuple[int, int, list[tuple[int, int, Cell]]]:
    """Where each cell sits in the full grid, honouring rowspan/colspan (HTML rules)."""
    taken: set[tuple[int, int]] = set()
    out, width = [], 0
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            width = max(width, c)
    height = max(r for r, _ in taken) + 1 if taken else 0
    return height, width, out


def html_table(grid: list[list[Cell]]) -> str:
    rows = []
    for row in grid:
        cells = []
        for cell in row:
            span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            cells.append(f"<td{span}>{html.escape(cell.text) or '&nbsp;'}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table border="1" cellspacing="0">\n' + "\n".join(rows) + "\n</table>"


def write_html(path: Path, text: dict, grids: list[tuple[str, list[list[Cell]]]]) -> None:
    body = [f"<h1>{text['title']}</h1>", f"<p>{text['intro']}</p>"]
    body += [f"<p>{line}</p>" for line in text["overview"]]
    for heading, grid in grids:
        body += [f"<p>{heading}</p>", html_table(grid)]
    body += [f"<p>{line}</p>" for line in text["problems"] + text["other"]]
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{text['title']}</title></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
    path.write_text(page, encoding="utf-8")


def docx_table(document, grid: list[list[Cell]]) -> None:
    height, width, cells = placements(grid)
    table = document.add_table(rows=height, cols=width)
    table.style = "Table Grid"
    for r, c, cell in cells:
        target = table.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        target.text = cell.text


def write_docx(path: Path, text: dict, grids: list[tuple[str, list[list[Cell]]]]) -> None:
    from docx import Document

    document = Document()
    document.core_properties.title = text["title"]
    document.add_paragraph(text["title"])
    document.add_paragraph(text["intro"])
    for line in text["overview"]:
        document.add_paragraph(line)
    for heading, grid in grids:
        document.add_paragraph(heading)
        docx_table(document, grid)
    for line in text["problems"] + text["other"]:
        document.add_paragraph(line)
    document.save(path)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for data in (QINGHE, YUNXI):
        check_identities(data)
    write_docx(
        OUT / "qinghe_2020_annual_report.docx",
        QINGHE_TEXT,
        [
            ("二、主动公开政府信息情况", active_grid_2019()),
            ("三、收到和处理政府信息公开申请情况", application_grid(QINGHE, "2019")),
            ("四、政府信息公开行政复议、行政诉讼情况", review_grid(QINGHE["review"])),
        ],
    )
    write_html(
        OUT / "yunxi_2023_annual_report.html",
        YUNXI_TEXT,
        [
            ("二、主动公开政府信息情况", active_grid_2021()),
            ("三、收到和处理政府信息公开申请情况", application_grid(YUNXI, "2021")),
            ("四、政府信息公开行政复议、行政诉讼情况", review_grid(YUNXI["review"])),
        ],
    )
    print(f"写入 {OUT}")


if __name__ == "__main__":
    main()
