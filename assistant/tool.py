"""The protocol every structured answerer implements: answer a question, or say why not.

A tool (the statistical tables, the task tables, the documents' own fields) gets the
understood :class:`Query` and the :class:`Corpus` snapshot; it returns an :class:`Answer`, or
:class:`NotMine` with the reason it declines, which the pipeline records in the trace before
it falls through to retrieval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from assistant.answer import Answer
from assistant.corpus import Corpus
from assistant.understand import Query


@dataclass(frozen=True)
class NotMine:
    """A tool declines a question: ``reason`` says why (for the trace)."""

    reason: str


class Tool(Protocol):
    """An answerer over structured data; ``name`` is the route it answers for."""

    name: str

    def answer(self, query: Query, corpus: Corpus) -> Answer | NotMine: ...


def settled(result: Answer | NotMine, route: str) -> Answer | NotMine:
    """A tool's result with how its text was made: by the tool's route, or a refusal."""
    if isinstance(result, Answer):
        result.mode = "refused" if result.refused else route
    return result
