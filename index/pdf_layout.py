"""Read a PDF's page layout with pdfplumber: ruled tables as tab-joined rows, text in reading order.

Every emitted piece of text keeps its page and box, so facts can point at the printed cell.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

CJK = r"\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_EDGE = re.compile(f"[{CJK}]")
_LONE_CJK = re.compile(r"[\u3400-\u9fff]")
_DIGITS = re.compile(r"\d+")
# Page numbers as printed in footers: "— 3 —", "- 3 -", "第 3 页", "3 / 12", a bare number.
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[—\-－–~]+\s*\d{1,4}\s*[—\-－–~]+|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|\d{1,4})\s*$"
)
MAX_PAGE_GRAPHICS = 5000
OCR_SECONDS = 600.0  # per file: pages not read by then are reported, not waited for
# Share of the page height treated as header/footer margin when looking for repeated lines.
_MARGIN = 0.1

Box = tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass
class Piece:
    """One emitted line: text, or a table row with one box per cell."""

    top: float
    text: str = ""
    box: Box | None = None
    cells: list[tuple[str, Box | None]] = field(default_factory=list)
    confidence: float | None = None  # OCR'd text: the lowest word confidence
    cell_confidence: list[float] = field(default_factory=list)


@dataclass
class PageLayout:
    number: int
    height: float
    pieces: list[Piece]


@dataclass
class LayoutText:
    text: str
    pages: list[tuple[int, int]]
    boxes: list[tuple[int, int, int, float, float, float, float]]
    ocr: list[tuple[int, int, float]] = field(default_factory=list)  # (start, end, confidence)
    note: str = ""  # which pages were read by OCR


def join_cell_lines(text: str | None) -> str:
    """A cell's wrapped lines as one label: no space between CJK pieces, one space otherwise."""
    if not text:
        return ""
    parts = [p.strip() for p in text.replace("\r", "\n").split("\n") if p.strip()]
    out = ""
    for part in parts:
        if out and not (_CJK_EDGE.match(out[-1]) or _CJK_EDGE.match(part[0])):
            out += " "
        out += part
    return close_letter_spacing(out.replace("\t", " "))


def close_letter_spacing(text: str) -> str:
    """Drop the gaps pdfplumber reads in letter-spaced labels ("结 果维持" → "结果维持").

    Only a gap next to a lone Chinese character is closed: a space between two words
    ("区卫生健康局 区民政局") is real.
    """
    tokens = text.split(" ")
    out = tokens[0]
    for prev, token in zip(tokens, tokens[1:], strict=False):
        lone = _LONE_CJK.fullmatch(prev) or _LONE_CJK.fullmatch(token)
        if lone and out and token and _CJK_EDGE.match(out[-1]) and _CJK_EDGE.match(token[0]):
            out += token
        else:
            out += " " + token
    return out


