"""The retrieval engine: keyword and dense rankings within filters, fused, optionally reranked.

The two rankings are fused by weighted reciprocal rank (k=60, BM25 1.0, dense 0.5). With
GONGKAI_RERANKER=st:PATH a cross-encoder reorders the fused candidates.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from assistant.corpus import Corpus, CorpusSnapshots, CorpusStore
from assistant.retrievers.filters import (
    Filters,
    Where,
    combine_filters,
    detect_filters,
    strip_filter_terms,
)
from assistant.retrievers.fusion import rrf_fuse
from assistant.retrievers.rerank import Reranker, make_reranker
from config import DEFAULT_TUNING, Settings, Tuning, load_settings
from index.models import Chunk, Document
from index.stores.base import SearchIndex

log = logging.getLogger(__name__)

CANDIDATES = DEFAULT_TUNING.fusion_depth  # depth of each ranked list that goes into the fusion
MODES = ("hybrid", "dense", "bm25")

Ranking = list[tuple[str, float]]  # (chunk_id, score), best first


@dataclass
class Hit:
    """One retrieved chunk with where it sits in its document and how each ranker scored it."""

    chunk_id: str
    doc_id: str
    title: str
    region: str
    year: int | None
    kind: str
    section: str
    start: int
    end: int
    page: int | None
    text: str
    fused_score: float
    dense_score: float | None = None
    dense_rank: int | None = None
    bm25_score: float | None = None
    bm25_rank: int | None = None
    rerank_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Retrieval:
    """Hybrid search over a document store and its dense and keyword indexes.

    Documents and chunks come from the store's current :class:`~assistant.corpus.Corpus`
    snapshot (one per store generation), or from the snapshot a caller passes.
    """

    def __init__(
        self,
        store: CorpusStore,
        dense: SearchIndex | None,
        keyword: SearchIndex | None,
        reranker: Reranker | None = None,
        tuning: Tuning = DEFAULT_TUNING,
    ):
        self.store = store
        self.snapshots = CorpusSnapshots(store)
        self.tuning = tuning
        self.dense = dense
        self.keyword = keyword
        self.reranker = reranker

    def corpus(self) -> Corpus:
        """The store's current snapshot."""
        return self.snapshots.current()

    def documents(self) -> list[Document]:
        return list(self.corpus().documents)

    def filters_for(
        self,
        query: str,
        region: str | Sequence[str] | None = None,
        year: int | Sequence[int] | None = None,
        kind: str | Sequence[str] | None = None,
        auto: bool = True,
        corpus: Corpus | None = None,
    ) -> Filters:
        """Filters from the caller's values, completed by what the query names."""
        docs = (corpus or self.corpus()).documents
        detected = detect_filters(query, docs) if auto else Filters()
        return combine_filters(detected, docs, region, year, kind)

    def rankings(
        self,
        query: str,
        filters: Filters | None = None,
        depth: int | None = None,
        mode: str = "hybrid",
        corpus: Corpus | None = None,
    ) -> tuple[Ranking, Ranking]:
        """The (keyword, dense) rankings that fusion combines: (chunk_id, score), best first."""
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}")
        chunks = (corpus or self.corpus()).chunks.by_id()
        depth = self.tuning.fusion_depth if depth is None else depth
        where = filters.where() if filters else None
        topic = strip_filter_terms(query, filters) if filters else query
        keyword = self._ranked(self.keyword, topic, depth, where) if mode != "dense" else []
        dense = self._ranked(self.dense, topic, depth, where) if mode != "bm25" else []
        # Ids the store no longer holds (an ingest between store commit and index sync) drop out.
        keyword = [(cid, s) for cid, s in keyword if cid in chunks]
        dense = [(cid, s) for cid, s in dense if cid in chunks]
        return keyword, dense

    def search(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        mode: str = "hybrid",
        depth: int | None = None,
        corpus: Corpus | None = None,
    ) -> list[Hit]:
        """The best ``k`` chunks for ``query`` within ``filters``; mode: hybrid, dense or bm25."""
        tuning = self.tuning
        corpus = corpus or self.corpus()
        depth = tuning.fusion_depth if depth is None else depth
        keyword, dense = self.rankings(query, filters, max(depth, k), mode, corpus)
        fused = rrf_fuse(
            [[cid for cid, _ in keyword], [cid for cid, _ in dense]],
            k=tuning.rrf_k,
            weights=[tuning.keyword_weight, tuning.dense_weight],
        )
        chunks = corpus.chunks.by_id()
        hits = [
            make_hit(chunks[cid], corpus.by_id.get(chunks[cid].doc_id), score, dense, keyword)
            for cid, score in fused
        ]
        if self.reranker and hits:
            hits = self._rerank(self.reranker, query, hits, chunks)
        return hits[:k]

    @staticmethod
    def _ranked(index: SearchIndex | None, query: str, depth: int, where: Where | None) -> Ranking:
        if index is None:
            return []
        try:
            return index.search(query, depth, where)
        except Exception as exc:  # a dead Chroma server must not take keyword search down
            log.warning("检索索引 %s 不可用：%s", type(index).__name__, exc)
            return []

    def _rerank(
        self, reranker: Reranker, query: str, hits: list[Hit], chunks: dict[str, Chunk]
    ) -> list[Hit]:
        head, tail = hits[: self.tuning.rerank_depth], hits[self.tuning.rerank_depth :]
        texts = [chunks[h.chunk_id].search_text() for h in head]
        for hit, score in zip(head, reranker.scores(query, texts), strict=True):
            hit.rerank_score = score
        return sorted(head, key=lambda h: -(h.rerank_score or 0.0)) + tail


