"""Scanned reports: OCR speed and table-cell accuracy on scans made from real report PDFs.

    python -m benchmarks.bench_ocr [--dpi 150] [--skew 0.4] [--blur 0.6]

Each real PDF of ``shared/realdocs`` (with hand-checked gold) is rendered to images as a scanner
would (``--dpi``, a slight rotation and blur), saved as an image-only PDF, and ingested: the
pages have no text layer, so they are read by the bundled OCR engine. Reports pages/s and, per
report, the cells read right, read wrong, and left out (OCR below confidence or a failing
identity), against the same gold as the text PDFs.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from evals.table_score import SHARED, score_file

JPEG_QUALITY = 60  # scanners' default "document" setting is of this order; keeps test data small


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--skew", type=float, default=0.4)
    parser.add_argument("--blur", type=float, default=0.6)
    args = parser.parse_args()
    totals = [0, 0, 0, 0]  # right, wrong, left out, gold
    pages_all, seconds_all = 0, 0.0
    with tempfile.TemporaryDirectory() as folder:
        for gold_path in sorted((SHARED / "gold").glob("*.json")):
            gold = json.loads(gold_path.read_text("utf-8"))
            scan = Path(folder) / gold["file"]
            pages = make_scan(SHARED / gold["file"], scan, args.dpi, args.skew, args.blur)
            started = time.perf_counter()
            score = score_file(gold_path, Path(folder))
            seconds = time.perf_counter() - started
            pages_all, seconds_all = pages_all + pages, seconds_all + seconds
            wrong = sum(1 for m in score.misses if "got None" not in m)
            left = sum(1 for m in score.misses if "got None" in m)
            totals = [
                totals[0] + score.hit,
                totals[1] + wrong,
                totals[2] + left,
                totals[3] + score.total,
            ]
            print(f"{gold['file']}: {pages} pages in {seconds:.1f} s; cells right {score.hit}/{score.total}, "
                  f"wrong {wrong}, left out {left}")  # fmt: skip
            for miss in [m for m in score.misses if "got None" not in m][:5]:
                print(f"    wrong: {miss}")
    right, wrong, left, total = totals
    print(f"all: {pages_all / seconds_all:.2f} pages/s; right {right}/{total} ({100 * right / total:.1f}%), "
          f"wrong {wrong}, left out {left}")  # fmt: skip


if __name__ == "__main__":
    main()
