"""Offline OCR of page images with the bundled PP-OCRv4 models (``rapidocr-onnxruntime``).

Scanned PDF pages (no text layer) are rendered with pypdfium2 and read across the machine's
cores, one OCR engine per worker process. A page is read in four steps (``read_scan``):
the skew is measured from the ink's row profile and turned back; the detector and
recogniser read the words (no direction classifier: it turns a lone 6 into a 9); the ruled
table cells are found from the rules (the white boxes they enclose); every cell the detector
left unsure (ink but no word, a low-confidence word, a word run over a rule) is read again
line by line by the recogniser alone, and small lone figures outside ruled cells are read from
their ink blobs. Each piece of text comes back as an ``OcrWord`` in PDF points (the
coordinates pdfplumber gives words, of the deskewed page) with its confidence, so the same
layout code turns OCR words and PDF words into lines and table rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_DPI = 150
POINTS_PER_INCH = 72
Box = tuple[float, float, float, float]  # x0, top, x1, bottom


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
    """RapidOCR's ``[(quad, text, score[, char boxes]), …]`` in pixels as OcrWords in PDF
    points; a box holding figures apart (``13612 252`` read as one) is cut at the gaps."""
    words = []
    for row in result or []:
        quad, text, score = row[0], str(row[1]), float(row[2])
        chars = row[3] if len(row) > 3 and row[3] and len(row[3]) == len(text) else None
        for piece, box in _pieces(quad, text, chars):
            piece = piece.strip()
            if piece:
                x0, top, x1, bottom = (v / scale for v in box)
                words.append(OcrWord(piece, x0, top, x1, bottom, score))
    return sorted(words, key=lambda w: (round(w.top), w.x0))


FIGURE_GAP = 0.3  # of the box height: a wider gap beside a digit separates two table cells


def _pieces(quad, text: str, chars) -> list[tuple[str, Box]]:
    """A recognised box cut where a gap beside a digit is wider than ``FIGURE_GAP`` of its
    height (figures of neighbouring unruled columns read as one number)."""
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    whole = (min(xs), min(ys), max(xs), max(ys))
    if not chars or not any(c.isdigit() for c in text):
        return [(text, whole)]
    height = whole[3] - whole[1]
    boxes = [(min(p[0] for p in c), max(p[0] for p in c)) for c in chars]
    cuts = [0]
    for i in range(1, len(text)):
        beside_digit = text[i - 1].isdigit() or text[i].isdigit()
        if beside_digit and boxes[i][0] - boxes[i - 1][1] > FIGURE_GAP * height:
            cuts.append(i)
    cuts.append(len(text))
    return [
        (text[a:b], (boxes[a][0], whole[1], boxes[b - 1][1], whole[3]))
        for a, b in zip(cuts, cuts[1:], strict=False)
    ]


@dataclass(frozen=True)
class OcrPage:
    """A scanned page read: its words and the cells of its ruled tables, both in PDF points
    of the deskewed page, and the skew (degrees) that was corrected."""

    words: list[OcrWord]
    cells: list[Box]
    angle: float = 0.0


def ocr_image(image, scale: float = 1.0) -> list[OcrWord]:
    """OCR one image (PIL image or array); ``scale`` = pixels per PDF point (1.0: pixels)."""
    return read_scan(image, scale).words


def read_scan(image, scale: float = 1.0) -> OcrPage:
    """Deskew a page image, find its ruled table cells, and read its words.

    The detector misses small lone figures ("0", "4") in table cells; every ruled cell that
    holds ink but no confident word is read again as a whole with the recogniser alone.
    """
    import numpy as np

    gray = _gray(np.asarray(image.convert("L") if hasattr(image, "convert") else image))
    angle = skew_angle(gray)
    if abs(angle) >= MIN_SKEW:
        gray = rotate(gray, angle)
    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    # No direction classifier: pages are upright once deskewed, and turning a lone digit
    # box by 180° reads a 6 as a 9.
    result, _ = _engine()(rgb, use_cls=False, return_word_box=True)
    words = words_from_result(result, 1.0)
    lines = ruling_lines(gray, scale)
    cells = ruled_cells(lines, scale)
    words = reread_cells(gray, lines, cells, words, scale)
    words += lone_figures(gray, lines, words)
    to_points = 1.0 / scale
    return OcrPage(
        [_scaled(w, to_points) for w in sorted(words, key=lambda w: (round(w.top), w.x0))],
        [tuple(v * to_points for v in c) for c in cells],
        angle,
    )


def _scaled(word: OcrWord, k: float) -> OcrWord:
    return OcrWord(word.text, word.x0 * k, word.top * k, word.x1 * k, word.bottom * k,
                   word.confidence)  # fmt: skip


def _gray(array):
    import numpy as np

    if array.ndim == 3:
        array = array[:, :, :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.clip(array, 0, 255).astype(np.uint8)


MIN_SKEW = 0.05  # degrees: below it the page is left as scanned
MAX_SKEW = 3.0  # degrees searched either way; a page turned further is not "slightly skewed"


def skew_angle(gray) -> float:
    """The page's skew in degrees (counter-clockwise positive), from the ink's row profile:
    the angle at which ink rows (text lines, rules) project most sharply."""
    import numpy as np

    step = 2  # half resolution is plenty for an angle
    ys, xs = np.nonzero(gray[::step, ::step] < INK)
    if len(ys) < 100:
        return 0.0
    if len(ys) > 150_000:
        pick = np.random.default_rng(0).choice(len(ys), 150_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys, xs = ys.astype(np.float64), xs.astype(np.float64)

    def sharpness(angle: float) -> float:
        shifted = ys + xs * np.tan(np.radians(angle))
        counts = np.bincount((shifted - shifted.min()).astype(np.int64))
        return float(np.square(counts.astype(np.float64)).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.1), key=sharpness)
    best = max(np.arange(best - 0.1, best + 0.1 + 1e-9, 0.01), key=sharpness)
    return round(float(best), 2)


def rotate(gray, angle: float):
    """The page turned back by ``angle`` degrees about its centre (white fill)."""
    import cv2

    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


INK = 160  # gray level below which a pixel is ink
RULE_INK = 200  # a rule is thin: on a blurred scan it is lighter than text
RULE_POINTS = 20.0  # a straight dark run this long (PDF points) is a table rule, not a stroke
MIN_CELL_POINTS = 6.0


def ruling_lines(gray, scale: float):
    """A mask of the page's horizontal and vertical rules.

    A thin rule on a blurred, slightly turned scan is light and wanders between pixel rows,
    so each direction is looked for in the darkest of three neighbouring pixels across it.
    """
    import cv2
    import numpy as np

    length = max(15, int(RULE_POINTS * scale))
    across_rows = cv2.erode(gray, np.ones((3, 1), np.uint8)) < RULE_INK
    across_cols = cv2.erode(gray, np.ones((1, 3), np.uint8)) < RULE_INK
    horizontal = cv2.morphologyEx(
        across_rows.astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, length), np.uint8)
    )
    vertical = cv2.morphologyEx(
        across_cols.astype(np.uint8), cv2.MORPH_OPEN, np.ones((length, 1), np.uint8)
    )
    lines = cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))
    # A table broken over pages has no rule along the break: its outline closes it.
    count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    for x, y, w, h, _ in stats[1:count]:
        if w >= length and h >= length:
            cv2.rectangle(lines, (int(x), int(y)), (int(x + w - 1), int(y + h - 1)), 1, 3)
    return lines


def ruled_cells(lines, scale: float) -> list[Box]:
    """The boxes (pixels) enclosed by rules: each a table cell, merged cells whole."""
    import cv2
    import numpy as np

    h, w = lines.shape
    count, _, stats, _ = cv2.connectedComponentsWithStats((lines == 0).astype(np.uint8), 4)
    least = MIN_CELL_POINTS * scale
    cells = []
    for x, y, cw, ch, area in stats[1:count]:
        if x == 0 or y == 0 or x + cw >= w or y + ch >= h:
            continue  # the page around the tables
        if cw < least or ch < least or area < 0.8 * cw * ch:
            continue
        # Out to the middle of the rules, so that neighbouring cells share their edges.
        cells.append((x - 2.0, y - 2.0, x + cw + 2.0, y + ch + 2.0))
    return cells


REREAD_BELOW = 0.95  # a cell whose words are less sure than this is read again whole
_CROSS = 3.0  # pixels: a word reaching this far over a cell's rule runs into the next cell


def reread_cells(gray, lines, cells: list[Box], words: list[OcrWord], scale: float):
    """Words (pixels), with ruled cells read again line by line by the recogniser alone where
    the detector left them unsure: ink but no word (lone small figures), a word below
    ``REREAD_BELOW``, or a word box run over a rule into the next cell ("72 64 178", two
    narrow header cells read as one). A re-read replaces the words when it is at least as
    sure, and always replaces a word run over a rule."""
    import numpy as np

    ink = (gray < RULE_INK) & (lines == 0)
    crossing = {id(w) for w in words if len(_cells_under(w, cells)) >= 2}
    crops, targets = [], []
    for cell in cells:
        inside = [
            w
            for w in words
            if _middle_in(w, cell) or (id(w) in crossing and cell in _cells_under(w, cells))
        ]
        crossed = any(id(w) in crossing for w in inside)
        if inside and not crossed and min(w.confidence for w in inside) >= REREAD_BELOW:
            continue
        boxes = ink_lines(ink, cell)
        if not boxes:
            continue
        targets.append((inside, crossed, len(crops), boxes))
        for left, top, right, bottom in boxes:
            pad = 4
            window = (
                slice(max(0, top - pad), bottom + pad),
                slice(max(0, left - pad), right + pad),
            )
            crop = gray[window].copy()
            crop[lines[window] > 0] = 255
            crops.append(np.repeat(crop[:, :, None], 3, axis=2))
    if not crops:
        return words
    read, _ = _engine().text_rec(crops)
    replaced: set[int] = set()
    extra = []
    for inside, crossed, first, boxes in targets:
        found = []
        for (left, top, right, bottom), reading in zip(
            boxes, read[first : first + len(boxes)], strict=True
        ):
            text, score = str(reading[0]).strip(), float(reading[1])
            if text:
                found.append(
                    OcrWord(text, float(left), float(top), float(right), float(bottom), score)
                )
        if not found:
            continue
        before = min((w.confidence for w in inside), default=0.0)
        if crossed or min(w.confidence for w in found) >= before:
            if not crossed and before >= DISAGREE_FROM and _text(inside) != _text(found):
                # Two fair readings of one cell disagree: neither is trusted as a figure.
                found = [_unsure(w) for w in found]
            replaced.update(id(w) for w in inside)
            extra += found
    kept = [w for w in words if id(w) not in replaced]
    return kept + [w for w in extra if not any(_middle_in(w, _box(k)) for k in kept)]


DISAGREE_FROM = 0.8  # a first reading this sure that the re-read contradicts makes the cell unsure
UNSURE = 0.5


def _text(words: list[OcrWord]) -> str:
    return "".join(w.text for w in sorted(words, key=lambda w: (w.top, w.x0))).replace(" ", "")


def _unsure(word: OcrWord) -> OcrWord:
    return OcrWord(word.text, word.x0, word.top, word.x1, word.bottom, min(word.confidence, UNSURE))


def lone_figures(gray, lines, words: list[OcrWord]) -> list[OcrWord]:
    """Small figures the detector passed over outside ruled cells (a lone "0" in an unruled
    table): blobs of ink of a figure's size that no word covers, read by the recogniser; only
    readings that are figures are kept."""
    import cv2
    import numpy as np

    if not words:
        return []
    heights = sorted(w.bottom - w.top for w in words)
    height = heights[len(heights) // 2]
    covered = np.zeros(gray.shape, np.uint8)
    for w in words:
        cv2.rectangle(covered, (int(w.x0), int(w.top)), (int(w.x1), int(w.bottom)), 1, -1)
    ink = ((gray < INK) & (lines == 0)).astype(np.uint8)
    ink = cv2.dilate(ink, np.ones((3, max(3, int(height * 0.25))), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    crops, boxes = [], []
    for x, y, w, h, _ in stats[1:count]:
        if not (0.4 * height <= h <= 1.2 * height and w <= 4 * height):
            continue
        if covered[y : y + h, x : x + w].mean() > 0.2:
            continue
        pad = 4
        window = (slice(max(0, y - pad), y + h + pad), slice(max(0, x - pad), x + w + pad))
        crop = gray[window].copy()
        crop[lines[window] > 0] = 255
        crops.append(np.repeat(crop[:, :, None], 3, axis=2))
        boxes.append((float(x), float(y), float(x + w), float(y + h)))
    if not crops:
        return []
    read, _ = _engine().text_rec(crops)
    found = []
    for box, reading in zip(boxes, read, strict=True):
        text, score = str(reading[0]).strip(), float(reading[1])
        if _LONE_FIGURE.fullmatch(text):
            found.append(OcrWord(text, *box, score))
    return found


_LONE_FIGURE = re.compile(r"\d+(?:\.\d+)?")


def _box(word: OcrWord) -> Box:
    return (word.x0, word.top, word.x1, word.bottom)


def _middle_in(word: OcrWord, box: Box) -> bool:
    x, y = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _cells_under(word: OcrWord, cells: list[Box]) -> list[Box]:
    """The cells a word's box covers by more than ``_CROSS`` pixels, on its own line."""
    y = (word.top + word.bottom) / 2
    return [
        c for c in cells
        if c[1] <= y <= c[3] and min(word.x1, c[2]) - max(word.x0, c[0]) > _CROSS
    ]  # fmt: skip


