"""Scanned reports: a real report PDF turned into page images (as a scanner would) is read by the
bundled OCR: its prose is searchable text, its table cells are read or left out, never wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.table_score import SHARED, score_file
from index.ocr import ocr_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ocr_available(), reason="rapidocr-onnxruntime 未安装"),
]
GOLD = SHARED / "gold" / "hongze_2024_annual_report.json"


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Path:
    from benchmarks.bench_ocr import make_scan

    if not GOLD.exists():
        pytest.skip(f"real PDFs absent: {GOLD}")
    folder = tmp_path_factory.mktemp("scan")
    make_scan(SHARED / "hongze_2024_annual_report.pdf", folder / GOLD.stem, 150, 0.4, 0.6)
    (folder / GOLD.stem).rename(folder / json.loads(GOLD.read_text("utf-8"))["file"])
    return folder


def test_a_scanned_report_is_read_by_ocr_without_a_wrong_cell(scan):
    from index.pipeline import build_document

    built = build_document(next(scan.glob("*.pdf")), 50_000_000)
    assert any(w.startswith("ocr_pages") for w in built.doc.warnings)
    assert "受理政府信息公开申请17件" in built.doc.text.replace(" ", "")
    score = score_file(GOLD, scan)
    wrong = [m for m in score.misses if "got None" not in m]
    assert not wrong, wrong
    assert score.hit >= 90, (score.hit, score.total)
