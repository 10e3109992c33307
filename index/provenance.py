"""Where a fact sits on the printed page: its PDF page and the box of its cell."""

from __future__ import annotations

import bisect
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
