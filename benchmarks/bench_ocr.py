"""Scanned reports: OCR speed and table-cell accuracy on the committed scans of real reports.

    python -m benchmarks.bench_ocr [--scans data/scans] [--pages10 [--app-home var]]

Every image-only PDF in ``data/scans`` (made by ``benchmarks.make_scans``: real report PDFs and
the dev corpus's HTML reports printed by Chromium, rasterised at 150 dpi, turned 0.4°, blurred)
is ingested: its pages have no text layer, so the bundled OCR engine reads them. Reports per
scan the pages, seconds, and the cells read right, read wrong (a figure answered that differs
from the gold) and left out; the same before the OCR screen (confidence and row/column
identities, ``ocr_uncertain``), so the share of misread cells the screen catches is measured.
``--pages10`` instead times a 10-page scan end to end (wall and CPU seconds); with
``--app-home`` it also uploads that scan to an app started on that home and times ``/healthz``
every 0.1 s meanwhile (the app must stay responsive while OCR runs).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import index.pipeline as pipeline
from evals.table_score import REPO, canon, gold_cells
from index.pipeline import build_document

JPEG_QUALITY = 60  # scanners' default "document" setting is of this order; keeps test data small
SCANS = REPO / "data" / "scans"


def make_scan(pdf: Path, out: Path, dpi: int, skew: float, blur: float) -> int:
    """Write an image-only copy of ``pdf`` (gray JPEG pages); returns its page count."""
    import pypdfium2 as pdfium
    from PIL import ImageFilter

    document = pdfium.PdfDocument(str(pdf))
    images = []
    for page in document:
        image = page.render(scale=dpi / 72).to_pil().convert("L")
        image = image.rotate(skew, expand=False, fillcolor=255).filter(
            ImageFilter.GaussianBlur(blur)
        )
        images.append(image)
    images[0].save(
        out, "PDF", resolution=dpi, save_all=True, append_images=images[1:], quality=JPEG_QUALITY
    )
    return len(images)


@dataclass
class ScanScore:
    name: str
    pages: int
    seconds: float
    total: int
    right: int
    wrong: list[str]
    left_out: int
    right_before: int  # the same, before the OCR screen
    wrong_before: list[str]
    text: str = ""  # the document's cleaned text
    warnings: list[str] = field(default_factory=list)


def _cells(facts) -> dict[tuple[str, str, str], float]:
    got = {}
    for fact in facts:
        if fact.origin == "text" or fact.value is None:
            continue
        value = fact.value / 10000.0 if fact.unit == "元" else fact.value
        got[canon(fact.table, fact.row, fact.col)] = float(value)
    return got


def _compare(want: dict, got: dict) -> tuple[int, list[str]]:
    right, wrong = 0, []
    for key, value in want.items():
        found = got.get(key)
        if found is None and key[1] == "规范性文件":
            found = got.get((key[0], "行政规范性文件", key[2]))
        if found is None:
            continue
        if abs(found - value) <= 1e-6 * max(1.0, abs(value)):
            right += 1
        else:
            wrong.append(f"{key}: want {value:g} got {found:g}")
    return right, wrong


def score_scan(gold_path: Path, folder: Path) -> ScanScore:
    """Ingest one scan; its cells against the gold, after and before the OCR screen."""
    import pypdfium2 as pdfium

    gold = json.loads(gold_path.read_text("utf-8"))
    path = folder / gold["file"]
    want = gold_cells(gold)
    seen: list = []
    screen = pipeline.screen_ocr_facts

    def recording(facts, *args, **kwargs):
        seen.append(list(facts))
        return screen(facts, *args, **kwargs)

    pipeline.screen_ocr_facts = recording
    try:
        started = time.perf_counter()
        built = build_document(path, 50_000_000)
        seconds = time.perf_counter() - started
    finally:
        pipeline.screen_ocr_facts = screen
    right, wrong = _compare(want, _cells(built.facts))
    before_right, before_wrong = _compare(want, _cells(seen[0] if seen else built.facts))
    pages = len(pdfium.PdfDocument(str(path)))
    left_out = len(want) - right - len(wrong)
    return ScanScore(path.name, pages, seconds, len(want), right, wrong, left_out,
                     before_right, before_wrong, built.doc.text, built.doc.warnings)  # fmt: skip


def ten_pages(scan: Path):
    """A 10-page scan: the pages of ``scan`` repeated (a pypdfium2 document)."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(str(scan))
    out = pdfium.PdfDocument.new()
    while len(out) < 10:
        out.import_pages(source, [len(out) % len(source)])
    return out


