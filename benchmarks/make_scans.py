"""Make the committed scan test data: image-only PDFs of real reports, as a scanner would.

    python -m benchmarks.make_scans [--out data/scans] [--dpi 150] [--skew 0.4] [--blur 0.6]

Sources: the three real report PDFs of ``shared/realdocs`` and the dev corpus's HTML reports
(``shared/realdocs/dev/*.html``), each with hand-checked gold. An HTML report is first printed
to PDF by the real Chromium (playwright's ``page.pdf()``, A4, as a browser prints the page);
every PDF is then rasterised page by page (``bench_ocr.make_scan``: gray, turned slightly,
blurred, stored as JPEG inside the PDF). Each scan's gold is the source's gold with ``file``
pointing at the scan and ``scan_of`` naming the source.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks.bench_ocr import make_scan
from evals.table_score import REPO, SHARED

CHROMIUM = "/usr/bin/chromium"
OUT = REPO / "data" / "scans"


def sources() -> list[tuple[Path, Path]]:
    """(report, its gold) for every real PDF and every dev HTML report with gold."""
    pairs = [(SHARED / json.loads(g.read_text("utf-8"))["file"], g)
             for g in sorted((SHARED / "gold").glob("*.json"))]  # fmt: skip
    for html in sorted((SHARED / "dev").glob("*.html")):
        gold = SHARED / "dev" / "gold" / f"{html.stem}.json"
        if gold.exists():
            pairs.append((html, gold))
    return pairs


def scan_name(source: Path) -> str:
    """``huaian_2024_annual_report.pdf`` → ``huaian-scan_2024_annual_report.pdf`` (the name
    keeps the region, year and kind the loader reads from it)."""
    head, _, tail = source.stem.partition("_")
    return f"{head}-scan_{tail}.pdf"


def print_html(html: Path, pdf: Path) -> None:
    """Print an HTML page to PDF with Chromium, as a browser's "save as PDF" does."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page()
            page.goto(html.resolve().as_uri())
            page.pdf(path=str(pdf), format="A4", print_background=True,
                     margin={"top": "2cm", "bottom": "2cm", "left": "2cm", "right": "2cm"})  # fmt: skip
        finally:
            browser.close()


def write_scans(out: Path, dpi: int, skew: float, blur: float) -> None:
    """Scan every source into ``out`` with its gold in ``out/gold``."""
    (out / "gold").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for source, gold_path in sources():
            pdf = source
            if source.suffix.lower() in (".html", ".htm"):
                pdf = Path(folder) / f"{source.stem}.pdf"
                print_html(source, pdf)
            name = scan_name(source)
            pages = make_scan(pdf, out / name, dpi, skew, blur)
            gold = json.loads(gold_path.read_text("utf-8"))
            gold["scan_of"] = source.name
            gold["file"] = name
            (out / "gold" / f"{Path(name).stem}.json").write_text(
                json.dumps(gold, ensure_ascii=False, indent=1) + "\n", "utf-8"
            )
            size = (out / name).stat().st_size
            print(f"{name}: {pages} pages, {size // 1024} KB, from {source.name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--skew", type=float, default=0.4)
    parser.add_argument("--blur", type=float, default=0.6)
    args = parser.parse_args()
    write_scans(args.out, args.dpi, args.skew, args.blur)


if __name__ == "__main__":
    main()
