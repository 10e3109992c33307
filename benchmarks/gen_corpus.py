"""Write a synthetic corpus of annual reports for scale tests, with gold cells.

    python -m benchmarks.gen_corpus --out var/scale/1000 --docs 1000 [--seed 1]

Reports of fictional regions and issuers (区/县/市 governments and their departments), years
2019–2025, in the official table format of their year (2019 format before 2021), rendered in
turn as crawler-style text (tab-separated table rows), HTML (rowspan/colspan), Markdown pipe
tables, Word tables and PDFs with ruled tables (matplotlib's PDF backend and a CJK system font,
e.g. Debian's fonts-wqy-microhei; wrapped labels, page numbers). Every figure is invented so that the template's identities hold; the
cells of each report go to ``gold.jsonl`` (one line per file: its name and its cells), so the
benchmark can score the table reader at scale. The prose says the report is synthetic.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

from evals.unseen.make_docs import (
    DENIED,
    NOT_PROCESSED,
    OTHER_2021,
    UNABLE,
    Cell,
    application_grid,
    check_identities,
    html_table,
    placements,
    review_grid,
)

SYLLABLES = "青禾云溪安宁和平长乐永定清河丰泽明德新华文昌兴隆嘉禾东湖西山南屏北苑福源瑞金"
SUFFIXES = ("区", "县", "市")
DEPARTMENTS = ("公安局", "财政局", "教育局", "民政局", "卫生健康委员会", "市场监督管理局",
               "自然资源局", "交通运输局", "司法局", "人力资源和社会保障局")  # fmt: skip
FORMS = ("txt", "html", "md", "docx", "pdf")
APPLICANT_COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def region_name(rng: random.Random) -> str:
    return "".join(rng.sample(SYLLABLES, 2)) + rng.choice(SUFFIXES)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _row(values: list[int]) -> list[int]:
    return [*values, sum(values)]


def applications(rng: random.Random, fmt: str, scale: int) -> dict:
    """Table 三 figures that satisfy every identity of the template."""
    rows = {"granted": 1, "partial": 1, "denied": len(DENIED), "unable": len(UNABLE),
            "not_processed": len(NOT_PROCESSED), "other": 3 if fmt == "2021" else 1}  # fmt: skip
    total = [rng.randint(0, scale if c == 0 else max(1, scale // 8)) for c in range(6)]
    carried = [rng.randint(0, t // 10) for t in total]
    next_year = [rng.randint(0, t // 10) for t in total]
    new = [t + n - c for t, n, c in zip(total, next_year, carried, strict=True)]
    count = sum(rows.values())
    splits = [_split(rng, t, count) for t in total]  # each column's total over the result rows
    out, k = {}, 0
    for name, n in rows.items():
        block = [_row([splits[c][k + i] for c in range(6)]) for i in range(n)]
        out[name] = block[0] if name in ("granted", "partial") else block
        k += n
    out.update(new=_row(new), carried=_row(carried), total=_row(total), next_year=_row(next_year))
    reviews: list[int] = []
    for _ in range(3):
        parts = [rng.randint(0, max(1, scale // 20)) for _ in range(4)]
        reviews += [*parts, sum(parts)]
    out["review"] = reviews
    check_identities(out)
    return out


def active(rng: random.Random, fmt: str) -> tuple[list[list[Cell]], dict]:
    """Table 二 as printed and its cells."""
    cells: dict[tuple[str, str], float] = {}
    if fmt == "2021":
        grid = [[Cell("第二十条第（一）项", 1, 4)],
                [Cell(x) for x in ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")]]  # fmt: skip
        for row in ("规章", "行政规范性文件"):
            values = [rng.randint(0, 9), rng.randint(0, 5), rng.randint(5, 80)]
            grid.append([Cell(row), *(Cell(str(v)) for v in values)])
            cells.update(
                {
                    (row, c): v
                    for c, v in zip(
                        ("本年制发件数", "本年废止件数", "现行有效件数"), values, strict=True
                    )
                }
            )
        for block, rows in (("（五）", ("行政许可",)), ("（六）", ("行政处罚", "行政强制"))):
            grid += [
                [Cell(f"第二十条第{block}项", 1, 4)],
                [Cell("信息内容"), Cell("本年处理决定数量", 1, 3)],
            ]
            for row in rows:
                value = rng.randint(0, 30000)
                grid.append([Cell(row), Cell(str(value), 1, 3)])
                cells[(row, "本年处理决定数量")] = value
        fee = round(rng.uniform(0, 5000), 2)
        grid += [[Cell("第二十条第（八）项", 1, 4)], [Cell("信息内容"), Cell("本年收费金额（单位：万元）", 1, 3)],
                 [Cell("行政事业性收费"), Cell(f"{fee:g}", 1, 3)]]  # fmt: skip
        cells[("行政事业性收费", "本年收费金额")] = fee
        return grid, cells
    grid = [[Cell("第二十条第（一）项", 1, 4)],
            [Cell(x) for x in ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量")]]  # fmt: skip
    for row in ("规章", "规范性文件"):
        values = [rng.randint(0, 9), rng.randint(0, 9), rng.randint(5, 80)]
        grid.append([Cell(row), *(Cell(str(v)) for v in values)])
        cells.update(
            {
                (row, c): v
                for c, v in zip(
                    ("本年新制作数量", "本年新公开数量", "对外公开总数量"), values, strict=True
                )
            }
        )
    for block, rows in (
        ("（五）", ("行政许可", "其他对外管理服务事项")),
        ("（六）", ("行政处罚", "行政强制")),
    ):
        grid += [[Cell(f"第二十条第{block}项", 1, 4)],
                 [Cell(x) for x in ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量")]]  # fmt: skip
        for row in rows:
            before, change, decided = (
                rng.randint(0, 500),
                rng.randint(-20, 20),
                rng.randint(0, 30000),
            )
            shown = f"增{change}" if change > 0 else f"减{-change}" if change < 0 else "0"
            grid.append([Cell(row), Cell(str(before)), Cell(shown), Cell(str(decided))])
            cells.update(
                {
                    (row, "上一年项目数量"): before,
                    (row, "本年增减"): change,
                    (row, "处理决定数量"): decided,
                }
            )
    return grid, cells


def gold_of(apps: dict, active_cells: dict, fmt: str) -> list[list]:
    out = [["主动公开", row, col, value] for (row, col), value in active_cells.items()]
    named = {"new": "本年新收", "carried": "上年结转", "granted": "予以公开", "partial": "部分公开",
             "total": "总计", "next_year": "结转下年度"}  # fmt: skip
    for key, row in named.items():
        out += [["依申请", row, c, v] for c, v in zip(APPLICANT_COLS, apps[key], strict=True)]
    groups = [("不予公开", DENIED, "denied"), ("无法提供", UNABLE, "unable"),
              ("不予处理", NOT_PROCESSED, "not_processed")]  # fmt: skip
    if fmt == "2021":
        groups.append(("其他处理", OTHER_2021, "other"))
    for group, labels, key in groups:
        for label, values in zip(labels, apps[key], strict=True):
            name = label.split(".", 1)[1]
            out += [
                ["依申请", f"{group}.{name}", c, v]
                for c, v in zip(APPLICANT_COLS, values, strict=True)
            ]
    if fmt == "2019":
        out += [
            ["依申请", "其他处理", c, v]
            for c, v in zip(APPLICANT_COLS, apps["other"][0], strict=True)
        ]
    rows = ("行政复议", "行政诉讼.未经复议直接起诉", "行政诉讼.复议后起诉")
    cols = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    out += [
        ["复议诉讼", r, c, apps["review"][5 * i + j]]
        for i, r in enumerate(rows)
        for j, c in enumerate(cols)
    ]
    return out


def prose(title: str, issuer: str, year: int, apps: dict) -> dict[str, list[str]]:
    received = apps["new"][6]
    return {
        "head": [title, f"本报告由{issuer}根据《中华人民共和国政府信息公开条例》编制，统计期限自{year}年1月1日起至{year}年12月31日止。"],
        "overview": ["一、总体情况", f"{year}年，{issuer}坚持以公开为常态、不公开为例外。全年共收到政府信息公开申请{received}件，均在法定期限内答复。"],
        "tail": ["五、存在的主要问题及改进情况", "一是政策解读形式较为单一；二是基层政务公开专区建设不均衡。",
                 "六、其他需要报告的事项", "本报告为规模测试用的合成样例，地区与数字均为虚构。"],
    }  # fmt: skip


HEADINGS = (
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
)


def grid_lines(grid: list[list[Cell]]) -> list[list[str]]:
    height, width, cells = placements(grid)
    rows = [[""] * width for _ in range(height)]
    for r, c, cell in cells:
        rows[r][c] = cell.text
    return rows


def docx_table(document, grid: list[list[Cell]]) -> None:
    """A Word table with merged cells (python-docx's ``table.cell`` rescans the whole table on
    every call: the cells are looked up once, before any merge)."""
    height, width, cells = placements(grid)
    table = document.add_table(rows=height, cols=width)
    table.style = "Table Grid"
    flat = table._cells
    for r, c, cell in cells:
        target = flat[r * width + c]
        if cell.rowspan > 1 or cell.colspan > 1:
            end = flat[(r + cell.rowspan - 1) * width + c + cell.colspan - 1]
            target = target.merge(end)
        target.text = cell.text


# -- PDF: A4 in points, text at absolute positions, every table cell ruled ---------------------
# Written by hand (a few ms per file; a plotting library spends seconds subsetting a CJK font).
# Text uses the standard CJK font STSong-Light, not embedded, with Identity-H codes and a
# ToUnicode map, as many office exports do: pdfplumber reads its characters and positions.
PAGE_W, PAGE_H, MARGIN = 595.0, 842.0, 56.0
BODY_PT, TABLE_PT, PAD = 10.5, 7.5, 2.5
ADVANCE = 1.0  # a CJK glyph's advance in ems (ASCII is declared half as wide)


def wrap(text: str, per_line: int) -> list[str]:
    per_line = max(1, per_line)
    return [text[i : i + per_line] for i in range(0, len(text), per_line)] or [""]


@dataclass
class TableLayout:
    size: float  # font size in points
    widths: list[float]
    heights: list[float]
    cells: list[tuple[int, int, Cell, list[str]]]  # row, column, cell, wrapped lines


def table_layout(grid: list[list[Cell]], total: float = PAGE_W - 2 * MARGIN) -> TableLayout:
    """Column widths from their single-column text (3–8 characters), a font size at which the
    widest figure fits, wrapped lines per cell, and row heights that hold them."""
    height, width, placed = placements(grid)
    weights = [3] * width
    for _r, c, cell in placed:
        if cell.colspan == 1:
            weights[c] = max(weights[c], min(8, len(cell.text)))
    size = min(TABLE_PT, (total - 2 * PAD * width) / (sum(weights) * ADVANCE))
    widths = [w * size * ADVANCE + 2 * PAD for w in weights]
    widths = [w * total / sum(widths) for w in widths]
    line = size * 1.25
    cells = []
    for r, c, cell in placed:
        room = sum(widths[c : c + cell.colspan]) - 2 * PAD
        cells.append((r, c, cell, wrap(cell.text, int(room / (size * ADVANCE) + 1e-6))))
    heights = [line + 2 * PAD] * height
    for r, _c, cell, lines in sorted(cells, key=lambda x: x[2].rowspan):
        need = len(lines) * line + 2 * PAD
        have = sum(heights[r : r + cell.rowspan])
        if have < need:
            heights[r + cell.rowspan - 1] += need - have
    return TableLayout(size, widths, heights, cells)


class PdfPageWriter:
    """Pages of one PDF: lines of text and ruled tables, top to bottom, then ``close``."""

    def __init__(self, path: Path):
        self.path = path
        self.pages: list[list[str]] = []
        self.y = PAGE_H  # forces a first page

    def _new_page(self) -> None:
        self.pages.append([])
        self.y = MARGIN
        number = f"- {len(self.pages)} -"
        self.text(
            PAGE_W / 2 - len(number) * BODY_PT * 0.4 / 2, PAGE_H - MARGIN / 2, number, BODY_PT * 0.8
        )

    def text(self, x: float, top: float, content: str, size: float) -> None:
        codes = "".join(f"{ord(ch):04X}" for ch in content if ord(ch) <= 0xFFFF)
        baseline = PAGE_H - top - size * 0.88
        self.pages[-1].append(f"BT /F1 {size:.2f} Tf {x:.2f} {baseline:.2f} Td <{codes}> Tj ET")

    def rule(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.pages[-1].append(f"{x0:.2f} {PAGE_H - y0:.2f} m {x1:.2f} {PAGE_H - y1:.2f} l S")

    def room(self, height: float) -> None:
        if self.y + height > PAGE_H - MARGIN:
            self._new_page()

    def paragraph(self, content: str) -> None:
        for line in wrap(content, int((PAGE_W - 2 * MARGIN) // (BODY_PT * ADVANCE))):
            self.room(BODY_PT * 1.6)
            self.text(MARGIN, self.y, line, BODY_PT)
            self.y += BODY_PT * 1.6

    def table(self, grid: list[list[Cell]]) -> None:
        layout = table_layout(grid)
        self.room(sum(layout.heights))
        xs = [MARGIN + sum(layout.widths[:c]) for c in range(len(layout.widths) + 1)]
        ys = [self.y + sum(layout.heights[:r]) for r in range(len(layout.heights) + 1)]
        line = layout.size * 1.25
        self.pages[-1].append("0.6 w")
        for r, c, cell, lines in layout.cells:
            x0, x1 = xs[c], xs[c + cell.colspan]
            y0, y1 = ys[r], ys[r + cell.rowspan]
            for edge in ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)):
                self.rule(*edge)
            top = y0 + (y1 - y0 - len(lines) * line) / 2
            for i, text in enumerate(lines):
                self.text(x0 + PAD, top + i * line, text, layout.size)
        self.y = ys[-1] + BODY_PT

    def close(self) -> None:
        self.path.write_bytes(pdf_bytes(self.pages))


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A PDF file from each page's content-stream operators."""
    import zlib

    to_unicode = "\n".join(
        ["/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
         "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
         "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
         "1 begincodespacerange <0000> <FFFF> endcodespacerange", "100 beginbfrange"]
        + [f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in range(100)]
        + ["endbfrange", "156 beginbfrange"]
        + [f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in range(100, 256)]
        + ["endbfrange", "endcmap CMapName currentdict /CMap defineresource pop end end"]
    )  # fmt: skip
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H"
        b" /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /FontDescriptor 5 0 R"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
        b" /DW 1000 /W [32 126 500] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
        _stream(to_unicode.encode("ascii"), zlib),
    ]
    kids = []
    for page in pages:
        objects.append(_stream("\n".join(page).encode("ascii"), zlib))
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W:g} {PAGE_H:g}]"
            f" /Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>".encode()
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _stream(data: bytes, zlib) -> bytes:
    packed = zlib.compress(data)
    return (
        f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode()
        + packed
        + b"\nendstream"
    )


