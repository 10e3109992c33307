"""The one answer type every answering step returns, and what the ``ask --json`` contract prints.

A tool, the document-field answer, retrieval and every refusal build an :class:`Answer`;
citations stay :class:`~domain.citation.Citation` objects until the JSON edge (``to_json`` /
``to_dict``). ``query`` is what the question was understood as: the next turn's follow-up
resolution reads it (``assistant.turn.turns_from``) instead of understanding the text again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.trace import Step
from assistant.understand import Query
from domain.citation import Citation

_JSON_KEYS = ("question", "answer", "route", "value", "unit", "refused", "citations", "warnings",
              "latency_ms")  # fmt: skip


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
    cells: list[dict[str, Any]] = field(default_factory=list)  # facts used (the UI's table)
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

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain data: a history turn (``assistant.turn.turn_from`` reads it)."""
        return asdict(self)


def refusal(question: str, route: str, text: str, warnings: list[str] | None = None) -> Answer:
    """A refusal: no figure, the reason as the answer text."""
    return Answer(question, text, route, refused=True, warnings=warnings or [], mode="refused")
