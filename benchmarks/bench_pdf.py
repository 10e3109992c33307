"""PDF ingest speed: a 100-page PDF built by repeating the pages of the real report PDFs.

Goal: build_document (load with the layout reader, clean, tag, chunk, read tables) under 30 s
for 100 pages on a 2-core machine.

python -m benchmarks.bench_pdf [--pages 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from config import SAMPLE_DIR
from index.load import load_file
from index.pipeline import build_document


def build_pdf(target: Path, pages: int) -> Path:
    """Write a ``pages``-page PDF cycling through the sample report PDFs' pages."""
    sources = [PdfReader(p) for p in sorted(SAMPLE_DIR.glob("*.pdf"))]
    pool = [page for reader in sources for page in reader.pages]
    writer = PdfWriter()
    for i in range(pages):
        writer.add_page(pool[i % len(pool)])
    with target.open("wb") as fh:
        writer.write(fh)
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pdf = build_pdf(Path(folder) / "bench.pdf", args.pages)
        started = time.perf_counter()
        loaded = load_file(pdf, max_bytes=200 * 1024 * 1024, max_pages=args.pages)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        built = build_document(pdf, max_bytes=200 * 1024 * 1024)
        total_s = time.perf_counter() - started
    print(
        f"{args.pages} pages: load {load_s:.1f} s ({len(loaded.boxes)} boxes), "
        f"build_document {total_s:.1f} s ({len(built.chunks)} chunks, {len(built.facts)} facts)"
    )


if __name__ == "__main__":
    main()