def _inside(obj: dict, boxes: list[Box]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def read_page(page, number: int) -> PageLayout:
    """Tables (two columns or more) as rows of cells; all other characters as text lines."""
    # Table finding grows with the page's ruling lines; a page drawn with tens of thousands
    # of vector pieces (a map, a scanned chart) is read as text only.
    graphics = len(page.lines) + len(page.rects) + len(page.curves)
    found = page.find_tables() if graphics <= MAX_PAGE_GRAPHICS else []
    tables = [t for t in found if _columns(t) >= 2]
    boxes = [t.bbox for t in tables]
    pieces: list[Piece] = []
    for table in tables:
        texts = table.extract()
        for row, row_texts in zip(table.rows, texts, strict=False):
            cells = [
                (join_cell_lines(text), bbox if text else None)
                for bbox, text in zip(row.cells, row_texts, strict=False)
            ]
            filled = [(text, box) for text, box in cells if text]
            if len(filled) == 1 and sum(t is None for t in row_texts) == len(row_texts) - 1:
                # One cell merged across the whole width: a caption or prose, not a grid row.
                pieces.append(Piece(top=row.bbox[1], text=filled[0][0], box=filled[0][1]))
            elif filled:
                pieces.append(Piece(top=row.bbox[1], cells=cells))
    rest = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    for line in rest.extract_text_lines(layout=False, strip=True, return_chars=False):
        text = line["text"].strip()
        if text:
            box = (line["x0"], line["top"], line["x1"], line["bottom"])
            pieces.append(Piece(top=line["top"], text=text, box=box))
    pieces.sort(key=lambda p: p.top)
    return PageLayout(number, float(page.height), pieces)


def _columns(table) -> int:
    return max((len(row.cells) for row in table.rows), default=0)


def _signature(text: str) -> str:
    return _DIGITS.sub("#", text.replace(" ", ""))


def drop_running_lines(pages: list[PageLayout]) -> None:
    """Remove page numbers and lines repeated in the top or bottom margin of many pages."""
    counts: Counter[str] = Counter()
    for page in pages:
        seen = {_signature(p.text) for p in page.pieces if p.text and _in_margin(p, page)}
        counts.update(seen)
    repeated = {s for s, n in counts.items() if n >= max(3, len(pages) // 2)}
    for page in pages:
        page.pieces = [
            p
            for p in page.pieces
            if not (
                p.text
                and _in_margin(p, page)
                and (_PAGE_NUMBER.match(p.text) or _signature(p.text) in repeated)
            )
        ]


def _in_margin(piece: Piece, page: PageLayout) -> bool:
    return piece.top < page.height * _MARGIN or piece.top > page.height * (1 - _MARGIN)


def render(pages: list[PageLayout]) -> LayoutText:
    """Join the pages into text; table rows as tab-joined cells; record page starts and boxes."""
    out: list[str] = []
    page_starts: list[tuple[int, int]] = []
    boxes: list[tuple[int, int, int, float, float, float, float]] = []
    ocr: list[tuple[int, int, float]] = []
    pos = 0
    for page in pages:
        page_starts.append((pos, page.number))
        for piece in page.pieces:
            if piece.cells:
                for i, (text, box) in enumerate(piece.cells):
                    if i:
                        out.append("\t")
                        pos += 1
                    if text and box:
                        boxes.append((pos, pos + len(text), page.number, *box))
                    if text and piece.cell_confidence:
                        ocr.append((pos, pos + len(text), piece.cell_confidence[i]))
                    out.append(text)
                    pos += len(text)
            else:
                if piece.box:
                    boxes.append((pos, pos + len(piece.text), page.number, *piece.box))
                if piece.confidence is not None:
                    ocr.append((pos, pos + len(piece.text), piece.confidence))
                out.append(piece.text)
                pos += len(piece.text)
            out.append("\n")
            pos += 1
    return LayoutText("".join(out), page_starts, boxes, ocr)


def ocr_page(words, number: int, height: float, cells: Sequence[Box] = ()) -> PageLayout:
    """A scanned page from its OCR words and ruled cells: each ruled table becomes rows of
    cells as pdfplumber gives them for a text PDF (a merged cell in its first row, empty
    slots elsewhere); the other words are lines, and lines whose words stand apart become
    rows of cells too (an unruled table)."""
    pieces: list[Piece] = []
    rest = list(words)
    for table in ruled_tables(cells):
        rows, used = table_pieces(table, rest)
        pieces += rows
        rest = [w for w in rest if id(w) not in used]
    pieces += line_pieces(rest)
    pieces.sort(key=lambda p: p.top)
    return PageLayout(number, height, pieces)


_TOUCH = 2.0  # points: ruled cells this close share a rule, so belong to one table


def ruled_tables(cells: Sequence[Box]) -> list[list[Box]]:
    """Ruled cells grouped into tables (cells that touch); a table has two columns or more."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(cells):
        for j in range(i):
            b = cells[j]
            if (a[0] <= b[2] + _TOUCH and b[0] <= a[2] + _TOUCH
                    and a[1] <= b[3] + _TOUCH and b[1] <= a[3] + _TOUCH):  # fmt: skip
                parent[root(i)] = root(j)
    groups: dict[int, list[Box]] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    return [g for g in groups.values() if len(_clusters([c[0] for c in g])) >= 2]


def _clusters(values: Sequence[float], tolerance: float = 3.0) -> list[float]:
    """Distinct positions: values within ``tolerance`` of the previous one are the same."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _slot(value: float, positions: list[float], tolerance: float = 3.0) -> int:
    return min(range(len(positions)), key=lambda i: abs(positions[i] - value))


def table_pieces(cells: list[Box], words) -> tuple[list[Piece], set[int]]:
    """The rows of one ruled table, and the ids of the words used."""
    contents: dict[Box, list] = {c: [] for c in cells}
    used: set[int] = set()
    for word in words:
        for cell, part in _place(word, cells):
            contents[cell].append(part)
            used.add(id(word))
    columns = _clusters([c[0] for c in cells])
    tops = _clusters([c[1] for c in cells])
    left, right = min(c[0] for c in cells), max(c[2] for c in cells)
    pieces = []
    for top in tops:
        slots: list[tuple[str, Box | None, float]] = [("", None, 1.0)] * len(columns)
        for cell in cells:
            if abs(cell[1] - top) <= 3.0 and contents[cell]:
                lines = ["".join(w.text for w in members) for _, members in _lines(contents[cell])]
                text = join_cell_lines("\n".join(lines))
                confidence = min(w.confidence for w in contents[cell])
                slots[_slot(cell[0], columns)] = (text, cell, confidence)
        filled = [s for s in slots if s[0]]
        if not filled:
            continue
        box = filled[0][1]
        if len(filled) == 1 and box and box[0] - left < 3.0 and right - box[2] < 3.0:
            # One cell across the whole width: a caption or prose, not a grid row.
            pieces.append(Piece(top=top, text=filled[0][0], box=box, confidence=filled[0][2]))
        else:
            pieces.append(
                Piece(top=top, cells=[(t, b) for t, b, _ in slots],
                      cell_confidence=[c for _, _, c in slots])
            )  # fmt: skip
    return pieces, used


def _place(word, cells: list[Box]):
    """The cells a word belongs to: the one holding its middle, or, for a box the OCR ran over
    several cells ("0 0 0"), each space-separated token in the cell under it."""
    from index.ocr import OcrWord

    middle_y = (word.top + word.bottom) / 2
    under = sorted(
        (c for c in cells if c[1] <= middle_y <= c[3] and c[0] < word.x1 and word.x0 < c[2]),
        key=lambda c: c[0],
    )
    tokens = word.text.split()
    if len(under) >= 2 and len(tokens) == len(under):
        width = (word.x1 - word.x0) / max(1, len(word.text))
        pos, out = 0, []
        for cell, token in zip(under, tokens, strict=True):
            at = word.text.index(token, pos)
            pos = at + len(token)
            x0, x1 = word.x0 + at * width, word.x0 + pos * width
            out.append((cell, OcrWord(token, x0, word.top, x1, word.bottom, word.confidence)))
        return out
    middle_x = (word.x0 + word.x1) / 2
    for cell in cells:
        if cell[0] <= middle_x <= cell[2] and cell[1] <= middle_y <= cell[3]:
            return [(cell, word)]
    return []


def _lines(words):
    from index.ocr import page_pieces

    return page_pieces(words)


def line_pieces(words) -> list[Piece]:
    """Words outside ruled tables as lines; a line whose words stand apart is a row of cells.

    Lines of figures (an unruled table) and the lines among them are cut into cells at closer
    gaps, and their labels are put back together as a ruled table prints them
    (``unruled_rows``)."""
    from index.ocr import page_pieces

    lines = page_pieces(words)
    tabular = [sum(bool(_FIGURE.fullmatch(w.text)) for w in line) >= 2 for _, line in lines]
    rows: list[tuple[float, list[list]]] = []
    inside: list[bool] = []
    for i, (top, line) in enumerate(lines):
        among = any(tabular[max(0, i - 2) : i]) and any(tabular[i + 1 : i + 3])
        rows.append((top, _line_cells(line, tabular[i] or among)))
        inside.append(tabular[i] or among)
    if any(tabular):
        rows = unruled_rows(rows, inside)
    pieces = []
    for top, cells in rows:
        if len(cells) == 1:
            text, box, confidence = cells[0]
            pieces.append(Piece(top=top, text=text, box=box, confidence=confidence))
        else:
            pieces.append(
                Piece(top=top, cells=[(t, b) for t, b, _ in cells],
                      cell_confidence=[c for _, _, c in cells])
            )  # fmt: skip
    return pieces


def _line_cells(line, tabular: bool) -> list[list]:
    """One line's words as cells ``[text, box, confidence]``."""
    from index.ocr import is_cell_gap

    members, cuts = line, set()
    if tabular:
        # A label cell never ends in a bare figure: a figure after a label is the next cell.
        members = [part for w in line for part in _cut_figure(w)]
        cuts = {
            id(b)
            for a, b in zip(members, members[1:], strict=False)
            if a.x1 == b.x0 or (not _FIGURE.fullmatch(a.text) and _FIGURE.fullmatch(b.text))
        }
    groups = [[members[0]]]
    for left, right in zip(members, members[1:], strict=False):
        if id(right) in cuts or is_cell_gap(left, right, tabular):
            groups.append([right])
        else:
            groups[-1].append(right)
    cells = [["".join(w.text for w in g), _union(g), min(w.confidence for w in g)] for g in groups]
    if not tabular:
        return cells
    return [part for cell in cells for part in _split_zeros(cell) for part in _split_numbered(part)]


_LEADING_ZERO = re.compile(r"0\d+")
UNSURE = 0.5  # the confidence given to a figure whose reading is ambiguous


def _split_zeros(cell: list) -> list[list]:
    """A figure with a leading zero is two cells set close ("00", "05"): a count is never
    printed so. Zeros are cut off while one split is possible; a rest of two digits or more
    (``013``: 0|13 or 0|1|3) keeps an ambiguous reading, made unsure so it is screened out."""
    text, box, confidence = cell
    if box is None or not _LEADING_ZERO.fullmatch(text):
        return [cell]
    width = (box[2] - box[0]) / len(text)
    parts = []
    at = 0
    while at < len(text) - 1 and text[at] == "0":
        parts.append(
            ["0", (box[0] + at * width, box[1], box[0] + (at + 1) * width, box[3]), confidence]
        )
        at += 1
    rest = text[at:]
    sure = confidence if len(rest) == 1 else min(confidence, UNSURE)
    parts.append([rest, (box[0] + at * width, box[1], box[2], box[3]), sure])
    return parts


_MID_NUMBERING = re.compile(
    r"(?<=[\u3400-\u9fff])(?:[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[、.．])(?=[\u3400-\u9fff]{2})"
)


def _split_numbered(cell: list) -> list[list]:
    """In a table, a row numbering inside a cell ("三、本年（一）予以公开") begins the next
    column's label: the labels of two columns were read as one box."""
    text, box, confidence = cell
    cuts = [m.start() for m in _MID_NUMBERING.finditer(text)]
    if not cuts or box is None:
        return [cell]
    width = (box[2] - box[0]) / max(1, len(text))
    bounds = [0, *cuts, len(text)]
    return [
        [text[a:b], (box[0] + a * width, box[1], box[0] + b * width, box[3]), confidence]
        for a, b in zip(bounds, bounds[1:], strict=False)
    ]


_ALIGN = 4.0  # points: label cells starting this close are in one column
_NUMBERED = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)]|[一二三四五六七八九十]{1,3}\s*[、.．]"
    r"|\d{1,2}\s*[、.．])"
)  # the official row numbering: a cell starting so begins a label, it does not go on one


