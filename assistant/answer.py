"""The one answer type every answering step returns, and what the ``ask --json`` contract prints.

A tool, the document-field answer, retrieval and every refusal build an :class:`Answer`;
citations stay :class:`~domain.citation.Citation` objects until the JSON edge (``to_json`` /
``to_dict``). ``query`` is what the question was understood as: the next turn's follow-up
resolution reads it (``assistant.turn.turns_from``) instead of understanding the text again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, TypedDict

from assistant.trace import Step
from assistant.understand import Query
from domain.citation import Citation, CitationDict

_JSON_KEYS = ("question", "answer", "route", "value", "unit", "refused", "citations", "warnings",
              "latency_ms")  # fmt: skip


class FactDict(TypedDict):
    """An ``index.models.Fact`` as JSON (``Fact.to_dict``): one printed or summed table cell."""

    doc_id: str
    table: str
    row: str
    col: str
    value: float | None
    unit: str
    start: int
    end: int
    origin: str
    region: str
    year: int | None
    blank: bool
    cell_start: int
    cell_end: int
    page: int | None
    bbox: tuple[float, float, float, float] | None
    issuer: str


class CellDict(TypedDict):
    """A figure an answer used (``assistant.cells.cell_dict``): the facts it was read or summed
    from, and the formula of a sum."""

    doc_id: str
    region: str
    year: int | None
    label: str
    value: float | None
    unit: str
    facts: list[FactDict]
    formula: str
    origin: str  # table | sum | text


class AnswerDict(TypedDict):
    """An :class:`Answer` as plain data (``Answer.to_dict``): a history turn, the UI's state."""

    question: str
    answer: str
    route: str
    value: float | None
    unit: str
    refused: bool
    citations: list[CitationDict]
    warnings: list[str]
    latency_ms: int
    rewritten: str
    mode: str
    cells: list[CellDict]
    series: dict[str, float]
    tasks: list[dict[str, Any]]  # a Task's fields and its document's title
    trace: list[dict[str, Any]]  # Step fields (what --explain prints)
    query: dict[str, Any] | None  # Query fields


@dataclass
class Answer:
    """The answer contract of DESIGN.md (plus what the UI shows beside it)."""

    question: str
    answer: str
    route: str  # table | tasks | rag | none
    value: float | None = None
    unit: str = ""
    refused: bool = False
    citations: list[Citation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    latency_ms: int = 0
    rewritten: str = ""
    mode: str = ""  # how the text was made: table | tasks | document | llm | extractive | refused
    cells: list[CellDict] = field(default_factory=list)  # facts used (the UI's table)
    series: dict[str, float] = field(default_factory=dict)  # label → value, for comparisons
    tasks: list[dict[str, Any]] = field(default_factory=list)  # task rows listed
    trace: list[Step] = field(default_factory=list)  # why it went where it went (--explain)
    query: Query | None = None  # what the question was understood as (not in the contract)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the ``ask --json`` contract."""
        data = {k: getattr(self, k) for k in _JSON_KEYS}
        data["citations"] = [c.to_dict() for c in self.citations]
        if self.rewritten and self.rewritten != self.question:
            data["rewritten"] = self.rewritten
        return data

    def to_dict(self) -> AnswerDict:
        """Every field as plain data: a history turn (``assistant.turn.turn_from`` reads it)."""
        return asdict(self)  # type: ignore[return-value]  # the keys AnswerDict names


def refusal(question: str, route: str, text: str, warnings: list[str] | None = None) -> Answer:
    """A refusal: no figure, the reason as the answer text."""
    return Answer(question, text, route, refused=True, warnings=warnings or [], mode="refused")