def ten_page_seconds(scan: Path) -> tuple[float, float]:
    """Wall seconds to ingest a 10-page scan (pages of ``scan`` repeated), and the CPU seconds
    it took (this process and its OCR worker processes)."""
    import resource

    out = ten_pages(scan)

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ten-scan_2024_annual_report.pdf"
        out.save(str(path))
        started, cpu_started = time.perf_counter(), cpu()
        build_document(path, 50_000_000)
        return time.perf_counter() - started, cpu() - cpu_started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scans", type=Path, default=SCANS)
    parser.add_argument("--pages10", action="store_true", help="only time a 10-page scan")
    parser.add_argument("--app-home", type=Path, help="with --pages10: upload it to an app too")
    parser.add_argument(
        "--make", nargs=3, type=float, metavar=("DPI", "SKEW", "BLUR"),
        help="score fresh scans of the same sources made so (harsher scans test the screen)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.make:
        from benchmarks import make_scans

        folder = Path(tempfile.mkdtemp(prefix="scans-"))
        dpi, skew, blur = args.make
        make_scans.write_scans(folder, int(dpi), skew, blur)
        args.scans = folder
    golds = sorted((args.scans / "gold").glob("*.json"))
    if args.pages10:
        # The 淮安 scan: prose and table pages alike (the first scan holding 6 pages or more).
        scans = [args.scans / json.loads(g.read_text("utf-8"))["file"] for g in golds]
        scan = max(scans, key=lambda p: p.stat().st_size)
        wall, cpu = ten_page_seconds(scan)
        print(f"10-page scan ({scan.name} pages repeated): {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"({cpu / 10:.2f} CPU s/page; on 2 idle cores about {cpu / 2:.0f} s)")  # fmt: skip
        if args.app_home:
            import io

            from benchmarks.bench_hostile import health_during_upload

            data = io.BytesIO()
            ten_pages(scan).save(data)
            name = "ten-scan_2024_annual_report.pdf"
            health_during_upload(args.app_home.resolve(), name, data.getvalue(), "application/pdf")
        return
    scores = [score_scan(g, args.scans) for g in golds]
    for s in scores:
        print(f"{s.name}: {s.pages} pages in {s.seconds:.1f} s; right {s.right}/{s.total}, "
              f"wrong {len(s.wrong)}, left out {s.left_out}; before the screen: right "
              f"{s.right_before}, wrong {len(s.wrong_before)}")  # fmt: skip
        for miss in s.wrong[:5]:
            print(f"    wrong: {miss}")
    total = sum(s.total for s in scores)
    right = sum(s.right for s in scores)
    wrong = sum(len(s.wrong) for s in scores)
    wrong_before = sum(len(s.wrong_before) for s in scores)
    pages = sum(s.pages for s in scores)
    seconds = sum(s.seconds for s in scores)
    caught = wrong_before - wrong
    withheld = sum(s.right_before - s.right for s in scores)
    print(f"all: {pages} pages in {seconds:.1f} s ({seconds / pages:.2f} s/page); right "
          f"{right}/{total} ({100 * right / total:.1f}%), wrong {wrong}, left out "
          f"{total - right - wrong}")  # fmt: skip
    print(f"misread cells before the screen: {wrong_before}; caught by confidence/identities: "
          f"{caught} ({100 * caught / max(1, wrong_before):.0f}%); right cells withheld by "
          f"the screen: {withheld}")  # fmt: skip


if __name__ == "__main__":
    main()