def unruled_rows(
    rows: list[tuple[float, list[list]]], inside: list[bool]
) -> list[tuple[float, list[list]]]:
    """An unruled table's labels put back together, as a ruled table prints them.

    Without rules a label printed over several lines comes apart: a group label standing
    to the left of its rows ("三、本年 / 度办理结 / 果") is cut across the rows, and a long
    row label wraps onto lines of its own, above or below its figures. Here a label cell
    followed by another label cell on a row of figures is a group label: the fragments
    below it in its column join it; a line without figures joins, cell by cell, the label
    it is aligned with (a wrapped line) or, when it begins a numbered label, the row of
    bare figures after it. Cells starting with the row numbering always begin a label.
    """
    out: list[tuple[float, list[list]]] = []
    groups: list[list] = []  # open group label cells
    label: list | None = None  # the row label of the last row of figures
    pending: tuple[float, list[list]] | None = None  # label lines waiting for their figures
    for (top, cells), in_table in zip(rows, inside, strict=True):
        if not in_table:  # outside the table (or between two): nothing to put together
            if pending is not None:
                out.append(pending)
            groups, label, pending = [], None, None
            out.append((top, cells))
            continue
        figures = [i for i, c in enumerate(cells) if _FIGURE.fullmatch(c[0])]
        if not figures:
            if label is None:
                out.append((top, cells))
                continue
            rest = [c for c in cells if not _continue(c, groups, label)]
            if rest and pending is None and _NUMBERED.match(rest[0][0]):
                pending = (top, rest)
            elif rest:
                out.append((top, rest))
            continue
        labels = [i for i in range(figures[0])]
        if pending is not None:
            cells = _merge_pending(pending[1], cells, labels)
            top = min(top, pending[0])
            figures = [i for i, c in enumerate(cells) if _FIGURE.fullmatch(c[0])]
            labels = [i for i in range(figures[0])]
            pending = None
        if labels:
            for i in labels[:-1]:
                group = _aligned(cells[i], groups)
                if group is not None and not _NUMBERED.match(cells[i][0]):
                    _join(group, cells[i])
                    cells[i] = ["", None, 1.0]
                else:
                    groups = _close(groups, cells[i])
                    groups.append(cells[i])
                    if _move_to_first_row(cells, i, labels[-1], out):
                        cells[i] = ["", None, 1.0]
            label = cells[labels[-1]]
            groups = _close(groups, label)
        out.append((top, cells))
    if pending is not None:
        out.append(pending)
    return sorted(out, key=lambda r: r[0])