def render_pdf(path: Path, text: dict, grids: list[list[list[Cell]]]) -> None:
    writer = PdfPageWriter(path)
    try:
        for line in text["head"] + text["overview"]:
            writer.paragraph(line)
        for heading, grid in zip(HEADINGS, grids, strict=True):
            writer.paragraph(heading)
            writer.table(grid)
        for line in text["tail"]:
            writer.paragraph(line)
    finally:
        writer.close()


def render(form: str, path: Path, text: dict, grids: list[list[list[Cell]]]) -> None:
    if form == "pdf":
        render_pdf(path, text, grids)
        return
    if form == "docx":
        from docx import Document

        document = Document()
        for line in text["head"] + text["overview"]:
            document.add_paragraph(line)
        for heading, grid in zip(HEADINGS, grids, strict=True):
            document.add_paragraph(heading)
            docx_table(document, grid)
        for line in text["tail"]:
            document.add_paragraph(line)
        document.save(path)
        return
    parts = text["head"] + text["overview"]
    if form == "html":
        body = [f"<p>{line}</p>" for line in parts]
        for heading, grid in zip(HEADINGS, grids, strict=True):
            body += [f"<p>{heading}</p>", html_table(grid)]
        body += [f"<p>{line}</p>" for line in text["tail"]]
        page = f"<html><head><meta charset='utf-8'><title>{text['head'][0]}</title></head><body>{''.join(body)}</body></html>"
        path.write_text(page, "utf-8")
        return
    lines = list(parts)
    for heading, grid in zip(HEADINGS, grids, strict=True):
        lines.append(heading)
        for row in grid_lines(grid):
            lines.append("| " + " | ".join(row) + " |" if form == "md" else "\t".join(row))
    lines += text["tail"]
    path.write_text("\n".join(lines) + "\n", "utf-8")


