"""A citation: a numbered span of one document's cleaned text, quoted exactly."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol, TypedDict


class Cited(Protocol):
    """What a citation reads from a document (index.models.Document)."""

    doc_id: str
    title: str
    region: str
    year: int | None
    text: str


class CitationDict(TypedDict):
    """A :class:`Citation` as JSON (``Citation.to_dict``)."""

    n: int
    doc_id: str
    title: str
    region: str
    year: int | None
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    title: str
    region: str
    year: int | None
    start: int
    end: int
    quote: str  # exactly doc.text[start:end]

    @classmethod
    def of(cls, n: int, doc: Cited, start: int, end: int) -> Citation:
        return cls(n, doc.doc_id, doc.title, doc.region, doc.year, start, end, doc.text[start:end])

    def to_dict(self) -> CitationDict:
        """The JSON object of the answer contract (REST API, UI, ``ask --json``)."""
        return CitationDict(**asdict(self))
