"""Images as inputs: PNG/JPEG/TIFF files, tables printed as pictures in docx and in saved web pages.

The pictures are made here from a real report PDF (its pages rendered with pypdfium2 at 150 dpi,
as a scanner or a screenshot would), and the cells read are compared with that PDF's gold.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from pathlib import Path

import pytest

from evals.table_score import SHARED, canon, gold_cells
from index.images import OcrLimits, read_image_file, sniff_image
from index.load import load_file
from index.models import IngestError
from index.ocr import ocr_available
from ui.library import check_upload

PDF = SHARED / "hongze_2024_annual_report.pdf"
GOLD = SHARED / "gold" / "hongze_2024_annual_report.json"
DPI = 150
needs_ocr = pytest.mark.skipif(
    not ocr_available() or not GOLD.exists(),
    reason=f"rapidocr-onnxruntime 未安装，或没有真实 PDF {GOLD}",
)


def _page(index: int):
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(PDF))
    try:
        image = document[index].render(scale=DPI / 72).to_pil().convert("L")
    finally:
        document.close()
    return image


def _crop(index: int, top: float, bottom: float):
    """A band of a page between two heights in PDF points (a table as a screenshot)."""
    image = _page(index)
    return image.crop((0, int(top * DPI / 72), image.width, int(bottom * DPI / 72)))


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _scored(facts) -> tuple[list[str], int, dict]:
    """(wrong cells, cells read right, gold cells) of table facts against the report's gold."""
    want = gold_cells(json.loads(GOLD.read_text("utf-8")))
    wrong, right = [], 0
    for fact in facts:
        if fact.origin == "text" or fact.value is None:
            continue
        key = canon(fact.table, fact.row, fact.col)
        if key in want:
            if abs(want[key] - fact.value) > 1e-6:
                wrong.append(f"{key}: gold {want[key]} read {fact.value}")
            else:
                right += 1
    return wrong, right, want


# -- file types, sniffed by their bytes (fast) ------------------------------------------------
def test_uploads_accept_images_by_their_bytes_and_refuse_a_renamed_text(tmp_path):
    from PIL import Image

    image = Image.new("L", (40, 30), 255)
    for suffix, kind in ((".png", "PNG"), (".jpg", "JPEG"), (".jpeg", "JPEG"), (".tif", "TIFF")):
        path = tmp_path / f"scan{suffix}"
        image.save(path, kind)
        assert sniff_image(path.read_bytes()) == kind
        check_upload(path, path.name, 10**6)  # accepted
    fake = tmp_path / "报告.png"
    fake.write_text("二、主动公开政府信息情况", encoding="utf-8")
    with pytest.raises(IngestError) as refused:
        check_upload(fake, fake.name, 10**6)
    assert refused.value.path == "报告.png" and "不是 PNG/JPEG/TIFF 图片" in refused.value.reason
    with pytest.raises(IngestError) as refused:
        load_file(fake)  # the CLI path says the same, naming the file
    assert str(fake) in str(refused.value) and "PNG/JPEG/TIFF" in str(refused.value)


def _png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and header declaring a huge raster, with one tiny data chunk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [8_000, 100_000])  # over our limit; over PIL's
def test_a_decompression_bomb_is_refused_before_decoding(tmp_path, side):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(side, side))
    with pytest.raises(IngestError) as refused:
        load_file(path, limits=OcrLimits(max_pixels=50_000_000))
    assert str(path) in str(refused.value) and "像素数过大" in refused.value.reason


def test_the_pixel_limit_is_a_setting(tmp_path, monkeypatch):
    from PIL import Image

    path = tmp_path / "wide.png"
    Image.new("L", (300, 200), 255).save(path)
    monkeypatch.setenv("GONGKAI_MAX_IMAGE_PIXELS", "50000")
    with pytest.raises(IngestError) as refused:
        load_file(path)
    assert "300×200" in refused.value.reason and "上限 50000 像素" in refused.value.reason


# -- image files read by OCR -------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiff(tmp_path_factory) -> Path:
    """The report's pages with its three tables (pages 2–4) as one multi-page TIFF."""
    path = tmp_path_factory.mktemp("tiff") / "hongze_scan.tiff"
    pages = [_page(i) for i in (1, 2, 3)]
    pages[0].save(path, save_all=True, append_images=pages[1:])
    return path