_ROW_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[、.．]")


def _move_to_first_row(cells: list[list], at: int, label_at: int, out: list) -> bool:
    """A group label printed beside its k-th sub-row (an unruled table centres it) moved to
    the group's first row, as a ruled table holds it: sub-rows are numbered from 1 in each
    group, so the group begins at the last row numbered 1 above. True if moved."""
    m = _ROW_NUMBER.match(cells[label_at][0])
    if not m or int(m.group(1)) <= 1:
        return False
    for _, row in reversed(out[-(int(m.group(1)) - 1) :]):
        figures = [i for i, c in enumerate(row) if _FIGURE.fullmatch(c[0])]
        if not figures or figures[0] == 0:
            return False
        first = _ROW_NUMBER.match(row[figures[0] - 1][0])
        if first and first.group(1) == "1":
            row.insert(figures[0] - 1, cells[at])
            return True
    return False


def _close(groups: list[list], cell: list) -> list[list]:
    """The group labels still open left of a new label cell (those in its column or right of
    it end there)."""
    return [g for g in groups if g[1][0] < cell[1][0] - _ALIGN and not _same_column(g[1], cell[1])]


def _aligned(cell: list, groups: list[list]) -> list | None:
    return next((g for g in groups if _same_column(g[1], cell[1])), None)


