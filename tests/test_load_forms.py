"""Every input form staff bring: encodings, saved web pages, crawler text, PDF layout, docx."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from index.clean import clean_text
from index.load import check_zip_size, decode_text, load_file
from index.models import Fact, IngestError
from index.pdf_layout import PageLayout, Piece, drop_running_lines, join_cell_lines
from index.pipeline import build_document
from index.provenance import locate_facts, to_clean_boxes
from tests.conftest import REPO, SAMPLE_DIR

DEV = REPO.parent / "shared" / "realdocs" / "dev"
HTML_REPORT = DEV / "pingtan-shehuishiyeju-html_2023_annual_report.html"
CRAWLED = DEV / "pingtan-gonganju_2024_annual_report.txt"
CRAWLED_WITH_CHROME = DEV / "pingtan-jingjifazhanju_2020_annual_report.txt"
HUAIAN_PDF = SAMPLE_DIR / "huaian_2024_annual_report.pdf"

pytestmark = pytest.mark.skipif(not DEV.exists(), reason="dev corpus not mounted")


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
        ("gbk", b""),
        ("gb18030", b""),
        ("utf-8", b"\xef\xbb\xbf"),
    ],
)
def test_every_encoding_loads_the_same_text(tmp_path, encoding, bom):
    original = load_file(CRAWLED).text
    path = tmp_path / "report.txt"
    path.write_bytes(bom + CRAWLED.read_text(encoding="utf-8").encode(encoding))
    loaded = load_file(path)
    assert loaded.text == original and not loaded.warnings


def test_binary_junk_is_still_not_taken_for_utf16():
    text, _ = decode_text(bytes(range(256)) * 40)
    assert "\ufffd" in text  # undecodable, not silently read as UTF-16


# --- HTML ------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return text.split("\n")


def test_html_cell_labels_split_across_paragraphs_are_joined():
    lines = _lines(load_file(HTML_REPORT).text)
    assert lines[0] == "平潭综合实验区社会事业局2023年政府信息公开工作年度报告"
    cells = {cell for line in lines if "\t" in line for cell in line.split("\t")}
    # 表三 group labels printed in two <p> and 表四 headers one character per <p>.
    assert {"（三）不予公开", "（四）无法提供", "商业企业", "科研机构", "结果维持"} <= cells
    assert not any(re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", c) for c in cells)
    new = next(line for line in lines if line.startswith("一、本年新收"))
    assert new.split("\t")[3:] == ["1", "0", "0", "0", "0", "0", "1"]


def _article_html() -> str:
    html = HTML_REPORT.read_text(encoding="utf-8")
    return html[html.index("<div class=TRS_Editor>") : html.rindex("</body>")]


CHROME_WORDS = [
    "网站首页",
    "机构设置",
    "当前位置",
    "打印本页",
    "版权所有",
    "ICP",
    "扫一扫",
    "相关链接",
]


def _chrome_page(article: str, layout_table: bool) -> str:
    nav = "".join(f'<li><a href="/{i}">{w}</a></li>' for i, w in enumerate(
        ["网站首页", "机构设置", "政务公开", "政务服务", "互动交流", "走进平潭"]))  # fmt: skip
    related = "".join(f'<li><a href="/r{i}">平潭综合实验区{i}号通知全文</a></li>' for i in range(6))
    head = (
        '<html><head><meta charset="utf-8"><title>平潭综合实验区社会事业局2023年政府信息公开工作'
        "年度报告_平潭综合实验区管委会</title><script>var a = '当前位置';</script></head><body>"
    )
    top = (
        f'<div class="top"><ul>{nav}</ul></div>'
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>'
        "<h1>平潭综合实验区社会事业局2023年政府信息公开工作年度报告</h1>"
        '<div class="info">发布时间：2024-01-26 来源：社会事业局 浏览次数：120</div>'
    )
    tail = (
        '<div class="share">分享到：<a>微信</a><a>微博</a><a>QQ空间</a> 【打印本页】【关闭窗口】</div>'
        f'<div class="related"><h3>相关链接</h3><ul>{related}</ul></div>'
        '<div class="foot"><p>主办单位：平潭综合实验区管委会 版权所有</p>'
        "<p>闽ICP备12345678号 网站标识码3501000000 扫一扫在手机上查看</p></div>"
    )
    if layout_table:
        body = (
            f"<table><tr><td>{top}</td></tr><tr><td width=200>{nav}</td>"
            f"<td>{article}</td></tr><tr><td>{tail}</td></tr></table>"
        )
    else:
        body = f'{top}<div class="main"><div class="left">{article}</div>{tail}</div>'
    return f"{head}{body}</body></html>"


@pytest.mark.parametrize("layout_table", [False, True])
def test_article_is_found_inside_site_chrome(tmp_path, layout_table):
    bare = load_file(HTML_REPORT).text
    page = tmp_path / "page.html"
    page.write_text(_chrome_page(_article_html(), layout_table), encoding="utf-8")
    text = load_file(page).text
    body = bare.split("\n", 1)[1]  # the bare file's first line is its <title>
    assert body in text
    assert text.startswith("平潭综合实验区社会事业局2023年政府信息公开工作年度报告\n")
    assert not [w for w in CHROME_WORDS if w in text]


def test_word_exported_html(tmp_path):
    page = tmp_path / "word.htm"
    page.write_bytes(
        (
            "<html xmlns:o='urn:schemas-microsoft-com:office:office'><head>"
            "<!--[if gte mso 9]><xml><w:WordDocument>忽略</w:WordDocument></xml><![endif]-->"
            "<style>p.MsoNormal{}</style></head><body lang=ZH-CN><div class=WordSection1>"
            "<p class=MsoNormal><span>二、主动公开政府信息情况<o:p></o:p></span></p>"
            "<table class=MsoNormalTable><tr><td><p class=MsoNormal><span>行政</span></p>\r\n"
            "<p class=MsoNormal><span>许</span></p><p><span>可</span></p></td>"
            "<td><p class=MsoNormal><span lang=EN-US>12</span><span lang=EN-US>3<o:p></o:p>"
            "</span></p></td><td><p class=MsoNormal><span lang=EN-US>&nbsp;<o:p></o:p></span>"
            "</p></td></tr></table><p class=MsoNormal><span>本年度共收到申请\r\n"
            "件数如上。<o:p>&nbsp;</o:p></span></p></div></body></html>"
        ).encode("gb18030")
    )
    assert _lines(load_file(page).text) == [
        "二、主动公开政府信息情况",
        "行政许可\t123\t",
        "本年度共收到申请件数如上。",
    ]


def test_large_rowspan_table_is_expanded_exactly(tmp_path):
    rows = ['<tr><td rowspan="3000">组</td><td>1</td><td colspan=2>a</td></tr>']
    rows += [f"<tr><td>{i}</td><td>b</td><td>c</td></tr>" for i in range(2, 3001)]
    page = tmp_path / "big.html"
    page.write_text(f"<html><body><table>{''.join(rows)}</table></body></html>", "utf-8")
    lines = _lines(load_file(page).text)
    assert len(lines) == 3000
    assert lines[0] == "组\t1\ta\t" and lines[-1] == "\t3000\tb\tc"


# --- crawler text ----------------------------------------------------------------------------


def test_crawler_body_on_one_line_keeps_the_report_and_loses_the_chrome():
    raw = load_file(CRAWLED_WITH_CHROME).text
    cleaned = clean_text(raw).text
    body = raw.split("==== 正文 ====================\n", 1)[1]
    start = body.index("根据《中华人民共和国政府信息公开条例》")
    end = body.index("2020年1月26日印发")
    assert body[start:end] in cleaned  # every character of the report itself
    for chrome in ("当前位置", "微信 微博", "QQ空间", "全真版", "时间：2021-01-27", "-->"):
        assert chrome not in cleaned
    lines = _lines(cleaned)
    assert lines[0].startswith("标题: ") and lines[1] == "发布时间: 2021-01-27 08:33"
    assert not any(re.match(r"^(文号|发布机构)\s*[:：]\s*$", line) for line in lines)


@pytest.mark.parametrize("path", sorted(DEV.glob("pingtan*.txt")), ids=lambda p: p.name)
def test_crawler_report_text_is_never_dropped(path):
    raw = load_file(path).text
    cleaned = clean_text(raw).text
    body = raw.split("正文 ====================\n", 1)[1]
    # Everything of the body but chrome spans survives: its digits (the tables) in order.
    digits = "".join(re.findall(r"\d", body))
    chrome_digits = "".join(re.findall(r"\d", "".join(re.findall(r"时间：[\d\- :]+", body))))
    assert "".join(re.findall(r"\d", cleaned.split("正文 ====================\n", 1)[1])) in (
        digits,
        digits.replace(chrome_digits, "", 1),
    )


def test_site_footer_lines_are_removed_but_table_lines_kept():
    raw = "正文第一段。\n版权所有：某某市人民政府办公室 闽ICP备05002016号\n行政许可\t©\t3\n"
    assert clean_text(raw).text == "正文第一段。\n行政许可\t©\t3\n"


# --- PDF -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huaian():
    return load_file(HUAIAN_PDF)


def test_pdf_tables_become_tab_joined_rows(huaian):
    lines = _lines(huaian.text)
    assert "一、本年新收政府信息公开申请数量\t\t\t3001\t53\t0\t0\t61\t4\t3119" in lines
    assert "行政许可\t447228\t\t" in lines
    # Vertical label and wrapped labels joined back; a table row continued on the next page.
    assert any(line.startswith("三、本年度办理结果\t（一）予以公开\t") for line in lines)
    assert "\t法提供\t2.没有现成信息需要另行制作\t11\t0\t0\t0\t0\t0\t11" in lines
    assert "72\t64\t178\t37\t351\t13\t4\t8\t1\t26\t12\t1\t1\t6\t20" in lines


def test_pdf_keeps_pages_and_cell_boxes(huaian):
    import pdfplumber

    assert [n for _, n in huaian.pages] == [1, 2, 3, 4, 5, 6]
    start = huaian.text.index("447228")
    box = next(b for b in huaian.boxes if b[0] == start)
    assert box[1] == start + 6 and box[2] == 3
    with pdfplumber.open(HUAIAN_PDF) as pdf:
        assert pdf.pages[2].crop(box[3:]).extract_text().strip() == "447228"


def test_pdf_page_cap(tmp_path):
    loaded = load_file(HUAIAN_PDF, max_pages=2)
    assert len(loaded.pages) == 2 and any("pdf_page_cap" in w for w in loaded.warnings)
    assert "447228" not in loaded.text


def test_running_headers_and_page_numbers_are_dropped():
    pages = [
        PageLayout(n, 800.0, [Piece(20, "某某市人民政府文件", (0, 20, 9, 30)),
                              Piece(400, f"正文第{n}页", (0, 400, 9, 410)),
                              Piece(780, f"— {n} —", (0, 780, 9, 790))])
        for n in range(1, 5)
    ]  # fmt: skip
    drop_running_lines(pages)
    assert [[p.text for p in page.pieces] for page in pages] == [
        [f"正文第{n}页"] for n in range(1, 5)
    ]


def test_cell_lines_join_without_spaces_between_chinese():
    assert join_cell_lines("（三）不\n予公开") == "（三）不予公开"
    assert join_cell_lines("结 果\n维持") == "结果维持"
    assert join_cell_lines("Col 2\nabc") == "Col 2 abc"
    assert join_cell_lines(None) == ""


def test_facts_get_page_and_bbox_from_their_cell():
    built = build_document(HUAIAN_PDF, 20 * 1024 * 1024)
    loaded = load_file(HUAIAN_PDF)
    cleaned = clean_text(loaded.text, join_wrapped_lines=True)
    assert cleaned.text == built.doc.text
    start = cleaned.text.index("447228")
    fact = Fact(built.doc.doc_id, "主动公开", "行政许可", "本年处理决定数量", 447228.0,
                start=start - 5, end=start + 6, cell_start=start, cell_end=start + 6)  # fmt: skip
    blank = Fact(built.doc.doc_id, "主动公开", "行政许可", "x", None, blank=True,
                 start=start - 5, end=start + 6, cell_start=start + 7, cell_end=start + 7)  # fmt: skip
    locate_facts([fact, blank], to_clean_boxes(loaded.boxes, cleaned), built.doc)
    assert fact.page == 3 and fact.bbox is not None and fact.bbox[2] > fact.bbox[0]
    assert blank.page == 3 and blank.bbox is None


# --- docx ------------------------------------------------------------------------------------


def test_docx_decompression_is_capped(tmp_path, monkeypatch):
    template = (DEV / "blank-template_2021_annual_report.docx").read_bytes()
    check_zip_size(Path("t.docx"), template)  # the real file passes
    with pytest.raises(IngestError, match="解压后过大"):
        check_zip_size(Path("t.docx"), template, limit=1000)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (2 * 1024 * 1024))
    monkeypatch.setattr("index.load.MAX_UNZIPPED_BYTES", 1024 * 1024)
    path = tmp_path / "bomb.docx"
    path.write_bytes(bomb.getvalue())
    with pytest.raises(IngestError, match="bomb.docx.*解压后过大"):
        load_file(path)


def test_article_search_stops_before_a_wrapped_table(tmp_path):
    rows = "".join(
        f"<tr><td>{label}</td><td>{n}</td></tr>"
        for label, n in [
            ("一、本年新收政府信息公开申请数量", 5),
            ("二、上年结转政府信息公开申请数量", 1),
        ]
        * 20
    )
    page = tmp_path / "short.html"
    page.write_text(
        '<html><body><div class="nav"><a href="/">首页</a></div><div class="article">'
        "<p>一、总体情况</p><p>全年工作平稳。</p><p>三、收到和处理政府信息公开申请情况</p>"
        f'<div class="table-wrap"><table>{rows}</table></div></div></body></html>',
        encoding="utf-8",
    )
    lines = _lines(load_file(page).text)
    assert lines[:3] == ["一、总体情况", "全年工作平稳。", "三、收到和处理政府信息公开申请情况"]
    assert len(lines) == 43 and "首页" not in lines


def test_letter_spacing_closes_but_word_spaces_stay():
    assert join_cell_lines("区卫生健康局 区民政局") == "区卫生健康局 区民政局"
    assert join_cell_lines("信 息 内 容") == "信息内容"


def test_pdf_falls_back_to_the_text_stream_when_the_layout_reader_fails(monkeypatch):
    def broken(data, max_pages):
        raise ValueError("layout")

    monkeypatch.setattr("index.pdf_layout.read_pdf_layout", broken)
    loaded = load_file(HUAIAN_PDF)
    assert any("pdf_layout_failed" in w for w in loaded.warnings)
    assert "3119" in loaded.text and not loaded.boxes and len(loaded.pages) == 6


@pytest.mark.parametrize("name", sorted(p.name for p in DEV.glob("kgc-test_*.html")))
def test_peer_html_fixtures_load_as_grids(name):
    lines = _lines(load_file(DEV / name).text)
    new = next(line for line in lines if line.startswith("一、本年新收"))
    assert len(new.split("\t")) == 10 and new.split("\t")[1:3] == ["", ""]
    review = [line for line in lines if line.startswith("行政复议\t")]
    assert review and len(review[0].split("\t")) == 15


def test_generic_page_chrome_goes_and_report_lines_stay():
    raw = (
        "首页 > 政务公开 > 政府信息公开年报\n"
        "【字体：大 中 小】 【打印本页】 【关闭窗口】\n"
        "某某区2024年政府信息公开工作年度报告\n"
        "一、总体情况 分享到： 微信 微博 QQ空间\n"
        "行政许可\t12\t\n"
        "本年共办理申请3件，关闭窗口期延长至30日。\n"
        "扫一扫在手机打开当前页\n"
        "Copyright © 2024 某某区人民政府 版权所有\n"
    )
    assert clean_text(raw).text == (
        "某某区2024年政府信息公开工作年度报告\n"
        "一、总体情况 \n"
        "行政许可\t12\t\n"
        "本年共办理申请3件，关闭窗口期延长至30日。\n"
    )


def test_layout_table_cells_are_blocks_and_data_tables_stay_grids(tmp_path):
    side = "".join(f"<p>本站栏目说明第{i}条：政务公开、政务服务、互动交流。</p>" for i in range(40))
    page = tmp_path / "layout.html"
    page.write_text(
        f"<html><body><table><tr><td>{side}</td><td>{_article_html()}</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    text = load_file(page).text
    assert load_file(HTML_REPORT).text.split("\n", 1)[1] in text


def test_site_logo_heading_is_not_taken_for_the_title(tmp_path):
    page = tmp_path / "logo.html"
    page.write_text(
        "<html><head><title>平潭综合实验区社会事业局2023年政府信息公开工作年度报告_平潭综合实验区"
        f"</title></head><body><h1>平潭综合实验区管委会</h1>{_article_html()}</body></html>",
        encoding="utf-8",
    )
    first = load_file(page).text.split("\n")[0]
    assert first == "平潭综合实验区社会事业局2023年政府信息公开工作年度报告"


def test_pages_with_too_many_graphics_are_read_as_text_only(monkeypatch):
    monkeypatch.setattr("index.pdf_layout.MAX_PAGE_GRAPHICS", 10)
    loaded = load_file(HUAIAN_PDF)
    assert "\t" not in loaded.text and "447228" in loaded.text


def test_docx_cell_paragraphs_join_like_printed_labels(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.rows[0].cells[0].text = "（三）"
    table.rows[0].cells[0].add_paragraph("不予公开")
    table.rows[0].cells[1].text = "区卫生健康局 区民政局"
    table.rows[0].cells[2].text = "12"
    document.save(tmp_path / "cells.docx")
    assert load_file(tmp_path / "cells.docx").text == "（三）不予公开\t区卫生健康局 区民政局\t12"
    template = load_file(DEV / "blank-template_2021_annual_report.docx").text.split("\n")
    # Merged header cells keep their columns: every 表三 line has the 10 grid positions.
    assert "\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计" in template


def test_big5_text_is_read_as_big5_with_a_warning_not_as_mojibake():
    from index.load import decode_text

    traditional = (
        "臺灣省政府資訊公開工作年度報告。本年度共收到政府資訊公開申請三百件，依法予以公開。"
    )
    text, warnings = decode_text(traditional.encode("big5"))
    assert text == traditional and warnings and warnings[0].startswith("big5_encoding")
    simplified = (REPO / "data" / "sample" / "laiwu_2020_annual_report.txt").read_text("utf-8")
    assert decode_text(simplified.encode("gb18030")) == (simplified, [])
