"""Rules-first router: task questions → task table, numeric questions → table cells, rest → retrieval.

A numeric question the tables cannot answer (no such cell, a report whose tables are missing)
returns None from its tool and falls through to retrieval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.understand import Query, understand
from index.models import Document

if TYPE_CHECKING:
    from assistant.corpus import Corpus
    from assistant.tools import StructuredAnswer


@dataclass
class Route:
    name: str  # table | tasks | rag
    query: Query
    run: Callable[[Corpus], StructuredAnswer | None] | None = None
    reason: str = ""


def route_question(question: str, documents: Sequence[Document]) -> Route:
    """Decide where a (self-contained) question goes."""
    from assistant.tools import answer_table, answer_tasks

    query = understand(question, documents)
    if query.is_task:
        why = "asks about tasks, units or deadlines of a work-point table"
        return Route("tasks", query, lambda corpus: answer_tasks(query, corpus), why)
    if query.is_numeric:
        why = "asks for a figure the statistical tables define"
        return Route("table", query, lambda corpus: answer_table(query, corpus), why)
    why = "neither a table figure nor a task" + (
        f" (words no table label covers: {'、'.join(query.unexplained)})"
        if query.unexplained
        else ""
    )
    return Route("rag", query, reason=why)