def _same_column(a: Box | None, b: Box | None) -> bool:
    """Two label cells in one column: they start together or mostly overlap."""
    if a is None or b is None:
        return False
    overlap = min(a[2], b[2]) - max(a[0], b[0])
    return abs(a[0] - b[0]) <= _ALIGN or overlap >= 0.5 * min(a[2] - a[0], b[2] - b[0])


def _continue(cell: list, groups: list[list], label: list) -> bool:
    """Join a figureless cell to the group label or row label it continues; True if joined."""
    if _NUMBERED.match(cell[0]):
        return False
    group = _aligned(cell, groups)
    if group is not None:
        _join(group, cell)
        return True
    if _same_column(label[1], cell[1]):
        _join(label, cell)
        return True
    return False


def _join(target: list, cell: list) -> None:
    target[0] += cell[0]
    b, c = target[1], cell[1]
    target[1] = (min(b[0], c[0]), min(b[1], c[1]), max(b[2], c[2]), max(b[3], c[3]))
    target[2] = min(target[2], cell[2])


def _merge_pending(above: list[list], cells: list[list], labels: list[int]) -> list[list]:
    """A row's label cells with the label line printed above them: aligned cells join
    (the upper part first); the others take their place by position."""
    merged = [c for c in cells]
    for cell in above:
        at = next((i for i in labels if _same_column(cells[i][1], cell[1])), None)
        if at is not None:
            below = merged[at]
            merged[at] = [cell[0] + below[0], below[1], min(cell[2], below[2])]
            _join(merged[at], ["", cell[1], 1.0])
        else:
            merged.append(cell)
    return sorted(merged, key=lambda c: c[1][0] if c[1] else 0.0)


