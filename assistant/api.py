"""The one entry point the CLI, the UI and the evaluation runner share: ``answer(question, history)``.

Flow: follow-up resolution → scope check (regions/years the corpus holds) → route → structured
table/task tool, or hybrid retrieval + verified generation → Answer with numbered citations.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.corpus import Corpus, CorpusSnapshots
from assistant.followup import resolve, rewrite_with_llm
from assistant.lexicon import english_terms, region_aliases
from assistant.metadata import answer_document_field, asked_field, documents_asked
from assistant.rag import answer_from_hits, load_prompt, question_terms
from assistant.router import route_question
from assistant.scope import distinct_regions, of_issuers
from assistant.spelling import correct_homophones, correction_note
from assistant.tools import doc_warnings
from assistant.trace import Step, Trace, describe_query
from config import Settings, load_settings
from domain import refusals
from domain.citation import Citation
from domain.kinds import short_name
from index.models import Document
from index.tag import is_own_level

MAX_QUESTION_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Answer:
    """The answer contract of DESIGN.md (plus what the UI shows beside it)."""

    question: str
    answer: str
    route: str  # table | tasks | rag | none
    value: float | None = None
    unit: str = ""
    refused: bool = False
    citations: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    latency_ms: int = 0
    rewritten: str = ""
    mode: str = ""  # how the text was made: table | tasks | llm | extractive | refused
    cells: list[dict] = field(default_factory=list)
    series: dict[str, float] = field(default_factory=dict)
    trace: list[Step] = field(default_factory=list)  # why it went where it went (--explain)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the ``ask --json`` contract."""
        keys = ("question", "answer", "route", "value", "unit", "refused", "citations", "warnings",
                "latency_ms")  # fmt: skip
        data = {k: getattr(self, k) for k in keys}
        if self.rewritten and self.rewritten != self.question:
            data["rewritten"] = self.rewritten
        return data

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def citation_for(n: int, doc: Document, start: int, end: int) -> dict:
    """A citation: the quote is exactly the document's cleaned text over the span."""
    return Citation.of(n, doc, start, end).to_dict()


