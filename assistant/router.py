"""Rules-first router: task questions → task table, numeric questions → table cells, rest → retrieval.

A numeric question the tables cannot answer (no such cell, a report whose tables are missing)
returns None from its tool and falls through to retrieval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.understand import Query, understand
from index.models import Document


@dataclass
class Route:
    name: str  # table | tasks | rag
    query: Query
    run: Callable[[Any], Any] | None = None  # store → StructuredAnswer | None


def route_question(question: str, documents: Sequence[Document]) -> Route:
    """Decide where a (self-contained) question goes."""
    from assistant.tools import answer_table, answer_tasks

    query = understand(question, documents)
    if query.is_task:
        return Route("tasks", query, lambda store: answer_tasks(query, store))
    if query.is_numeric:
        return Route("table", query, lambda store: answer_table(query, store))
    return Route("rag", query)
