"""Structured answers for callers holding a store rather than an Assistant (tests, benchmarks).

The answering pipeline (assistant.api) routes with assistant.router; this is the short path
through the table and task tools only, with no scope check, document fields or retrieval.
"""

from __future__ import annotations

from assistant.answer import Answer
from assistant.corpus import CorpusStore, load_corpus
from assistant.table_tool import TableTool
from assistant.task_tool import TaskTool
from assistant.understand import understand


def answer_structured(question: str, store: CorpusStore) -> Answer | None:
    """Understand ``question`` and answer it from tasks or tables; None → use retrieval."""
    corpus = load_corpus(store)
    query = understand(question, corpus.documents)
    tool = TaskTool() if query.is_task else TableTool()
    result = tool.answer(query, corpus)
    return result if isinstance(result, Answer) else None
