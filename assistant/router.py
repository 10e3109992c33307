"""Every routing decision, made once per question from what it was understood as.

In order: an empty corpus or a region/year the corpus does not hold → refuse (the one scope
check, naming what the corpus holds); a field of a document itself (文号, 印发日期 …) → the
document's tags; tasks, units or deadlines → the task tables; a figure the statistical tables
define → their cells; anything else → retrieval. Each :class:`Route` says why. A tool may still
decline (:class:`~assistant.tool.NotMine`); the pipeline then falls through to retrieval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.corpus import Corpus
from assistant.metadata import DocumentFieldTool, asked_field, documents_asked
from assistant.scope import distinct_regions
from assistant.table_tool import TableTool
from assistant.task_tool import TaskTool
from assistant.tool import Tool
from assistant.understand import Query
from domain import refusals
from domain.kinds import short_name
from index.models import Document
from index.tag import is_own_level

REFUSE, DOCUMENT, TASKS, TABLE, RAG = "refuse", "document", "tasks", "table", "rag"


@dataclass(frozen=True)
class Route:
    """Where a question goes and why; ``tool`` answers it, ``refusal`` is the text of a refusal."""

    name: str  # refuse | document | tasks | table | rag
    reason: str
    tool: Tool | None = None
    refusal: str = ""


def route(query: Query, corpus: Corpus) -> Route:
    """Decide where an understood (self-contained) question goes."""
    docs = corpus.documents
    if not docs:
        return Route(REFUSE, "the corpus is empty", refusal=refusals.EMPTY_CORPUS)
    missing = scope_gap(query, docs)
    if missing:
        text = refusals.out_of_scope(missing, holdings(docs))
        return Route(REFUSE, f"the corpus holds no {missing}", refusal=text)
    field = asked_field(query.question)
    if field and documents_asked(query.question, query.regions, query.years, docs):
        return Route(DOCUMENT, f"asks for a field of a document: {field}", DocumentFieldTool())
    if query.is_task:
        why = "asks about tasks, units or deadlines of a work-point table"
        return Route(TASKS, why, TaskTool())
    if query.is_numeric:
        return Route(TABLE, "asks for a figure the statistical tables define", TableTool())
    why = "neither a table figure nor a task" + (
        f" (words no table label covers: {'、'.join(query.unexplained)})"
        if query.unexplained
        else ""
    )
    return Route(RAG, why)


def scope_gap(query: Query, docs: Sequence[Document]) -> str:
    """The regions/years a question names that the corpus does not hold ('' when none)."""
    if query.unknown_regions:
        return "、".join(query.unknown_regions)
    held = [d for d in docs if not query.regions or d.region in query.regions]
    years = {d.year for d in held if d.year}
    missing = [y for y in query.years if y not in years]
    if missing and len(missing) == len(query.years):
        where = "、".join(distinct_regions(query.regions))  # 济南市莱芜区 and 莱芜区 are one
        return f"{where}{'、'.join(str(y) for y in missing)}年"
    return ""


def holdings(documents: Sequence[Document]) -> str:
    """What the corpus holds, for refusals: 济南市莱芜区（2020年年报、2022年工作要点）…"""
    by_region: dict[str, list[str]] = {}
    for doc in documents:
        kind = short_name(doc.kind)
        if doc.issuer and not is_own_level(doc.issuer):
            kind = f"{doc.issuer}{kind}"  # a department's report: 2024年公安局年报
        label = f"{doc.year}年{kind}" if doc.year else f"年份未知的{kind}"
        by_region.setdefault(doc.region or "地区未标注", []).append(label)
    return "；".join(f"{r}（{'、'.join(sorted(v))}）" for r, v in sorted(by_region.items()))
