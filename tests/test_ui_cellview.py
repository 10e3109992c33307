"""The cell view and the page pictures, without a browser: the sample corpus and real 平潭
department reports from the dev corpus (with their gold files)."""

from __future__ import annotations

import dataclasses
import json
import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from config import load_settings
from ui import cellview, pages, render
from ui.server import create_app

REPO = Path(__file__).resolve().parent.parent
DEV = REPO.parent / "shared" / "realdocs" / "dev"
GONGANJU_2019 = "pingtan-gonganju_2019_annual_report.txt"
SHICHANG_2021 = "pingtan-shichangjianguanju_2021_annual_report.txt"


@pytest.fixture(scope="module")
def dev_store(tmp_path_factory):
    from index.pipeline import ingest_paths
    from index.stores.sqlite import SQLiteStore

    if not DEV.is_dir():
        pytest.skip(f"dev corpus absent: {DEV}")
    store = SQLiteStore(tmp_path_factory.mktemp("cellview") / "gongkai.sqlite3")
    results = ingest_paths([DEV / GONGANJU_2019, DEV / SHICHANG_2021], store)
    assert not [r.error for r in results if r.status == "failed"]
    return store


def dev_doc(store, name: str):
    return next(d for d in store.documents() if Path(d.source).name == name)


def gold(name: str) -> dict:
    return json.loads((DEV / "gold" / name.replace(".txt", ".json")).read_text(encoding="utf-8"))


def grid_cells(blocks) -> dict[str, cellview.GridCell]:
    return {c.key: c for b in blocks for r in b.rows for c in r.cells}


def printed_rows(blocks) -> list[str]:
    """Rows of the grid holding cells read from the table (not computed group sums)."""
    return [r.row for b in blocks for r in b.rows if r.cells and r.cells[0].state != cellview.SUM]


# -- the grid ---------------------------------------------------------------------------
def test_application_grid_has_the_official_rows_of_each_format(sample_store, sample_docs):
    laiwu = sample_docs["laiwu_2020_annual_report.txt"]  # 2019 format: （六）其他处理 one row
    blocks = cellview.table_grid(laiwu, sample_store.facts(laiwu.doc_id), "依申请")
    assert len(printed_rows(blocks)) == 23  # table_formats.md: 23 data rows (2019)
    assert blocks[0].columns == ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构",
                                 "其他", "总计")  # fmt: skip
    huaian = sample_docs["huaian_2024_annual_report.pdf"]  # 2021 format: 其他处理 split in three
    blocks = cellview.table_grid(huaian, sample_store.facts(huaian.doc_id), "依申请")
    rows = printed_rows(blocks)
    assert len(rows) == 25 and "其他处理.其他" in rows


def test_active_grid_keeps_each_blocks_columns(sample_store, sample_docs):
    hongze = sample_docs["hongze_2024_annual_report.pdf"]  # 2021 format
    blocks = cellview.table_grid(hongze, sample_store.facts(hongze.doc_id), "主动公开")
    shape = [(b.columns, [r.row for r in b.rows]) for b in blocks]
    assert shape == [
        (("本年制发件数", "本年废止件数", "现行有效件数"), ["规章", "行政规范性文件"]),
        (("本年处理决定数量",), ["行政许可", "行政处罚", "行政强制"]),
        (("本年收费金额",), ["行政事业性收费"]),
    ]