def generate(out: Path, docs: int, seed: int = 1) -> Path:
    """Write ``docs`` reports and ``gold.jsonl`` into ``out``; returns the gold file."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    regions = sorted({region_name(rng) for _ in range(max(4, docs // 10))})
    gold_lines = []
    for i in range(docs):
        region = rng.choice(regions)
        department = rng.choice(("", *DEPARTMENTS))
        issuer = f"{region}{department}" if department else f"{region}人民政府"
        year = rng.randint(2019, 2025)
        fmt = "2021" if year >= 2021 else "2019"
        apps = applications(rng, fmt, rng.choice((10, 60, 400, 3000)))
        active_grid, active_cells = active(rng, fmt)
        title = f"{issuer}{year}年政府信息公开工作年度报告"
        grids = [active_grid, application_grid(apps, fmt), review_grid(apps["review"])]
        form = FORMS[i % len(FORMS)]
        name = f"{i:05d}_{year}_annual_report.{form}"
        render(form, out / name, prose(title, issuer, year, apps), grids)
        gold_lines.append(json.dumps({"file": name, "region": region, "issuer": issuer, "year": year,
                                      "cells": gold_of(apps, active_cells, fmt)}, ensure_ascii=False))  # fmt: skip
    gold = out / "gold.jsonl"
    gold.write_text("\n".join(gold_lines) + "\n", "utf-8")
    return gold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    gold = generate(args.out, args.docs, args.seed)
    print(f"写入 {args.docs} 份报告与金标准 {gold}")


if __name__ == "__main__":
    main()