LINE_GAP = 3  # pixels: a wider band of white rows inside a cell separates two text lines


def ink_lines(ink, cell: Box) -> list[tuple[int, int, int, int]]:
    """The boxes (pixels) of the text lines inside a ruled cell, from its ink row profile."""
    import numpy as np

    a, b, c, d = int(cell[0]) + 3, int(cell[1]) + 3, int(cell[2]) - 2, int(cell[3]) - 2
    if c <= a or d <= b:
        return []
    window = ink[b:d, a:c]
    rows = np.nonzero(window.sum(axis=1) > 0)[0]
    if len(rows) < 4:
        return []
    out, start = [], rows[0]
    for prev, row in zip(rows, list(rows[1:]) + [None], strict=True):
        if row is None or row - prev > LINE_GAP:
            band = window[start : prev + 1]
            xs = np.nonzero(band.sum(axis=0) > 0)[0]
            if prev + 1 - start >= 4 and band.sum() >= 6:
                out.append((a + int(xs[0]), b + int(start), a + int(xs[-1]) + 1, b + int(prev) + 1))
            start = row
    return out


def _ocr_pdf_page(data: bytes, index: int, dpi: int) -> tuple[int, OcrPage]:
    import pypdfium2 as pdfium

    scale = dpi / POINTS_PER_INCH
    pdf = pdfium.PdfDocument(data)
    try:
        image = pdf[index].render(scale=scale).to_pil()
    finally:
        pdf.close()
    return index, read_scan(image, scale)


