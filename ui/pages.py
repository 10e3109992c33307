"""Page pictures for the cell view: PDF pages rendered with pypdfium2, frames of image files
(png/jpg/tiff) redrawn, cached as PNG, bounded in size.

Only a document's own source file is rendered, and only when it is a PDF or image inside the corpus
folders (the sample corpus, the upload folder, GONGKAI_CORPUS_DIRS): a path in the store never
opens anything else. A file changed since it was ingested is not shown (its boxes would lie).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.images import IMAGE_SUFFIXES
from index.models import Document

MAX_WIDTH_PX = 1100  # wide enough to read a table cell, small enough for a quick load
MAX_SCALE = 2.0
MAX_IMAGE_PIXELS = 50_000_000  # a stored page image is redrawn only below this size
_render_lock = threading.Lock()  # pdfium is not thread-safe


class PageUnavailable(Exception):
    """Why a page picture cannot be shown (Chinese, for the page)."""


@dataclass(frozen=True)
class RenderedPage:
    path: Path  # the cached PNG
    width: float  # page size in PDF points (the unit of Fact.bbox)
    height: float


def corpus_roots(sample_dir: Path, upload_dir: Path, extra: Sequence[Path] = ()) -> list[Path]:
    """Folders whose PDFs may be rendered: the sample corpus, uploads, GONGKAI_CORPUS_DIRS."""
    return [p.resolve() for p in (sample_dir, upload_dir, *extra)]


def source_pdf(doc: Document, roots: list[Path]) -> Path:
    """The document's PDF or page image(s) if it may be rendered; PageUnavailable says why not."""
    path = Path(doc.source).resolve()
    if path.suffix.lower() != ".pdf" and path.suffix.lower() not in IMAGE_SUFFIXES:
        raise PageUnavailable("原件不是 PDF 或图片，无页面图像。")
    if not any(path.is_relative_to(root) for root in roots):
        raise PageUnavailable("原件不在资料库目录中，不显示页面图像。")
    if not path.is_file():
        raise PageUnavailable("原件已不在原位置，无法显示页面图像。")
    return path


def file_unchanged(doc: Document, path: Path) -> bool:
    """Whether the file still has the bytes that were ingested (the manifest's byte hash; the
    build-version suffix of the stamp does not matter here)."""
    import hashlib

    recorded = doc.file_sha.split("+", 1)[0]
    return not recorded or hashlib.sha256(path.read_bytes()).hexdigest() == recorded


def render_page(doc: Document, page: int, roots: list[Path], cache_dir: Path) -> RenderedPage:
    """The page (1-based) as a cached PNG and its size in points."""
    path = source_pdf(doc, roots)
    name = f"{doc.doc_id}-{doc.file_sha[:12]}-{int(page)}"  # a re-ingested file: new pictures
    png, meta = cache_dir / f"{name}.png", cache_dir / f"{name}.json"
    if png.exists() and meta.exists():
        size = json.loads(meta.read_text())
        return RenderedPage(png, size["width"], size["height"])
    if not file_unchanged(doc, path):
        raise PageUnavailable("原件在入库后已被修改，请重新入库后再查看页面图像。")
    cache_dir.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        width, height = _save_image_page(path, page, png)
        meta.write_text(json.dumps({"width": width, "height": height}))
        return RenderedPage(png, width, height)
    import pypdfium2 as pdfium

    with _render_lock:
        pdf = pdfium.PdfDocument(str(path))
        try:
            if not 1 <= page <= len(pdf):
                raise PageUnavailable(f"原件没有第 {page} 页。")
            handle = pdf[page - 1]
            width, height = handle.get_size()
            scale = min(MAX_SCALE, MAX_WIDTH_PX / max(width, 1.0))
            image = handle.render(scale=scale).to_pil()
            tmp = png.with_suffix(".tmp.png")
            image.save(tmp, format="PNG", optimize=True)
            tmp.replace(png)  # atomic: a reader never sees half a picture
        finally:
            pdf.close()
    meta.write_text(json.dumps({"width": width, "height": height}))
    return RenderedPage(png, width, height)


def _save_image_page(path: Path, page: int, png: Path) -> tuple[float, float]:
    """Frame ``page`` of an image file as a bounded PNG; returns its size in the unit of the
    boxes OCR gave it (points at the image's resolution, see index.images)."""
    from index.images import ImageProblem, page_image, points_per_pixel

    try:
        image = page_image(path.read_bytes(), page - 1, MAX_IMAGE_PIXELS)
    except (ImageProblem, EOFError) as exc:
        raise PageUnavailable(f"原件没有第 {page} 页或无法读取（{exc}）。") from exc
    width, height = image.size
    points = points_per_pixel(image)
    scale = min(1.0, MAX_WIDTH_PX / max(width, 1))
    if scale < 1.0:
        image = image.resize((int(width * scale), int(height * scale)))
    tmp = png.with_suffix(".tmp.png")
    image.save(tmp, format="PNG", optimize=True)
    tmp.replace(png)
    return width * points, height * points
