"""The one entry point the CLI, the UI and the evaluation runner share: ``answer(question, history)``.

The answering pipeline, run forward once per question (each step one trace line):
follow-up resolution (assistant.followup) → spelling correction (assistant.spelling) →
understanding, once (assistant.understand) → routing and the scope check (assistant.router) →
a structured tool (table_tool, task_tool, metadata) or retrieval (assistant.retrieve) →
generation and citation checks (assistant.rag, assistant.cite) → one :class:`Answer`.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel

from assistant.answer import Answer, refusal
from assistant.corpus import Corpus, CorpusSnapshots
from assistant.followup import resolve, rewrite_with_llm
from assistant.lexicon import english_terms, region_aliases
from assistant.rag import RagOutcome, answer_from_hits, load_prompt, question_terms
from assistant.router import REFUSE, Route, holdings, route
from assistant.scope import of_issuers
from assistant.selection import doc_warnings
from assistant.spelling import correct_homophones, correction_note
from assistant.tool import NotMine
from assistant.trace import Trace, describe_query
from assistant.turn import History, Turn, turns_from
from assistant.understand import Query, understand
from config import Settings, load_settings
from domain import refusals
from domain.citation import Citation
from index.models import Document

if TYPE_CHECKING:
    from assistant.retrieve import Hit, Retrieval

__all__ = ["MAX_QUESTION_CHARS", "Answer", "Assistant", "answer", "default_assistant"]

MAX_QUESTION_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
Filters = Mapping[str, str | int]  # the UI's selectors: region, year, kind
Stream = tuple[Callable[[str], None] | None, Callable[[Answer], None] | None]


@dataclass(frozen=True)
class Asked:
    """How one question is to be answered: the backend, the UI's filters, the streaming
    callbacks (tokens, the extractive draft), and the trace its steps write to."""

    llm: str
    filters: Filters
    stream: Stream
    trace: Trace


class Assistant:
    """Holds the stores and models, loaded once, and answers questions."""

    def __init__(self, settings: Settings | None = None, llm: str | None = None):
        from index.stores.sqlite import SQLiteStore

        self.settings = settings or load_settings()
        self.store = SQLiteStore(self.settings.db_path)
        self.snapshots = CorpusSnapshots(self.store)
        self.llm_backend = llm or self.settings.llm
        self._chat_models: dict[str, BaseChatModel] = {}
        self._lock = threading.Lock()

    # -- corpus -------------------------------------------------------------------------
    def corpus(self) -> Corpus:
        """The store's documents, cells and tasks as of now (one snapshot per generation)."""
        return self.snapshots.current()

    def documents(self) -> list[Document]:
        return self.corpus().documents

    def retrieval(self) -> Retrieval:
        """The search engine over the current indexes."""
        from assistant.retrieve import open_retrieval

        return open_retrieval(self.settings)

    def chat_model(self, backend: str) -> BaseChatModel:
        """The chat model of ``backend``, loaded once."""
        from assistant.llm import get_chat_model, resolve_backend

        backend = resolve_backend(backend, self.settings)
        if backend not in self._chat_models:
            self._chat_models[backend] = get_chat_model(backend, self.settings)
        return self._chat_models[backend]

    # -- answering: the pipeline ----------------------------------------------------------
    def answer(
        self,
        question: str,
        history: History | None = None,
        llm: str | None = None,
        filters: Filters | None = None,
        on_token: Callable[[str], None] | None = None,
        on_draft: Callable[[Answer], None] | None = None,
    ) -> Answer:
        """Answer one question; ``history`` holds earlier turns as Answer.to_dict() dicts.

        With an LLM, ``on_draft`` receives the extractive answer and its citations before the
        model starts, and ``on_token`` the model's tokens as they come.
        """
        started = time.perf_counter()
        question = " ".join(_CONTROL.sub(" ", question).split())  # control characters as spaces
        if len(question) > MAX_QUESTION_CHARS:
            text = refusals.too_long(len(question), MAX_QUESTION_CHARS)
            return refusal(question[:MAX_QUESTION_CHARS], "none", text)
        corpus = self.corpus()  # one snapshot for the whole question
        backend = llm or self.llm_backend
        trace = Trace()
        turns = turns_from(history or [], corpus.documents)  # each earlier turn understood once
        rewritten, understood = self._resolve(question, turns, corpus.documents, backend, trace)
        stream = (on_token, on_draft)
        result = self._answer_resolved(
            rewritten, understood, corpus, backend, filters or {}, stream, trace
        )
        trace.add("compose", "assistant.api", result.mode or result.route,
                  f"{len(result.citations)} citations; refused={result.refused}")  # fmt: skip
        result.question = question
        result.rewritten = rewritten
        result.trace = trace.steps
        result.latency_ms = int((time.perf_counter() - started) * 1000)
        return result

    def _resolve(
        self,
        question: str,
        turns: Sequence[Turn],
        docs: Sequence[Document],
        backend: str,
        trace: Trace,
    ) -> tuple[str, Query | None]:
        """The question made self-contained by the earlier turns (itself when it already is),
        and its Query when resolution already understood that text as it stands."""
        resolution = resolve(question, turns, docs)
        rewritten, understood = resolution.text, resolution.query
        trace.add("follow-up", "assistant.followup", resolution.rule, rewritten)
        if resolution.needs_model and backend != "none":  # the rules could only guess
            try:
                chat = self.chat_model(backend)
            except Exception:  # no model here: the rules' rewrite stands
                chat = None
            by_model = rewrite_with_llm(question, turns, chat, docs)
            if by_model:
                rewritten, understood = by_model, None
                trace.add("follow-up", "assistant.followup", f"rewritten by {backend}", rewritten)
        return rewritten, understood

    def _answer_resolved(
        self,
        question: str,
        understood: Query | None,
        corpus: Corpus,
        llm: str,
        filters: Filters,
        stream: Stream,
        trace: Trace,
    ) -> Answer:
        """A self-contained question: corrected, understood once, routed, answered."""
        corrected, corrections = correct_homophones(question, corpus.documents)
        if corrections:
            trace.add("correct", "assistant.spelling", "corrected", corrected)
        if understood is None or corrections:
            query = understand(corrected, corpus.documents)
        else:  # follow-up resolution read this very text already
            query = understood
        trace.add("understand", "assistant.understand", "slots", describe_query(query))
        chosen = route(query, corpus)
        trace.add("route", "assistant.router", chosen.name, chosen.reason)
        asked = Asked(llm, filters, stream, trace)
        result = self._answer_routed(query, chosen, corpus, asked)
        if corrections:
            result.answer = f"{correction_note(corrections)}{result.answer}"
        result.query = query
        return result

    def _answer_routed(self, query: Query, chosen: Route, corpus: Corpus, asked: Asked) -> Answer:
        """The routed question answered by its tool, or by retrieval when it has none or the
        tool declines."""
        if chosen.name == REFUSE:
            return refusal(query.question, "none", chosen.refusal)
        if chosen.tool is not None:
            result = chosen.tool.answer(query, corpus)
            module = type(chosen.tool).__module__
            if not isinstance(result, NotMine):
                made = "refused" if result.refused else f"answered from the {chosen.name}"
                asked.trace.add("tool", module, made, f"{len(result.citations)} spans cited")
                return result
            asked.trace.add("tool", module, "not mine", f"{result.reason}: retrieval")
        return self._answer_by_retrieval(query, corpus, asked)

    def _answer_by_retrieval(self, query: Query, corpus: Corpus, asked: Asked) -> Answer:
        """Hybrid search scoped by the query's regions, years and departments, then a
        generated or extractive answer whose sentences are checked against the passages."""
        question, filters, trace = query.question, asked.filters, asked.trace
        docs = corpus.documents
        on_token, on_draft = asked.stream
        retrieval = self.retrieval()
        chosen = retrieval.filters_for(
            question,
            filters.get("region") or query.regions or None,
            filters.get("year") or query.years or None,
            filters.get("kind") or None,
            auto=False,
            corpus=corpus,
        )
        named = {a for r in query.regions for a in region_aliases(r)} | set(query.issuers)
        drop = sorted(named, key=len, reverse=True)  # the document's own names are no content
        terms = question_terms(question, drop)
        # Keyword search cannot match English words in Chinese text: add their translations.
        translated = " ".join(t.replace("|", " ") for t in english_terms(question.lower()))
        tuning = self.settings.tuning
        # a named department: search deeper, then keep its report's passages only
        depth = tuning.issuer_depth if query.issuers else tuning.passages
        topic = question
        for name in sorted(query.issuers, key=len, reverse=True):  # filtered below, not a topic
            topic = topic.replace(name, " ")
        hits = retrieval.search(f"{topic} {translated}".strip(), depth, chosen, corpus=corpus)
        hits = of_issuers(hits, query.issuers, docs)[: tuning.passages]
        trace.add("retrieve", "assistant.retrieve", f"{len(hits)} passages",
                  describe_search(chosen.describe(), hits))  # fmt: skip
        chat = self.chat_model(asked.llm) if asked.llm != "none" else None
        draft = (lambda o: on_draft(rag_answer(question, o, docs))) if on_draft else None
        outcome = answer_from_hits(question, hits, chat, terms, on_token=on_token, on_draft=draft)
        trace.add("verify", "assistant.rag", outcome.mode,
                  f"{len(outcome.cited)} passages cited; {len(outcome.dropped)} sentences dropped")  # fmt: skip
        if outcome.refused:
            searched = describe_search(chosen.describe(), hits)
            text = (
                load_prompt("refuse")
                .strip()
                .format(question=question, searched=searched, holdings=holdings(docs))
            )
            return refusal(question, "rag", text, warnings=outcome.warnings)
        return rag_answer(question, outcome, docs)