@pytest.mark.slow
@needs_ocr
def test_a_multi_page_tiff_is_read_page_by_page_without_a_wrong_cell(tiff):
    from index.pipeline import build_document

    seen: list[tuple[int, int]] = []
    built = build_document(tiff, 50_000_000, on_page=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert "ocr_pages: 1、2、3" in built.doc.warnings
    assert [number for _, number in built.doc.pages] == [1, 2, 3]
    assert "行政许可" in built.doc.text
    wrong, right, _ = _scored(built.facts)
    assert not wrong, wrong
    assert right >= 60, right
    # Boxes are in points of the page image read at 150 dpi: inside the page.
    width, height = (side * 72 / DPI for side in _page(2).size)
    located = [f for f in built.facts if f.bbox]
    assert located and all(1 <= f.page <= 3 for f in located)
    assert all(0 <= f.bbox[0] < f.bbox[2] <= width and f.bbox[3] <= height for f in located)


@pytest.mark.slow
@needs_ocr
def test_page_and_time_limits_name_what_was_left(tmp_path):
    band = _crop(2, 170, 235)  # 行政处罚 2776 / 行政强制 84
    path = tmp_path / "bands.tif"
    band.save(path, save_all=True, append_images=[band.copy(), band.copy()])
    data = path.read_bytes()
    layout, warnings = read_image_file(str(path), data, OcrLimits(max_pages=2))
    assert [number for _, number in layout.pages] == [1, 2]
    assert any(w.startswith("ocr_page_cap: 图片共 3 页，只识别前 2 页") for w in warnings)
    assert "2776" in layout.text
    single = tmp_path / "band.png"
    band.save(single)
    with pytest.raises(IngestError) as late:
        read_image_file(str(single), single.read_bytes(), OcrLimits(seconds=0))
    assert late.value.path == str(single) and "秒时限内完成" in late.value.reason


# -- pictures inside docx and HTML -------------------------------------------------------------
@pytest.mark.slow
@needs_ocr
def test_a_table_printed_as_pictures_in_a_docx_is_read(tmp_path):
    import docx
    from docx.shared import Cm

    from index.pipeline import build_document

    document = docx.Document()
    document.add_paragraph("淮安市洪泽区人民政府2024年政府信息公开工作年度报告")
    document.add_paragraph("二、主动公开政府信息情况")
    # The 主动公开 table runs over two pages: two pictures, as a page would paste them.
    for index, top, bottom in ((1, 500, 760), (2, 90, 345)):
        document.add_picture(io.BytesIO(_png(_crop(index, top, bottom))), width=Cm(15))
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    path = tmp_path / "hongze_pictures.docx"
    document.save(path)
    built = build_document(path, 50_000_000)
    text = built.doc.text
    assert text.index("二、主动公开") < text.index("行政许可") < text.index("行政处罚")
    assert text.index("行政事业性收费") < text.index("三、收到和处理")
    assert any(w.startswith("image_ocr: 已离线识别 2 张图片") for w in built.doc.warnings)
    wrong, right, want = _scored(built.facts)
    assert not wrong, wrong
    in_pictures = [k for k in want if k[0] == "主动公开"]
    assert right >= 0.8 * len(in_pictures), (right, len(in_pictures))


@pytest.mark.slow
@needs_ocr
def test_a_saved_page_reads_its_images_in_place_and_names_the_missing_ones(tmp_path):
    page = tmp_path / "site" / "报告.html"
    folder = page.parent / "报告_files"  # beside the page, as browsers save it
    folder.mkdir(parents=True)
    (folder / "表一.png").write_bytes(_png(_crop(2, 170, 235)))  # 行政处罚 / 行政强制
    inline = base64.b64encode(_png(_crop(2, 315, 345))).decode()  # 行政事业性收费 7545
    (tmp_path / "secret.png").write_bytes(_png(_crop(1, 580, 640)))
    page.write_text(
        "<html><body><div><h1>洪泽区2024年政府信息公开工作年度报告</h1>"
        "<p>二、主动公开政府信息情况</p>"
        '<p><img src="%E6%8A%A5%E5%91%8A_files/%E8%A1%A8%E4%B8%80.png"></p>'
        f'<p><span><img src="data:image/png;base64,{inline}"></span></p>'
        '<p><img src="../secret.png"><img src="报告_files/表二.png">'
        '<img src="http://www.example.gov.cn/表三.png"><img src="dot.gif" width="1"></p>'
        "<p>三、收到和处理政府信息公开申请情况</p></div></body></html>",
        encoding="utf-8",
    )
    loaded = load_file(page)
    text = loaded.text
    assert text.index("二、主动公开") < text.index("2776") < text.index("7545")
    assert text.index("7545") < text.index("三、收到和处理")
    assert "行政规范性文件" not in text  # the picture outside the page's folder is not read
    missing = next(w for w in loaded.warnings if w.startswith("images_missing"))
    for name in ("../secret.png", "报告_files/表二.png", "http://www.example.gov.cn/表三.png"):
        assert name in missing
    assert "dot.gif" not in missing  # declared 1 px wide: a spacer, not a picture of text
    spans = [text[s:e] for s, e, _ in loaded.ocr]
    assert "2776" in spans and "7545" in spans  # each OCR'd cell keeps its confidence


# -- progress ----------------------------------------------------------------------------------
@pytest.mark.slow
@needs_ocr
def test_page_progress_reaches_the_upload_bar_through_the_worker_process(tmp_path):
    from index.isolation import IsolatedBuilder
    from index.stores.sqlite import SQLiteStore
    from ui.library import ingest_uploads

    scan = tmp_path / "incoming" / "洪泽区年报第3页.png"
    scan.parent.mkdir()
    _page(2).save(scan)
    steps: list[tuple[float, str]] = []
    builder = IsolatedBuilder(300)
    try:
        outcomes = ingest_uploads(
            [(scan, scan.name)], SQLiteStore(tmp_path / "home" / "db.sqlite3"), [],
            tmp_path / "uploads", 50_000_000,
            progress=lambda fraction, message: steps.append((fraction, message)),
            build=builder,
        )  # fmt: skip
    finally:
        builder.close()
    assert outcomes[0].ok, outcomes[0].message
    assert "个数字" in outcomes[0].message
    pages = [(f, m) for f, m in steps if "文字识别" in m]
    assert pages == [(0.5, "正在入库 1/1：洪泽区年报第3页.png，第 1/1 页 文字识别")]
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions)


