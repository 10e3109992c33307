"""One snapshot of the store per generation: documents, table cells, task rows and chunks.

The :class:`~assistant.api.Assistant` owns a :class:`CorpusSnapshots` and hands the current
:class:`Corpus` to every answering step; nothing below it reads the store. ``load_corpus``
serves scripts, tests and LangChain tools that hold a store rather than an Assistant. Whatever
is derived from the store (retrieval's chunk map, a citation's section) is held on the snapshot,
so a new generation is the one signal that the store changed.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Protocol

from index.models import Chunk, Document, Fact, Task

CellKey = tuple[str, str, str]  # (table, row, col)


class CorpusStore(Protocol):
    """What a snapshot reads from a store (index.stores.base.DocumentStore, plus generation)."""

    def generation(self) -> Hashable: ...

    def documents(self) -> list[Document]: ...

    def facts(self, doc_id: str | None = None) -> list[Fact]: ...

    def tasks(self, doc_id: str | None = None) -> list[Task]: ...

    def chunks(self, doc_id: str | None = None) -> list[Chunk]: ...


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


class StoredChunks:
    """The store's chunks, read when first asked for: all of them by id (what retrieval needs to
    turn index hits into passages), or one document's (where a citation sits)."""

    def __init__(self, store: CorpusStore | None):
        self._store = weakref.ref(store) if store is not None else None
        self._by_id: dict[str, Chunk] | None = None
        self._by_doc: dict[str, list[Chunk]] = {}
        self._lock = threading.Lock()

    def _read(self, doc_id: str | None = None) -> list[Chunk]:
        store = self._store() if self._store is not None else None
        return store.chunks(doc_id) if store is not None else []

    def by_id(self) -> dict[str, Chunk]:
        """chunk_id → chunk, for every chunk of the store."""
        by_id = self._by_id
        if by_id is None:
            with self._lock:
                if self._by_id is None:
                    self._by_id = {c.chunk_id: c for c in self._read()}
                by_id = self._by_id
        return by_id

    def of_document(self, doc_id: str) -> list[Chunk]:
        """The document's chunks in text order (read alone: a citation needs one document's)."""
        chunks = self._by_doc.get(doc_id)
        if chunks is None:
            chunks = self._read(doc_id)
            with self._lock:
                chunks = self._by_doc.setdefault(doc_id, chunks)
        return chunks


@dataclass(frozen=True)
class Corpus:
    """The store's documents, facts and tasks at one generation, indexed for lookups."""

    generation: Hashable
    documents: list[Document]
    by_id: dict[str, Document]
    cells: CellsByDoc  # doc_id → (table, row, col) → fact, read when first asked for
    tasks: dict[str, list[Task]]  # doc_id → its task rows, in table order
    chunks: StoredChunks = field(default_factory=lambda: StoredChunks(None))  # read when asked

    @classmethod
    def load(cls, store: CorpusStore) -> Corpus:
        generation = store.generation()
        documents = store.documents()
        cells = CellsByDoc(store)
        tasks: dict[str, list[Task]] = {}
        for task in store.tasks():
            tasks.setdefault(task.doc_id, []).append(task)
        by_id = {d.doc_id: d for d in documents}
        return cls(generation, documents, by_id, cells, tasks, StoredChunks(store))


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
