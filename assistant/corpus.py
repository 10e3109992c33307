"""One snapshot of the store per generation: documents, table cells and task rows.

The :class:`~assistant.api.Assistant` owns a :class:`CorpusSnapshots` and hands the current
:class:`Corpus` to every answering step; nothing below it reads the store. ``load_corpus``
serves scripts, tests and LangChain tools that hold a store rather than an Assistant.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Protocol

from index.models import Document, Fact, Task

CellKey = tuple[str, str, str]  # (table, row, col)


class CorpusStore(Protocol):
    """What a snapshot reads from a store (index.stores.base.DocumentStore, plus generation)."""

    def generation(self) -> Hashable: ...

    def documents(self) -> list[Document]: ...

    def facts(self, doc_id: str | None = None) -> list[Fact]: ...

    def tasks(self, doc_id: str | None = None) -> list[Task]: ...


class CellsByDoc:
    """doc_id → (table, row, col) → fact, read from the store the first time a question selects
    the document: a corpus of 10,000 reports holds millions of cells, and a question needs a few
    reports' (reading them all made the first answer of a process take 14 s)."""

    def __init__(self, store: CorpusStore):
        self._store = weakref.ref(store)  # a snapshot must not keep its store alive
        self._cells: dict[str, dict[CellKey, Fact]] = {}
        self._lock = threading.Lock()

    def get(self, doc_id: str, default: dict | None = None) -> dict[CellKey, Fact]:
        """The document's cells (empty when it has none); ``default`` only without a store."""
        cells = self._cells.get(doc_id)
        if cells is None:
            store = self._store()
            if store is None:
                return {} if default is None else default
            cells = {}
            for fact in store.facts(doc_id):
                cells.setdefault((fact.table, fact.row, fact.col), fact)
            with self._lock:
                cells = self._cells.setdefault(doc_id, cells)
        return cells


@dataclass(frozen=True)
class Corpus:
    """The store's documents, facts and tasks at one generation, indexed for lookups."""

    generation: Hashable
    documents: list[Document]
    by_id: dict[str, Document]
    cells: CellsByDoc  # doc_id → (table, row, col) → fact, read when first asked for
    tasks: dict[str, list[Task]]  # doc_id → its task rows, in table order

    @classmethod
    def load(cls, store: CorpusStore) -> Corpus:
        generation = store.generation()
        documents = store.documents()
        cells = CellsByDoc(store)
        tasks: dict[str, list[Task]] = {}
        for task in store.tasks():
            tasks.setdefault(task.doc_id, []).append(task)
        return cls(generation, documents, {d.doc_id: d for d in documents}, cells, tasks)


class CorpusSnapshots:
    """The current :class:`Corpus` of one store, reloaded when the store's generation moves."""

    def __init__(self, store: CorpusStore):
        self.store = store
        self._corpus: Corpus | None = None
        self._lock = threading.Lock()

    def current(self) -> Corpus:
        generation = self.store.generation()
        corpus = self._corpus
        if corpus is not None and corpus.generation == generation:
            return corpus
        with self._lock:
            if self._corpus is None or self._corpus.generation != generation:
                self._corpus = Corpus.load(self.store)
            return self._corpus


# Keyed weakly on the store itself, valued by a Corpus (which holds no reference back to it).
_SNAPSHOTS: weakref.WeakKeyDictionary[CorpusStore, Corpus] = weakref.WeakKeyDictionary()


def load_corpus(store: CorpusStore) -> Corpus:
    """The current corpus of ``store`` for callers without an Assistant (scripts, tests)."""
    corpus = _SNAPSHOTS.get(store)
    if corpus is None or corpus.generation != store.generation():
        corpus = _SNAPSHOTS[store] = Corpus.load(store)
    return corpus