def test_a_folder_ingest_reads_a_saved_pages_images_with_the_page_not_alone(tmp_path):
    from PIL import Image

    from index.pipeline import collect_files

    (tmp_path / "报告_files").mkdir()
    (tmp_path / "报告.html").write_text("<p>年度报告</p>", encoding="utf-8")
    Image.new("L", (40, 30), 255).save(tmp_path / "报告_files" / "表一.png")
    Image.new("L", (40, 30), 255).save(tmp_path / "扫描件.png")
    (tmp_path / "照片_files").mkdir()  # no page of that name beside it: its own files
    Image.new("L", (40, 30), 255).save(tmp_path / "照片_files" / "第1页.jpg", "JPEG")
    names = [p.relative_to(tmp_path).as_posix() for p in collect_files([tmp_path])]
    assert names == ["扫描件.png", "报告.html", "照片_files/第1页.jpg"]


@pytest.mark.slow
@needs_ocr
def test_a_phone_photo_stored_sideways_is_read_upright_from_its_exif_orientation(tmp_path):
    from PIL import Image

    band = _crop(2, 170, 235).convert("RGB")  # 行政处罚 2776 / 行政强制 84
    sideways = band.rotate(90, expand=True)  # stored turned left, as a phone held upright saves
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn right to display
    path = tmp_path / "照片.jpg"
    sideways.save(path, "JPEG", quality=95, exif=exif.tobytes())
    loaded = load_file(path)
    assert "2776" in loaded.text and "行政处罚" in loaded.text
    # Boxes are in points of the upright picture read at 150 dpi (sideways, they would reach
    # below its height).
    points = 72 / DPI
    assert all(
        box[6] <= band.height * points + 1 and box[5] <= band.width * points + 1
        for box in loaded.boxes
    )


@pytest.mark.skipif(not ocr_available(), reason="rapidocr-onnxruntime 未安装")
def test_a_truncated_image_is_refused_naming_the_file(tmp_path):
    from PIL import Image

    whole = io.BytesIO()
    Image.effect_noise((400, 300), 60).save(whole, "PNG")
    path = tmp_path / "断开.png"
    path.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    with pytest.raises(IngestError) as refused:
        load_file(path)
    assert refused.value.path == str(path) and "损坏或不完整" in refused.value.reason
