"""Offline OCR of page images with the bundled PP-OCRv4 models (``rapidocr-onnxruntime``).

Scanned PDF pages (no text layer) are rendered with pypdfium2 and read across the machine's
cores, one OCR engine per worker process. Each recognised piece of text comes back as an
``OcrWord`` in PDF points (the coordinates pdfplumber gives words), with its confidence, so
the same layout code turns OCR words and PDF words into lines and table rows.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_DPI = 150
POINTS_PER_INCH = 72


class OcrUnavailable(RuntimeError):
    """The OCR engine is not installed here."""


@dataclass(frozen=True)
class OcrWord:
    """One recognised text box: its text, box in PDF points (x0, top, x1, bottom), confidence."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float


def ocr_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


@lru_cache(maxsize=1)
def _engine():
    if not ocr_available():
        raise OcrUnavailable("未安装离线文字识别引擎 rapidocr-onnxruntime")
    from rapidocr_onnxruntime import RapidOCR

    # One intra-op thread per engine: the pages run in parallel processes instead.
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)


def words_from_result(result, scale: float) -> list[OcrWord]:
    """RapidOCR's ``[(quad, text, score), …]`` in pixels as OcrWords in PDF points."""
    words = []
    for quad, text, score in result or []:
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        text = str(text).strip()
        if text:
            words.append(
                OcrWord(
                    text, min(xs) / scale, min(ys) / scale, max(xs) / scale, max(ys) / scale,
                    float(score),
                )
            )  # fmt: skip
    return sorted(words, key=lambda w: (round(w.top), w.x0))


def ocr_image(image, scale: float = 1.0) -> list[OcrWord]:
    """OCR one image (PIL image or array); ``scale`` = pixels per PDF point (1.0: pixels)."""
    import numpy as np

    result, _ = _engine()(np.asarray(image.convert("RGB")) if hasattr(image, "convert") else image)
    return words_from_result(result, scale)


def _ocr_pdf_page(data: bytes, index: int, dpi: int) -> tuple[int, list[OcrWord]]:
    import pypdfium2 as pdfium

    scale = dpi / POINTS_PER_INCH
    pdf = pdfium.PdfDocument(data)
    try:
        image = pdf[index].render(scale=scale).to_pil()
    finally:
        pdf.close()
    return index, ocr_image(image, scale)


def ocr_pdf_pages(
    data: bytes,
    indexes: Sequence[int],
    dpi: int = DEFAULT_DPI,
    seconds: float = 600.0,
    workers: int | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> dict[int, list[OcrWord]]:
    """OCR the 0-based pages ``indexes`` of a PDF, in parallel; stops after ``seconds``.

    Returns the words of every page done (pages not reached in time are missing: the caller
    says so). ``on_page(done, total)`` reports progress.
    """
    if not indexes:
        return {}
    if not ocr_available():
        raise OcrUnavailable("未安装离线文字识别引擎 rapidocr-onnxruntime")
    workers = max(1, min(workers or os.cpu_count() or 1, len(indexes)))
    deadline = time.monotonic() + seconds
    out: dict[int, list[OcrWord]] = {}
    if workers == 1:
        for i in indexes:
            if time.monotonic() > deadline:
                break
            out[i] = _ocr_pdf_page(data, i, dpi)[1]
            if on_page:
                on_page(len(out), len(indexes))
        return out
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(_ocr_pdf_page, data, i, dpi) for i in indexes]
        try:
            for future in as_completed(futures, timeout=max(1.0, deadline - time.monotonic())):
                index, words = future.result()
                out[index] = words
                if on_page:
                    on_page(len(out), len(indexes))
        except TimeoutError:
            for future in futures:
                future.cancel()
    return out


def page_pieces(words: Sequence[OcrWord]) -> list[tuple[float, list[OcrWord]]]:
    """OCR words grouped into printed lines (top, words left to right): a word joins a line
    when its vertical middle falls inside the line's first word."""
    lines: list[tuple[float, float, list[OcrWord]]] = []
    for word in sorted(words, key=lambda w: (w.top + w.bottom) / 2):
        middle = (word.top + word.bottom) / 2
        for top, bottom, members in lines:
            if top <= middle <= bottom:
                members.append(word)
                break
        else:
            lines.append((word.top, word.bottom, [word]))
    return [(top, sorted(members, key=lambda w: w.x0)) for top, _, members in lines]


def is_cell_gap(left: OcrWord, right: OcrWord) -> bool:
    """A gap wider than one character between two words on a line separates table cells."""
    char = max(1.0, (left.bottom - left.top))
    return right.x0 - left.x1 > char