def make_hit(
    chunk: Chunk, doc: Document | None, fused: float, dense: Ranking, keyword: Ranking
) -> Hit:
    """The hit for ``chunk`` of ``doc``, with its fused score and its rank in each ranking."""
    hit = Hit(
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        title=doc.title if doc else "",
        region=doc.region if doc else "",
        year=doc.year if doc else None,
        kind=doc.kind if doc else "",
        section=chunk.section,
        start=chunk.start,
        end=chunk.end,
        page=chunk.page,
        text=chunk.text,
        fused_score=fused,
    )
    for rank, (cid, score) in enumerate(dense, start=1):
        if cid == chunk.chunk_id:
            hit.dense_score, hit.dense_rank = score, rank
            break
    for rank, (cid, score) in enumerate(keyword, start=1):
        if cid == chunk.chunk_id:
            hit.bm25_score, hit.bm25_rank = score, rank
            break
    return hit


_OPENING = threading.Lock()


def open_retrieval(settings: Settings | None = None) -> Retrieval:
    """The retrieval engine for ``settings`` (default: the environment), opened once.

    Locked: concurrent first requests would each open an embedded Chroma client on the same
    folder, which Chroma does not allow ("Could not connect to tenant default_tenant").
    """
    with _OPENING:
        return _open_retrieval(settings or load_settings())


@lru_cache(maxsize=4)
def _open_retrieval(settings: Settings) -> Retrieval:
    return build_retrieval(settings)


def build_retrieval(settings: Settings, store: CorpusStore | None = None) -> Retrieval:
    """A retrieval engine over ``store`` (default: the settings' SQLite store) and its indexes."""
    from index.search_indexes import open_dense_index, open_keyword_index
    from index.stores.base import IndexUnusable
    from index.stores.sqlite import SQLiteStore

    dense: SearchIndex | None
    try:
        dense = open_dense_index(settings)
    except IndexUnusable as exc:  # keyword search still answers; the log says how to repair
        log.error("%s 暂只用关键词检索。", exc)
        dense = None
    return Retrieval(
        store=store if store is not None else SQLiteStore(settings.db_path),
        dense=dense,
        keyword=open_keyword_index(settings),
        reranker=make_reranker(settings.reranker),
        tuning=settings.tuning,
    )


def hybrid_search(
    query: str,
    k: int = 5,
    region: str | Sequence[str] | None = None,
    year: int | Sequence[int] | None = None,
    kind: str | Sequence[str] | None = None,
) -> list[Hit]:
    """Hybrid search with the deployment's settings; filters given here win over detected ones."""
    retrieval = open_retrieval()
    filters = retrieval.filters_for(query, region, year, kind)
    return retrieval.search(query, k, filters)