def test_blank_cells_stay_blank_and_run_together_cells_are_marked_left_out(dev_store):
    doc = dev_doc(dev_store, GONGANJU_2019)
    facts = dev_store.facts(doc.doc_id)
    expected = gold(GONGANJU_2019)
    # Gold: 新收 row prints 商业企业 empty (&nbsp;), which is not a 0.
    assert expected["applications_by_column"]["new_received"][1] is None
    cells = grid_cells(cellview.table_grid(doc, facts, "依申请"))
    assert cells["依申请|本年新收|商业企业"].state == cellview.BLANK
    page = cellview.cell_page_html(
        doc, facts, cellview.wanted_facts(facts, ["依申请|本年新收|商业企业"])
    )
    td = re.search(r'<td class="[^"]*gk-hit[^"]*"[^>]*>([^<]*)</td>', page)
    assert td and td.group(1) == "" and "gk-blank" in td.group(0)
    assert "表中为空（不是0）" in page
    # 行政许可 "4500" could be 4|50|0 or 45|0|0: the two cells the readings disagree on are
    # left out with the reader's reason, not guessed; 处理决定数量 is 0 in every reading.
    active = grid_cells(cellview.table_grid(doc, facts, "主动公开"))
    permits = [active[f"主动公开|行政许可|{c}"] for c in ("上一年项目数量", "本年增减")]
    assert all(c.state == cellview.LEFT_OUT and c.fact is None for c in permits)
    assert "无法唯一拆分" in permits[0].reason
    decided = active["主动公开|行政许可|处理决定数量"]
    assert decided.fact is not None and decided.fact.value == 0
    html = cellview.grid_html(doc, facts, "主动公开", set())
    assert html.count('class="gk-c gk-left-out"') >= 2 and "4500" not in html


def test_printed_empty_rows_of_a_2021_report_are_blank_not_zero(dev_store):
    doc = dev_doc(dev_store, SHICHANG_2021)
    facts = dev_store.facts(doc.doc_id)
    cells = grid_cells(cellview.table_grid(doc, facts, "依申请"))
    blank = [k for k, c in cells.items() if c.state == cellview.BLANK]
    assert len(blank) == 14  # dev README: （六）2 and 3 rows printed empty
    assert all(k.startswith("依申请|其他处理.") for k in blank)


# -- the page ---------------------------------------------------------------------------
def test_cell_page_highlights_exactly_the_cited_cell(sample_store, sample_docs):
    laiwu = sample_docs["laiwu_2020_annual_report.txt"]
    facts = sample_store.facts(laiwu.doc_id)
    wanted = cellview.wanted_facts(facts, ["复议诉讼|行政复议|结果纠正"])
    page = cellview.cell_page_html(laiwu, facts, wanted)
    hits = re.findall(r'<td class="[^"]*gk-hit[^"]*"[^>]*>([^<]*)</td>', page)
    assert hits == ["10"]
    assert page.count('id="hit"') == 1
    assert re.search(r'<th scope="row" class="[^"]*gk-hit-row[^"]*">行政复议</th>', page)
    assert re.search(r'<th scope="col" class="[^"]*gk-hit-col[^"]*">结果纠正</th>', page)
    fact = wanted[0]
    mark = re.search(r'<mark class="gk-cellmark">([^<]*)</mark>', page).group(1)
    assert mark == laiwu.text[fact.cell_start : fact.cell_end] == "10"
    assert "<script" not in page


def test_unknown_cells_are_ignored_and_keys_parse_strictly(sample_store, sample_docs):
    laiwu = sample_docs["laiwu_2020_annual_report.txt"]
    facts = sample_store.facts(laiwu.doc_id)
    assert cellview.wanted_facts(facts, ["复议诉讼|行政复议", "x|y|z", ""]) == []
    assert cellview.parse_cell_key("依申请|本年新收|总计") == ("依申请", "本年新收", "总计")


def test_citation_links_name_the_cells_behind_a_cited_row():
    fact = {"doc_id": "d1", "table": "依申请", "row": "本年新收", "col": "总计", "origin": "table",
            "start": 5, "end": 40, "value": 3.0}  # fmt: skip
    index = render.citation_cells([{"facts": [fact]}])
    assert index == {("d1", 5, 40): ["依申请|本年新收|总计"]}
    citation = {"n": 1, "doc_id": "d1", "start": 5, "end": 40, "quote": "q"}
    assert render.citation_url(citation, index) == render.cell_url("d1", ["依申请|本年新收|总计"])
    prose = {**citation, "start": 50, "end": 60}
    assert render.citation_url(prose, index).startswith("/source/d1?start=50")


# -- the routes -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(sample_store):
    settings = dataclasses.replace(
        load_settings(), home=sample_store.path.parent, llm="none", auth=""
    )
    return TestClient(create_app(settings))


