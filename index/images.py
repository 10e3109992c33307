"""Images read as pages: image files (PNG, JPEG, TIFF frames) and pictures inside docx and HTML
go through the bundled OCR and the same word → line → cell layout as scanned PDF pages.

Coordinates: an image page counts as a page printed at its resolution (the file's dpi, else
``DEFAULT_DPI``, a scanner's usual setting), so boxes and page heights are in PDF points like
those of a scanned PDF page, and the OCR layout's sizes (in points) hold for both; a viewer
draws a cell's box on the image (as displayed, EXIF rotation applied) scaled by
``points_per_pixel``.
Pictures inside docx and HTML have no page: their text carries OCR confidences but no boxes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from index.models import IngestError
from index.pdf_layout import LayoutText, drop_running_lines, ocr_page, render

PageProgress = Callable[[int, int], None]
DEFAULT_DPI = 150

# File types staff upload as images (the brief of issue #17: scans and photos of reports).
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
UPLOAD_KINDS = frozenset({"PNG", "JPEG", "TIFF"})
# Magic bytes of raster formats; GIF, BMP and WebP also appear as pictures in web pages.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),  # BigTIFF
    (b"MM\x00+", "TIFF"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
)
# Smaller than this a picture cannot hold one legible line of text (icons, bullets, spacers).
MIN_SIDE_PX = 24


def sniff_image(data: bytes) -> str | None:
    """The raster format ``data`` starts with ("PNG", "JPEG", "TIFF", "GIF", "BMP", "WEBP")."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


@dataclass(frozen=True)
class OcrLimits:
    """Per file: images (frames) read, seconds of OCR, pixels one image may have."""

    max_pages: int = 100
    seconds: float = 240.0
    max_pixels: int = 50_000_000

    @classmethod
    def from_settings(cls) -> OcrLimits:
        from config import load_settings

        s = load_settings()
        return cls(s.max_ocr_pages, s.ocr_seconds, s.max_image_pixels)


class ImageProblem(ValueError):
    """An image that cannot be read: the reason, in Chinese."""


def _open(data: bytes, max_pixels: int):
    """The image (first frame selected), its header checked before any pixel is decoded."""
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageProblem("图片像素数过大（可能是解压炸弹）") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem(f"图片文件损坏或格式无法识别（{type(exc).__name__}）") from exc
    _check_pixels(image, max_pixels)
    return image


def _check_pixels(image, max_pixels: int) -> None:
    width, height = image.size
    if width * height > max_pixels:
        raise ImageProblem(
            f"图片像素数过大（{width}×{height}，上限 {max_pixels} 像素，可能是解压炸弹）"
        )


def frame_count(image) -> int:
    return max(1, int(getattr(image, "n_frames", 1) or 1))


def _seek(image, frame: int, max_pixels: int) -> None:
    try:
        image.seek(frame)
    except (EOFError, OSError, ValueError) as exc:
        raise ImageProblem(f"第 {frame + 1} 帧无法读取（{type(exc).__name__}）") from exc
    _check_pixels(image, max_pixels)


def page_image(data: bytes, frame: int, max_pixels: int):
    """Frame ``frame`` of an image as an RGB picture ready for OCR: upright (EXIF), white
    where it is transparent, 16-bit greys brought to 8 bits."""
    from PIL import Image, ImageOps

    image = _open(data, max_pixels)
    _seek(image, frame, max_pixels)
    try:
        image.load()
        if frame == 0:
            image = ImageOps.exif_transpose(image)
        if image.mode in ("I;16", "I;16B", "I;16L", "I"):
            image = image.point(lambda v: v / 256).convert("L")
        elif image.mode == "F":
            image = image.convert("L")
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            image = Image.alpha_composite(background, rgba)
        return image.convert("RGB")
    except Image.DecompressionBombError as exc:
        raise ImageProblem("图片像素数过大（可能是解压炸弹）") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem(f"图片数据损坏或不完整（{type(exc).__name__}）") from exc


# -- OCR across processes ------------------------------------------------------------------
# One OCR result: (OcrPage: words and ruled cells, width, height) in pixels of the upright,
# deskewed image, or the reason the image was unreadable.
Read = tuple[Any, float, float] | str
_ITEMS: Sequence[tuple[bytes, int]] = ()  # set in each worker by _start_worker (fork: no copy)
_PIXELS = 0


