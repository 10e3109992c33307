"""Where a fact sits on the printed page: its PDF page and the box of its cell."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from index.clean import CleanedText
from index.models import Document, Fact

RawBox = tuple[
    int, int, int, float, float, float, float
]  # raw start, end, page, x0, top, x1, bottom


@dataclass(frozen=True)
class TextBox:
    """A piece of cleaned text and where it was printed."""

    start: int
    end: int
    page: int
    bbox: tuple[float, float, float, float]


def to_clean_boxes(boxes: list[RawBox], cleaned: CleanedText) -> list[TextBox]:
    """Map loader boxes (raw offsets) onto the cleaned text; pieces cleaning dropped are left out."""
    segments = sorted(cleaned.segments, key=lambda s: s[1])
    raw_starts = [raw for _, raw, _ in segments]
    out: list[TextBox] = []
    for start, end, page, x0, top, x1, bottom in boxes:
        i = bisect.bisect_right(raw_starts, start) - 1
        if i < 0:
            continue
        clean_start, raw_start, length = segments[i]
        if start >= raw_start + length or end > raw_start + length:
            continue  # dropped (page number, chrome) or split by cleaning: no exact place
        offset = clean_start + start - raw_start
        out.append(TextBox(offset, offset + end - start, page, (x0, top, x1, bottom)))
    out.sort(key=lambda b: b.start)
    return out


def locate_facts(facts: list[Fact], boxes: list[TextBox], doc: Document) -> None:
    """Set each fact's ``page`` and ``bbox`` from the box holding its cell span (in place).

    A fact whose cell has no box (a blank cell, a non-PDF source) gets only the page of its span.
    """
    starts = [b.start for b in boxes]
    for fact in facts:
        at = fact.cell_start if fact.cell_end > fact.cell_start else fact.start
        i = bisect.bisect_right(starts, at) - 1
        if fact.cell_end > fact.cell_start and i >= 0 and boxes[i].end >= fact.cell_end:
            fact.page, fact.bbox = boxes[i].page, boxes[i].bbox
        elif doc.pages and fact.page is None:
            fact.page = doc.page_at(at)


OCR_MIN_CONFIDENCE = 0.9  # below it an OCR'd cell is not used as a figure
_FAILED = re.compile(r"identity_failed: (?P<table>[^/\s]+)/(?P<name>[^:：]+)")


def screen_ocr_facts(
    facts: list[Fact], ocr: list[tuple[int, int, float]], cleaned: CleanedText, warnings: list[str]
) -> tuple[list[Fact], list[str]]:
    """Facts read from a scan that cannot be trusted as plain figures are left out, each named
    in an ``ocr_uncertain`` warning: a cell the OCR read with low confidence, and every cell of
    a row or column whose identity fails (one misread digit breaks it). A wrong number is worse
    than no answer."""
    if not ocr:
        return facts, []
    spans = sorted((cleaned.from_raw(s), cleaned.from_raw(s) + e - s, c) for s, e, c in ocr)
    starts = [s for s, _, _ in spans]
    failed = {(m["table"], m["name"].strip()) for w in warnings if (m := _FAILED.match(w))}
    kept, dropped = [], []
    for fact in facts:
        i = bisect.bisect_right(starts, fact.cell_start) - 1
        scanned = i >= 0 and fact.cell_end > fact.cell_start and spans[i][1] >= fact.cell_end
        if not scanned or fact.origin != "table":
            kept.append(fact)
            continue
        low = spans[i][2] < OCR_MIN_CONFIDENCE
        broken = (fact.table, fact.row) in failed or (fact.table, fact.col) in failed
        (dropped if low or broken else kept).append(fact)
    names = sorted({f"{f.table}/{f.row}.{f.col}" for f in dropped})
    note = (
        [
            f"ocr_uncertain: {len(names)} 个扫描识别的单元格置信度不足或勾稽关系不成立，未采用（{'、'.join(names[:6])}…）"
        ]
        if names
        else []
    )
    dropped_rows = {(f.table, f.row) for f in dropped}
    kept = [f for f in kept if not (f.origin == "sum" and (f.table, f.row) in dropped_rows)]
    return kept, note