def test_cell_route_shows_the_pdf_page_with_the_cells_box(client, sample_docs):
    hongze = sample_docs["hongze_2024_annual_report.pdf"]
    response = client.get(render.cell_url(hongze.doc_id, ["复议诉讼|行政复议|结果纠正"]))
    assert response.status_code == 200
    assert "img-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert "原件第 4 页" in page
    src = re.search(r'<img src="([^"]+)"', page).group(1)
    box = re.search(r'<div class="gk-box" style="([^"]+)"', page).group(1)
    left, top, width, height = (float(v) for v in re.findall(r"([\d.]+)%", box))
    assert 0 <= left < 100 and 0 <= top < 100 and 0 < width < 25 and 0 < height < 10
    image = client.get(unescape(src))
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    import io

    from PIL import Image

    picture = Image.open(io.BytesIO(image.content))
    assert picture.width <= pages.MAX_WIDTH_PX + 1 and picture.height > picture.width


def test_cell_route_refuses_unknown_documents_and_cells(client, sample_docs):
    laiwu = sample_docs["laiwu_2020_annual_report.txt"]
    assert client.get("/cell/ffffffffffffffff?cell=依申请|本年新收|总计").status_code == 404
    missing = client.get(f"/cell/{laiwu.doc_id}?cell=依申请|不存在|总计")
    assert missing.status_code == 404 and "没有所指的表格单元格" in missing.text
    # A text report has no page picture.
    assert client.get(f"/page-image/{laiwu.doc_id}/1").status_code == 404


def test_pages_outside_the_corpus_folders_are_never_rendered(sample_docs, tmp_path):
    hongze = sample_docs["hongze_2024_annual_report.pdf"]
    elsewhere = tmp_path / "copy.pdf"
    elsewhere.write_bytes(Path(hongze.source).read_bytes())
    moved = dataclasses.replace(hongze, source=str(elsewhere))
    roots = pages.corpus_roots(REPO / "data" / "sample", tmp_path / "uploads")
    with pytest.raises(pages.PageUnavailable, match="不在资料库目录"):
        pages.render_page(moved, 1, roots, tmp_path / "cache")
    sneaky = dataclasses.replace(
        hongze, source=str(REPO / "data" / "sample" / ".." / ".." / "x.pdf")
    )
    with pytest.raises(pages.PageUnavailable):
        pages.render_page(sneaky, 1, roots, tmp_path / "cache")
    with pytest.raises(pages.PageUnavailable, match="没有第 99 页"):
        pages.render_page(hongze, 99, roots, tmp_path / "cache")
    # A folder named in GONGKAI_CORPUS_DIRS is part of the corpus.
    allowed = pages.corpus_roots(REPO / "data" / "sample", tmp_path / "uploads", [tmp_path])
    rendered = pages.render_page(moved, 4, allowed, tmp_path / "cache")
    assert rendered.path.read_bytes()[:4] == b"\x89PNG" and rendered.height > rendered.width
    changed = dataclasses.replace(hongze, file_sha="0" * 64 + "+b5")
    with pytest.raises(pages.PageUnavailable, match="已被修改"):
        pages.render_page(changed, 1, roots, tmp_path / "other-cache")


def test_a_scanned_image_files_frame_is_drawn_in_the_unit_of_its_boxes(sample_docs, tmp_path):
    import hashlib

    from PIL import Image

    hongze = sample_docs["hongze_2024_annual_report.pdf"]
    frames = [Image.new("L", (800, 1000), 255), Image.new("L", (1600, 900), 200)]
    scan = tmp_path / "scan.tiff"
    frames[0].save(scan, save_all=True, append_images=frames[1:])
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    doc = dataclasses.replace(hongze, source=str(scan), file_sha=f"{sha}+5")
    roots = pages.corpus_roots(REPO / "data" / "sample", tmp_path)
    points = 72 / 150  # no dpi in the file: read as a 150-dpi scan, boxes in points
    first = pages.render_page(doc, 1, roots, tmp_path / "cache")
    assert (first.width, first.height) == pytest.approx((800 * points, 1000 * points))
    second = pages.render_page(doc, 2, roots, tmp_path / "cache")
    assert (second.width, second.height) == pytest.approx((1600 * points, 900 * points))
    assert Image.open(second.path).width == pages.MAX_WIDTH_PX  # drawn smaller, same unit
    with pytest.raises(pages.PageUnavailable, match="没有第 3 页"):
        pages.render_page(doc, 3, roots, tmp_path / "cache")