_FIGURE = re.compile(r"[\d.,]*\d")
_LABEL_FIGURE = re.compile(r"(?P<label>.*[\u3400-\u9fff）)])(?P<figure>\d[\d.,]*)")


def _cut_figure(word):
    """On a line of figures, a label read together with the figure after it ("行政许可564")
    is two cells: a label cell never ends in a bare figure."""
    from index.ocr import OcrWord

    m = _LABEL_FIGURE.fullmatch(word.text)
    if not m:
        return [word]
    at = word.x0 + (word.x1 - word.x0) * len(m["label"]) / len(word.text)
    return [
        OcrWord(m["label"], word.x0, word.top, at, word.bottom, word.confidence),
        OcrWord(m["figure"], at, word.top, word.x1, word.bottom, word.confidence),
    ]


def _union(words) -> Box:
    return (
        min(w.x0 for w in words), min(w.top for w in words),
        max(w.x1 for w in words), max(w.bottom for w in words),
    )  # fmt: skip


# A picture that can hold a statistical table: several rows across most of the text width.
PICTURE_AREA = 1 / 8  # of the page area
PICTURE_WIDTH = 1 / 3  # of the page width
# Text characters printed over a picture: a letterhead or background under the text, whose
# words the text layer already has; a pasted table screenshot carries none (a caption at most).
PICTURE_MAX_CHARS = 10
PICTURE_MARGIN = 2.0  # points rendered around a picture, so its outer rules are read whole


OcrPageLike = tuple[list, list[Box]]  # (OcrWord list, ruled cells), both in page points


def table_pictures(page) -> list[Box]:
    """The boxes (points) of a text page's embedded pictures large enough to hold a table
    and not covered by the page's own text."""
    width, height = float(page.width), float(page.height)
    out: list[Box] = []
    for image in page.images:
        x0, top = max(0.0, float(image["x0"])), max(0.0, float(image["top"]))
        x1, bottom = min(width, float(image["x1"])), min(height, float(image["bottom"]))
        if (
            x1 - x0 < PICTURE_WIDTH * width
            or (x1 - x0) * (bottom - top) < PICTURE_AREA * width * height
        ):
            continue
        box = (x0, top, x1, bottom)
        if sum(_inside(c, [box]) for c in page.chars) > PICTURE_MAX_CHARS:
            continue
        if not any(_overlap(box, b) for b in out):  # the same picture placed twice
            out.append(box)
    return sorted(out, key=lambda b: b[1])


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _ocr_picture(data: bytes, index: int, box: Box, dpi: int) -> tuple[int, Box, OcrPageLike]:
    """Render one picture's region of a page and read it; words and cells in page points."""
    import pypdfium2 as pdfium

    from index.ocr import OcrWord, read_scan

    scale = dpi / 72
    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        width, height = page.get_size()
        image = page.render(scale=scale).to_pil()
    finally:
        pdf.close()
    x0, top = max(0.0, box[0] - PICTURE_MARGIN), max(0.0, box[1] - PICTURE_MARGIN)
    x1, bottom = min(width, box[2] + PICTURE_MARGIN), min(height, box[3] + PICTURE_MARGIN)
    crop = image.crop(tuple(round(v * scale) for v in (x0, top, x1, bottom)))
    scan = read_scan(crop, scale)
    words = [
        OcrWord(w.text, w.x0 + x0, w.top + top, w.x1 + x0, w.bottom + top, w.confidence)
        for w in scan.words
    ]
    cells = [(c[0] + x0, c[1] + top, c[2] + x0, c[3] + top) for c in scan.cells]
    return index, box, (words, cells)


def ocr_pictures(
    data: bytes,
    pictures: Sequence[tuple[int, Box]],
    seconds: float,
    done_before: int = 0,
    total: int | None = None,
    on_page: Callable[[int, int], None] | None = None,
    dpi: int = 150,
) -> dict[tuple[int, Box], OcrPageLike]:
    """OCR the pictures ``(page index, box)`` across the machine's cores within ``seconds``;
    pictures not read in time are missing from the result. Progress counts on from
    ``done_before`` of ``total``."""
    from index.parallel import run_timed

    total = total if total is not None else done_before + len(pictures)
    report = (lambda count: on_page(done_before + count, total)) if on_page else None
    jobs = [(data, index, box, dpi) for index, box in pictures]
    done = run_timed(_ocr_picture, jobs, seconds, report)
    return {(index, box): read for index, box, read in done.values()}


