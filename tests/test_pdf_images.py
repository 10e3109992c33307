"""Tables printed as pictures inside text PDFs: a real report whose statistical tables are
replaced by pictures of themselves (150 dpi, as web→PDF exports and pasted screenshots carry
them) keeps its text layer for the prose and headings; the pictures are read by the bundled
OCR and their cells take the table reader's path, screened like a scanned page's."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from evals.table_score import SHARED
from index.ocr import ocr_available

SOURCE = SHARED / "hongze_2024_annual_report.pdf"
GOLD = SHARED / "gold" / "hongze_2024_annual_report.json"
PICTURE_PAGES = (3, 4)  # 1-based: the pages holding 表一's end, 表三 and 表四
DPI = 150

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="rapidocr-onnxruntime 未安装")


def pictured(source: Path, numbers: tuple[int, ...]) -> bytes:
    """``source`` with every ruled table on the pages ``numbers`` replaced by a picture of
    itself: the table's text and rules are removed, the heading lines between stay text."""
    import pdfplumber
    import pypdfium2 as pdfium

    data = source.read_bytes()
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        regions = {n - 1: [t.bbox for t in plumber.pages[n - 1].find_tables()] for n in numbers}
    pdf = pdfium.PdfDocument(data)
    scale = DPI / 72
    for index, boxes in regions.items():
        page = pdf[index]
        height = page.get_height()
        image = page.render(scale=scale).to_pil()
        for obj in list(page.get_objects()):
            left, bottom, right, top = obj.get_bounds()
            x, y = (left + right) / 2, height - (bottom + top) / 2
            if any(b[0] - 1 <= x <= b[2] + 1 and b[1] - 1 <= y <= b[3] + 1 for b in boxes):
                page.remove_obj(obj)
        for x0, top, x1, bottom in boxes:
            picture = pdfium.PdfImage.new(pdf)
            crop = image.crop(tuple(round(v * scale) for v in (x0, top, x1, bottom)))
            picture.set_bitmap(pdfium.PdfBitmap.from_pil(crop))
            matrix = pdfium.PdfMatrix().scale(x1 - x0, bottom - top).translate(x0, height - bottom)
            picture.set_matrix(matrix)
            page.insert_obj(picture)
        page.gen_content()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf-pictures")
    name = "hongze-pictures_2024_annual_report.pdf"
    (out / name).write_bytes(pictured(SOURCE, PICTURE_PAGES))
    gold = json.loads(GOLD.read_text("utf-8"))
    (out / "gold.json").write_text(json.dumps({**gold, "file": name}, ensure_ascii=False), "utf-8")
    return out


def test_the_built_pdf_has_table_pictures_and_text_on_the_same_pages(folder):
    import pdfplumber

    from index.pdf_layout import table_pictures

    with pdfplumber.open(folder / "hongze-pictures_2024_annual_report.pdf") as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            found = table_pictures(page)
            assert bool(found) == (number in PICTURE_PAGES), number
            assert page.chars, number  # a text page, not a scan
            if number in PICTURE_PAGES:
                assert not page.find_tables(), number  # the tables are pictures only


def test_a_text_pdf_without_pictures_is_read_without_ocr(monkeypatch):
    import index.ocr
    import index.pdf_layout

    def refuse(*args, **kwargs):
        raise AssertionError("OCR called on a text PDF")

    monkeypatch.setattr(index.ocr, "read_scan", refuse)
    monkeypatch.setattr(index.ocr, "ocr_pdf_pages", refuse)
    layout, pages = index.pdf_layout.read_pdf_layout(SOURCE.read_bytes(), 50)
    assert pages == 5 and "image_ocr" not in layout.note and not layout.ocr


def test_a_background_picture_under_text_is_not_read():
    """A letterhead or background image the page's text is printed over holds no table."""

    class Page:
        width, height = 600.0, 800.0
        images = [{"x0": 0.0, "top": 0.0, "x1": 600.0, "bottom": 800.0}]
        chars = [{"x0": 50.0 + i, "top": 100.0, "x1": 60.0 + i, "bottom": 110.0} for i in range(40)]

    from index.pdf_layout import table_pictures

    assert table_pictures(Page()) == []
    Page.chars = Page.chars[:3]  # a caption over a screenshot
    assert table_pictures(Page()) == [(0.0, 0.0, 600.0, 800.0)]
    Page.images = [{"x0": 0.0, "top": 0.0, "x1": 150.0, "bottom": 800.0}]  # a side banner
    assert table_pictures(Page()) == []


@pytest.fixture(scope="module")
def score(folder):
    from benchmarks.bench_ocr import score_scan

    return score_scan(folder / "gold.json", folder)


@pytest.mark.slow
@needs_ocr
def test_the_pictures_cells_are_read_and_none_is_wrong(score):
    assert not score.wrong, score.wrong
    assert score.right >= 0.9 * score.total, (score.right, score.total)
    assert any(
        w.startswith("image_ocr: 第 3 页 2 张图片、第 4 页 3 张图片") for w in score.warnings
    )


@pytest.mark.slow
@needs_ocr
def test_the_pictures_lines_stand_between_the_headings(score):
    text = score.text.replace(" ", "")
    before, heading, after = text.partition("四、政府信息公开行政复议、行政诉讼情况")
    assert heading, "the text layer's heading is kept"
    assert "（七）总计" in before and "四、结转下年度继续办理" in before  # 表三, pictured above
    assert "五、存在的主要问题及改进情况" in after
    assert "行政诉讼" in after.partition("五、存在的主要问题")[0]  # 表四, pictured between


@pytest.mark.slow
@needs_ocr
def test_pictures_count_as_pages_for_progress_and_the_ocr_page_cap(folder):
    from index.pdf_layout import read_pdf_layout

    data = (folder / "hongze-pictures_2024_annual_report.pdf").read_bytes()
    seen: list[tuple[int, int]] = []
    layout, _ = read_pdf_layout(data, 50, max_ocr_pages=2, on_page=lambda *a: seen.append(a))
    assert sorted(seen) == [(1, 2), (2, 2)]
    assert "ocr_page_cap: 文中图片共 5 张，只识别前 2 张" in layout.note
    assert "image_ocr: 第 3 页 2 张图片；" in layout.note
    assert "四、政府信息公开行政复议" in layout.text  # the text layer is read in full


@needs_ocr
def test_pictures_past_the_ocr_time_limit_are_named(folder):
    from index.pdf_layout import read_pdf_layout

    data = (folder / "hongze-pictures_2024_annual_report.pdf").read_bytes()
    layout, _ = read_pdf_layout(data, 50, ocr_seconds=0.0)
    assert "ocr_time_limit: 第 3 页 2 张图片、第 4 页 3 张图片未在时限内识别" in layout.note
    assert "image_ocr" not in layout.note and not layout.ocr


def test_pictures_without_the_ocr_engine_are_named(folder, monkeypatch):
    import index.ocr
    from index.pdf_layout import read_pdf_layout

    monkeypatch.setattr(index.ocr, "ocr_available", lambda: False)
    data = (folder / "hongze-pictures_2024_annual_report.pdf").read_bytes()
    layout, _ = read_pdf_layout(data, 50)
    assert (
        "images_not_read: 未安装文字识别引擎，第 3 页 2 张图片、第 4 页 3 张图片未识别"
        in layout.note
    )
    assert "三、收到和处理政府信息公开申请情况" in layout.text