def _read_item(data: bytes, frame: int, max_pixels: int) -> Read:
    from index.ocr import read_scan

    try:
        image = page_image(data, frame, max_pixels)
    except ImageProblem as exc:
        return str(exc)
    scale = 1 / points_per_pixel(image)
    return read_scan(image, scale), image.width / scale, image.height / scale


def points_per_pixel(image) -> float:
    """PDF points per pixel of an image page: 72 / its dpi (``DEFAULT_DPI`` when unstated or
    implausible, as screenshots often say 72 or nothing)."""
    dpi = image.info.get("dpi") or (DEFAULT_DPI, DEFAULT_DPI)
    try:
        value = float(dpi[0])
    except (TypeError, ValueError, IndexError):
        value = DEFAULT_DPI
    return 72 / (value if 100 <= value <= 1200 else DEFAULT_DPI)


def _start_worker(items: Sequence[tuple[bytes, int]], max_pixels: int) -> None:
    global _ITEMS, _PIXELS
    _ITEMS, _PIXELS = items, max_pixels


def _read_at(index: int) -> tuple[int, Read]:
    data, frame = _ITEMS[index]
    return index, _read_item(data, frame, _PIXELS)


def ocr_images(
    items: Sequence[tuple[bytes, int]],
    max_pixels: int,
    seconds: float,
    on_page: PageProgress | None = None,
    workers: int | None = None,
) -> dict[int, Read]:
    """OCR each ``(image bytes, frame)``; returns results by index, in parallel processes.

    Images not reached within ``seconds`` are missing from the result (the caller says so);
    ``on_page(done, total)`` is called after each image.
    """
    import multiprocessing

    from index.parallel import run_timed

    try:
        done = run_timed(
            _read_at, [(i,) for i in range(len(items))], seconds,
            (lambda count: on_page(count, len(items))) if on_page else None, workers,
            mp_context=multiprocessing.get_context("fork"),  # workers inherit the bytes
            initializer=_start_worker, initargs=(items, max_pixels),
        )  # fmt: skip
    finally:
        _start_worker((), 0)  # the bytes are not kept here after a run in this process
    return dict(done.values())


def _pages_text(numbers: Sequence[int]) -> str:
    return "、".join(map(str, numbers))


# -- image files ---------------------------------------------------------------------------
def read_image_file(
    label: str, data: bytes, limits: OcrLimits, on_page: PageProgress | None = None
) -> tuple[LayoutText, list[str]]:
    """An image file (each frame a page) read by OCR: its layout text and warnings.

    Raises IngestError naming ``label`` when the file is not an image, too large, or nothing
    could be read in time.
    """
    from index.ocr import ocr_available

    kind = sniff_image(data)
    if kind not in UPLOAD_KINDS:
        raise IngestError(label, "不是有效的 PNG/JPEG/TIFF 图片（文件内容与扩展名不符）")
    if not ocr_available():
        raise IngestError(label, "未安装离线文字识别引擎 rapidocr-onnxruntime，无法识别图片")
    try:
        image = _open(data, limits.max_pixels)
        total = frame_count(image)
        count = min(total, max(1, limits.max_pages))
        for frame in range(count):  # every frame's size is checked before any is decoded
            _seek(image, frame, limits.max_pixels)
    except ImageProblem as exc:
        raise IngestError(label, str(exc)) from None
    warnings = (
        [f"ocr_page_cap: 图片共 {total} 页，只识别前 {count} 页（GONGKAI_MAX_OCR_PAGES）"]
        if total > count
        else []
    )
    read = ocr_images([(data, f) for f in range(count)], limits.max_pixels, limits.seconds, on_page)
    pages, missing, broken = [], [], []
    for frame in range(count):
        result = read.get(frame)
        if result is None:
            missing.append(frame + 1)
        elif isinstance(result, str):
            broken.append(f"第 {frame + 1} 页{result}")
        else:
            scan, _, height = result
            pages.append(ocr_page(scan.words, frame + 1, height, scan.cells))
    if not pages:
        reason = (
            "；".join(broken)
            or f"文字识别未在 {limits.seconds:.0f} 秒时限内完成（GONGKAI_OCR_SECONDS）"
        )
        raise IngestError(label, reason)
    drop_running_lines(pages)
    layout = render(pages)
    warnings.insert(0, f"ocr_pages: {_pages_text([p.number for p in pages])}")
    if missing:
        warnings.append(
            f"ocr_time_limit: 第 {_pages_text(missing)} 页未在 {limits.seconds:.0f} 秒时限内识别"
        )
    warnings += [f"image_unreadable: {b}" for b in broken]
    return layout, warnings