def ocr_pdf_pages(
    data: bytes,
    indexes: Sequence[int],
    dpi: int = DEFAULT_DPI,
    seconds: float = 600.0,
    workers: int | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> dict[int, OcrPage]:
    """OCR the 0-based pages ``indexes`` of a PDF, in parallel; stops after ``seconds``.

    Returns the words of every page done (pages not reached in time are missing: the caller
    says so). ``on_page(done, total)`` reports progress.
    """
    if not indexes:
        return {}
    if not ocr_available():
        raise OcrUnavailable("未安装离线文字识别引擎 rapidocr-onnxruntime")
    from index.parallel import run_timed

    report = (lambda count: on_page(count, len(indexes))) if on_page else None
    done = run_timed(_ocr_pdf_page, [(data, i, dpi) for i in indexes], seconds, report, workers)
    return dict(done.values())


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


def is_cell_gap(left: OcrWord, right: OcrWord, tabular: bool = False) -> bool:
    """A gap wider than one character between two words on a line separates table cells; on a
    line of figures (``tabular``) or between two figures, a third of one does (unruled columns
    set close: separate boxes that near are separate cells)."""
    char = max(1.0, (left.bottom - left.top))
    if tabular or (left.text[-1:].isdigit() and right.text[:1].isdigit()):
        return right.x0 - left.x1 > FIGURE_GAP * char
    return right.x0 - left.x1 > char
