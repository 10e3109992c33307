"""Image inputs: seconds per OCR'd page for image files (PNG, multi-page TIFF) and a docx whose
tables are pictures, made from a real report PDF.

    python -m benchmarks.bench_images [--dpi 150] [--pdf PATH]

Each page of the PDF is rendered at ``--dpi`` (as a scanner or a screenshot would) and saved as
one PNG (the first table page) and as one multi-page TIFF; the docx holds every page as a
picture. Reports wall seconds per file, seconds per page, and the table cells read.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from evals.table_score import SHARED


def render_pages(pdf: Path, dpi: int) -> list:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("L") for page in document]
    finally:
        document.close()


def main() -> None:
    from docx import Document
    from docx.shared import Cm

    from index.pipeline import build_document

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--pdf", type=Path, default=SHARED / "hongze_2024_annual_report.pdf")
    args = parser.parse_args()
    pages = render_pages(args.pdf, args.dpi)
    with tempfile.TemporaryDirectory() as folder:
        # The TIFF first: Pillow's PNG writer leaves its settings on the image it saved.
        tiff = Path(folder) / "pages.tiff"
        pages[0].save(tiff, save_all=True, append_images=pages[1:])
        png = Path(folder) / "page.png"
        pages[min(2, len(pages) - 1)].copy().save(png)
        docx_path = Path(folder) / "pictures.docx"
        document = Document()
        for page in pages:
            out = io.BytesIO()
            page.copy().save(out, "PNG")
            out.seek(0)
            document.add_picture(out, width=Cm(15))
        document.save(docx_path)
        for path, count in ((png, 1), (tiff, len(pages)), (docx_path, len(pages))):
            started = time.perf_counter()
            built = build_document(path, 200_000_000)
            seconds = time.perf_counter() - started
            print(f"{path.suffix}: {count} page(s) in {seconds:.1f} s, {seconds / count:.1f} s/page, "
                  f"{len(built.facts)} table facts")  # fmt: skip


if __name__ == "__main__":
    main()