# -- pictures inside docx and HTML -----------------------------------------------------------
@dataclass
class Picture:
    """A picture a document shows: its name (for messages) and bytes, None when not at hand."""

    name: str
    data: bytes | None


def read_pictures(
    pictures: Sequence[Picture], limits: OcrLimits, on_page: PageProgress | None = None
) -> tuple[dict[int, LayoutText], list[str]]:
    """OCR the pictures at hand; returns the text of each picture read (by index) and warnings
    naming the pictures left out (missing, unreadable, too large, over the limits)."""
    from index.ocr import ocr_available

    missing = [p.name for p in pictures if p.data is None]
    warnings = [f"images_missing: {_names(missing)}"] if missing else []
    todo: list[int] = []
    unreadable: list[str] = []
    for i, picture in enumerate(pictures):
        if picture.data is None:
            continue
        if sniff_image(picture.data) is None:
            unreadable.append(f"{picture.name}（不是 PNG/JPEG/TIFF/GIF/BMP/WebP 图片）")
            continue
        try:
            width, height = _open(picture.data, limits.max_pixels).size
        except ImageProblem as exc:
            unreadable.append(f"{picture.name}（{exc}）")
            continue
        if min(width, height) >= MIN_SIDE_PX:
            todo.append(i)
    if len(todo) > limits.max_pages:
        warnings.append(
            f"ocr_page_cap: 共 {len(todo)} 张图片，只识别前 {limits.max_pages} 张（GONGKAI_MAX_OCR_PAGES）"
        )
        todo = todo[: limits.max_pages]
    if todo and not ocr_available():
        warnings.append(f"images_not_read: 未安装文字识别引擎，{len(todo)} 张图片中的文字未识别")
        todo = []
    items = [(pictures[i].data or b"", 0) for i in todo]
    read = ocr_images(items, limits.max_pixels, limits.seconds, on_page)
    texts: dict[int, LayoutText] = {}
    late: list[str] = []
    for k, i in enumerate(todo):
        result = read.get(k)
        if result is None:
            late.append(pictures[i].name)
        elif isinstance(result, str):
            unreadable.append(f"{pictures[i].name}（{result}）")
        elif result[0].words:
            scan, _, height = result
            texts[i] = render([ocr_page(scan.words, 1, height, scan.cells)])
    if texts:
        warnings.append(f"image_ocr: 已离线识别 {len(texts)} 张图片中的文字")
    if late:
        warnings.append(
            f"ocr_time_limit: {len(late)} 张图片未在 {limits.seconds:.0f} 秒时限内识别（{_names(late)}）"
        )
    if unreadable:
        warnings.append(f"images_unreadable: {_names(unreadable)}")
    return texts, warnings


def _names(names: Sequence[str], shown: int = 5) -> str:
    head = "、".join(names[:shown])
    return head + (f" 等 {len(names)} 个" if len(names) > shown else "")


def compose(
    parts: Sequence[str | int], texts: dict[int, LayoutText]
) -> tuple[str, list[tuple[int, int, float]]]:
    """Join text lines and pictures (by index) into one text, a picture as its OCR'd lines;
    returns the text and the OCR confidences shifted to their place in it."""
    lines: list[str] = []
    ocr: list[tuple[int, int, float]] = []
    pos = 0
    for part in parts:
        if isinstance(part, str):
            lines.append(part)
            pos += len(part) + 1
            continue
        layout = texts.get(part)
        if layout is None:
            continue
        text = layout.text.rstrip("\n")
        if not text.strip():
            continue
        ocr += [(pos + s, pos + e, c) for s, e, c in layout.ocr if e <= len(text)]
        lines.append(text)
        pos += len(text) + 1
    return "\n".join(lines), ocr