def rag_answer(question: str, outcome: RagOutcome, docs: Sequence[Document]) -> Answer:
    """The Answer of a (non-refused) retrieval outcome: cited passages renumbered 1…n."""
    by_id = {d.doc_id: d for d in docs}
    citations: list[Citation] = []
    renumber: dict[int, int] = {}
    for p in outcome.passages:
        if p.n not in outcome.cited:
            continue
        renumber[p.n] = len(citations) + 1
        doc = by_id[p.hit.doc_id]
        start = p.hit.start + max(0, p.hit.text.find(p.text[:20]))
        citations.append(Citation.of(renumber[p.n], doc, start, start + len(p.text)))
    text = renumber_markers(outcome.text, renumber)
    warnings = outcome.warnings + doc_warnings(
        by_id[p.hit.doc_id] for p in outcome.passages if p.n in renumber
    )
    value, unit = outcome.figure or (None, "")
    return Answer(
        question, text, "rag", value=value, unit=unit, citations=citations,
        warnings=warnings, mode=outcome.mode,
    )  # fmt: skip


def renumber_markers(text: str, renumber: dict[int, int]) -> str:
    return re.sub(r"\[(\d+)\]", lambda m: f"[{renumber.get(int(m.group(1)), m.group(1))}]", text)


def describe_search(filters: str, hits: Sequence[Hit]) -> str:
    titles = list(dict.fromkeys(h.title for h in hits))[:3]
    found = f"，最相关的文档为《{'》《'.join(titles)}》" if titles else ""
    return f"范围：{filters or '全部文档'}{found}"


_DEFAULT: Assistant | None = None


def default_assistant() -> Assistant:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Assistant()
    return _DEFAULT


def answer(question: str, history: History | None = None, **kwargs: Any) -> Answer:
    """Answer with the default assistant (settings from GONGKAI_* environment variables)."""
    return default_assistant().answer(question, history, **kwargs)