class Assistant:
    """Holds the stores and models, loaded once, and answers questions."""

    def __init__(self, settings: Settings | None = None, llm: str | None = None):
        from index.stores.sqlite import SQLiteStore

        self.settings = settings or load_settings()
        self.store = SQLiteStore(self.settings.db_path)
        self.snapshots = CorpusSnapshots(self.store)
        self.llm_backend = llm or self.settings.llm
        self._chat_models: dict[str, Any] = {}
        self._lock = threading.Lock()

    # -- corpus -------------------------------------------------------------------------
    def corpus(self) -> Corpus:
        """The store's documents, cells and tasks as of now (one snapshot per generation)."""
        return self.snapshots.current()

    def documents(self) -> list[Document]:
        return self.corpus().documents

    def retrieval(self):
        from assistant.retrieve import open_retrieval

        return open_retrieval(self.settings)

    def chat_model(self, backend: str):
        from assistant.llm import get_chat_model, resolve_backend

        backend = resolve_backend(backend, self.settings)
        if backend not in self._chat_models:
            self._chat_models[backend] = get_chat_model(backend, self.settings)
        return self._chat_models[backend]

    # -- answering ----------------------------------------------------------------------
    def answer(
        self,
        question: str,
        history: Sequence[dict] | None = None,
        llm: str | None = None,
        filters: dict | None = None,
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
        docs = corpus.documents
        backend = llm or self.llm_backend
        trace = Trace()
        resolution = resolve(question, history or [], docs)
        rewritten = resolution.text
        trace.add("follow-up", "assistant.followup", resolution.rule, rewritten)
        if resolution.needs_model and backend != "none":  # the rules could only guess
            try:
                chat = self.chat_model(backend)
            except Exception:  # no model here: the rules' rewrite stands
                chat = None
            rewritten = rewrite_with_llm(question, history or [], chat, docs) or rewritten
            trace.add("follow-up", "assistant.followup", f"rewritten by {backend}", rewritten)
        stream = (on_token, on_draft)
        result = self._answer_resolved(rewritten, corpus, backend, filters or {}, stream, trace)
        trace.add("compose", "assistant.api", result.mode or result.route,
                  f"{len(result.citations)} citations; refused={result.refused}")  # fmt: skip
        result.question = question
        result.rewritten = rewritten
        result.trace = trace.steps
        result.latency_ms = int((time.perf_counter() - started) * 1000)
        return result

    def _answer_resolved(self, question, corpus, llm, filters, stream, trace) -> Answer:
        docs = corpus.documents
        if not docs:
            trace.add("route", "assistant.api", "refuse", "the corpus is empty")
            return refusal(question, "none", refusals.EMPTY_CORPUS)
        question, corrections = correct_homophones(question, docs)
        if corrections:
            trace.add("correct", "assistant.spelling", "corrected", question)
        result = self._answer_routed(question, corpus, llm, filters, stream, trace)
        if corrections:
            result.answer = f"{correction_note(corrections)}{result.answer}"
        return result

    def _answer_routed(self, question, corpus, llm, filters, stream, trace) -> Answer:
        docs = corpus.documents
        route = route_question(question, docs)
        trace.add("understand", "assistant.understand", "slots", describe_query(route.query))
        missing = scope_gap(route.query, docs)
        if missing:
            trace.add("route", "assistant.api", "refuse", f"the corpus holds no {missing}")
            return refusal(question, "none", refusals.out_of_scope(missing, holdings(docs)))
        field = asked_field(question)
        about = documents_asked(question, route.query.regions, route.query.years, docs)
        if field and about:
            trace.add("route", "assistant.metadata", "document field", field)
            found = answer_document_field(field, about)
            return Answer(
                question, found.text, "rag", refused=found.refused, citations=found.citations,
                warnings=doc_warnings(about), mode="refused" if found.refused else "document",
            )  # fmt: skip
        trace.add("route", "assistant.router", route.name, route.reason)
        if route.name in ("table", "tasks"):
            structured = route.run(corpus)
            if structured is not None:
                trace.add("tool", "assistant.tools", f"answered from the {route.name}",
                          f"{len(structured.citations)} cells or rows cited")  # fmt: skip
                return structured_to_answer(question, route.name, structured)
            trace.add("tool", "assistant.tools", "not mine", "no cell or task fits: retrieval")
        return self._answer_by_retrieval(question, route.query, docs, llm, filters, stream, trace)

    def _answer_by_retrieval(self, question, query, docs, llm, filters, stream, trace) -> Answer:
        on_token, on_draft = stream
        retrieval = self.retrieval()
        chosen = retrieval.filters_for(
            question,
            filters.get("region") or query.regions or None,
            filters.get("year") or query.years or None,
            filters.get("kind") or None,
            auto=False,
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
        hits = retrieval.search(f"{topic} {translated}".strip(), depth, chosen)
        hits = of_issuers(hits, query.issuers, docs)[: tuning.passages]
        trace.add("retrieve", "assistant.retrieve", f"{len(hits)} passages",
                  describe_search(chosen.describe(), hits))  # fmt: skip
        chat = self.chat_model(llm) if llm != "none" else None
        draft = (lambda o: on_draft(rag_answer(question, o, docs))) if on_draft else None
        outcome = answer_from_hits(question, hits, chat, terms, on_token=on_token, on_draft=draft)
        if outcome.refused:
            searched = describe_search(chosen.describe(), hits)
            text = (
                load_prompt("refuse")
                .strip()
                .format(question=question, searched=searched, holdings=holdings(docs))
            )
            return Answer(
                question, text, "rag", refused=True, mode="refused", warnings=outcome.warnings
            )
        return rag_answer(question, outcome, docs)


def rag_answer(question: str, outcome, docs: Sequence[Document]) -> Answer:
    """The Answer of a (non-refused) retrieval outcome: cited passages renumbered 1…n."""
    by_id = {d.doc_id: d for d in docs}
    citations, renumber = [], {}
    for p in outcome.passages:
        if p.n not in outcome.cited:
            continue
        renumber[p.n] = len(citations) + 1
        doc = by_id[p.hit.doc_id]
        start = p.hit.start + max(0, p.hit.text.find(p.text[:20]))
        citations.append(citation_for(renumber[p.n], doc, start, start + len(p.text)))
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


def scope_gap(query, docs: Sequence[Document]) -> str:
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


def describe_search(filters: str, hits) -> str:
    titles = list(dict.fromkeys(h.title for h in hits))[:3]
    found = f"，最相关的文档为《{'》《'.join(titles)}》" if titles else ""
    return f"范围：{filters or '全部文档'}{found}"


def refusal(question: str, route: str, text: str) -> Answer:
    return Answer(question, text, route, refused=True, mode="refused")


def structured_to_answer(question: str, route: str, s) -> Answer:
    return Answer(
        question=question,
        answer=s.answer,
        route=route,
        value=s.value,
        unit=s.unit or "",
        refused=s.refused,
        citations=list(s.citations),
        warnings=list(s.warnings),
        mode="refused" if s.refused else route,
        cells=list(getattr(s, "cells", []) or []),
        series=dict(getattr(s, "series", {}) or {}),
    )


_DEFAULT: Assistant | None = None


def default_assistant() -> Assistant:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Assistant()
    return _DEFAULT


def answer(question: str, history: Sequence[dict] | None = None, **kwargs) -> Answer:
    """Answer with the default assistant (settings from GONGKAI_* environment variables)."""
    return default_assistant().answer(question, history, **kwargs)


def run_ask_command(args) -> int:
    """``python -m assistant ask [--json] [--llm …] QUESTION…|-``: one JSON object per line."""
    questions = args.questions
    if questions == ["-"]:
        questions = [line.strip() for line in sys.stdin if line.strip()]
    assistant = Assistant(llm=args.llm)
    history: list[dict] = []
    for q in questions:
        result = assistant.answer(q, history)
        history.append(result.to_dict())
        if args.json:
            data = result.to_json()
            if getattr(args, "explain", False):
                data["trace"] = [asdict(step) for step in result.trace]
            print(json.dumps(data, ensure_ascii=False), flush=True)
        else:
            print(f"问：{q}\n答：{result.answer}")
            for c in result.citations:
                print(f"  [{c['n']}] {c['title']}（{c['start']}-{c['end']}）：{c['quote'][:80]}")
            for w in result.warnings:
                print(f"  ⚠ {w}")
            if getattr(args, "explain", False):
                print("  过程：")
                for step in result.trace:
                    print(f"    {step.line()}")
            print()
    return 0