def _picture_text(pictures: Sequence[tuple[int, Box]]) -> str:
    counts = Counter(index + 1 for index, _ in pictures)
    return "、".join(f"第 {n} 页 {k} 张图片" for n, k in sorted(counts.items()))


def read_pdf_layout(
    data: bytes,
    max_pages: int,
    ocr_seconds: float = OCR_SECONDS,
    max_ocr_pages: int | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> tuple[LayoutText, int]:
    """The layout text of at most ``max_pages`` pages; also returns the document's page count.

    Pages without a text layer are read by OCR, and so are the table-sized pictures on text
    pages (their lines stand where the picture stands): at most ``max_ocr_pages`` pages and
    pictures together, within ``ocr_seconds``; ``on_page(done, total)`` reports each one read.
    """
    import io
    import logging
    import time

    import pdfplumber

    started = time.monotonic()
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        total = len(pdf.pages)
        pages, scanned, pictures = [], [], []
        for number, page in enumerate(pdf.pages[:max_pages], start=1):
            if not page.chars:  # no text layer: a scan (or a blank page), read by OCR below
                scanned.append((number, float(page.height)))
            else:
                pictures += [(number - 1, box) for box in table_pictures(page)]
            pages.append(read_page(page, number))
            page.close()
    notes = []
    if max_ocr_pages is not None and len(scanned) > max_ocr_pages:
        notes.append(
            f"ocr_page_cap: 扫描页共 {len(scanned)} 页，只识别前 {max_ocr_pages} 页"
            "（GONGKAI_MAX_OCR_PAGES）"
        )
        scanned = scanned[:max_ocr_pages]
    room = None if max_ocr_pages is None else max(0, max_ocr_pages - len(scanned))
    if room is not None and len(pictures) > room:
        notes.append(
            f"ocr_page_cap: 文中图片共 {len(pictures)} 张，只识别前 {room} 张"
            "（GONGKAI_MAX_OCR_PAGES）"
        )
        pictures = pictures[:room]
    ocr_note = ""
    if scanned or pictures:
        from index.ocr import ocr_available, ocr_pdf_pages

        if not ocr_available():
            if pictures:
                notes.append(
                    f"images_not_read: 未安装文字识别引擎，{_picture_text(pictures)}未识别"
                )
        else:
            todo = len(scanned) + len(pictures)
            report = (lambda done, _: on_page(done, todo)) if on_page else None
            indexes = [n - 1 for n, _ in scanned]
            read = ocr_pdf_pages(data, indexes, seconds=ocr_seconds, on_page=report)
            for number, height in scanned:
                if number - 1 in read:
                    scan = read[number - 1]
                    pages[number - 1] = ocr_page(scan.words, number, height, scan.cells)
            done = [n for n, _ in scanned if n - 1 in read]
            missing = [n for n, _ in scanned if n - 1 not in read]
            ocr_note = f"ocr_pages: {'、'.join(map(str, done))}" if done else ""
            if missing:
                ocr_note += f"；ocr_time_limit: 第 {'、'.join(map(str, missing))} 页未在时限内识别"
            left = ocr_seconds - (time.monotonic() - started)
            seen = ocr_pictures(data, pictures, left, len(read), todo, on_page) if left > 0 else {}
            for (index, _), (words, cells) in seen.items():
                page = pages[index]
                page.pieces += ocr_page(words, page.number, page.height, cells).pieces
                page.pieces.sort(key=lambda p: p.top)
            read_pictures = [p for p in pictures if p in seen]
            late = [p for p in pictures if p not in seen]
            if read_pictures:
                notes.insert(0, f"image_ocr: {_picture_text(read_pictures)}")
            if late:
                notes.append(f"ocr_time_limit: {_picture_text(late)}未在时限内识别")
    drop_running_lines(pages)
    layout = render(pages)
    layout.note = "；".join(n for n in (ocr_note, *notes) if n)
    return layout, total
