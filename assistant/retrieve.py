"""Hybrid retrieval: dense (Chroma) + keyword (BM25) fused by reciprocal rank, with filters.

    hits = hybrid_search("莱芜区2020年行政复议结果纠正多少件？", k=5)

A question that names a region or a year the corpus holds is filtered to it (莱芜区 and 莱芜
both mean 济南市莱芜区; 二〇二〇年 means 2020); filters the caller passes win over detected
ones. The filtered names are then dropped from the text both rankers see. The two rankings
are fused by weighted reciprocal rank (k=60, BM25 1.0, dense 0.5). With
GONGKAI_RERANKER=st:PATH a cross-encoder reorders the fused candidates.
"""

from __future__ import annotations

import argparse
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

from assistant.understand import find_years
from config import DEFAULT_TUNING, Settings, Tuning, load_settings
from domain import refusals
from domain.kinds import kind_name
from domain.numbers import digits_to_int
from index.lexicon_terms import region_names
from index.models import Chunk, Document
from index.stores.base import SearchIndex

log = logging.getLogger(__name__)

RRF_K = DEFAULT_TUNING.rrf_k
CANDIDATES = DEFAULT_TUNING.fusion_depth  # depth of each ranked list that goes into the fusion
MODES = ("hybrid", "dense", "bm25")
_YEAR_CHINESE = re.compile(r"([〇零○一二三四五六七八九]{4})\s*年度?")


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


@dataclass(frozen=True)
class Filters:
    """Metadata filters; an empty tuple means no filter on that field."""

    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()

    def where(self) -> dict | None:
        """The filter in the ``SearchIndex.search`` form ({field: [values]})."""
        where = {
            key: list(values)
            for key, values in (
                ("region", self.regions),
                ("year", self.years),
                ("kind", self.kinds),
            )
            if values
        }
        return where or None

    def describe(self) -> str:
        parts = []
        if self.regions:
            parts.append("地区=" + "、".join(self.regions))
        if self.years:
            parts.append("年份=" + "、".join(map(str, self.years)))
        if self.kinds:
            parts.append("类型=" + "、".join(kind_name(k) for k in self.kinds))
        return " ".join(parts)


# -- filter detection ----------------------------------------------------------------------


def detect_regions(question: str, regions: Sequence[str]) -> list[str]:
    """Regions of ``regions`` that ``question`` names, by full or short name (洪泽 → 淮安市洪泽区).

    Longer names win over names inside them; a city printed right before one of its districts
    (淮安洪泽区) is read as part of the district's name, not as a second region.
    """
    found: list[tuple[int, int, str]] = []
    names = sorted(
        ((name, region) for region in set(regions) if region for name in region_names(region)),
        key=lambda item: -len(item[0]),
    )
    for name, region in names:
        for match in re.finditer(re.escape(name), question):
            span = (match.start(), match.end())
            if not any(s < span[1] and span[0] < e for s, e, _ in found):
                found.append((span[0], span[1], region))
    prefixes = {
        region_a
        for s_a, e_a, region_a in found
        for s_b, _e_b, region_b in found
        if e_a == s_b and region_b != region_a and region_b.startswith(region_a)
    }
    ordered = [region for _s, _e, region in sorted(found) if region not in prefixes]
    return list(dict.fromkeys(ordered))


def detect_years(question: str, years: Sequence[int]) -> list[int]:
    """Years held in ``years`` that ``question`` names (2020, 2020年, 二〇二〇年, 2019-2021)."""
    held = set(years)
    return [y for y in find_years(question)[0] if y in held]


def detect_filters(question: str, documents: Sequence[Document]) -> Filters:
    """Region and year filters for what ``question`` names among the corpus's documents."""
    regions = detect_regions(question, [d.region for d in documents])
    years = detect_years(question, [d.year for d in documents if d.year])
    return Filters(regions=tuple(regions), years=tuple(years))


def resolve_region(name: str, documents: Sequence[Document]) -> tuple[str, ...]:
    """The corpus regions a user-typed region means (莱芜区 → 济南市莱芜区); itself if none."""
    regions = {d.region for d in documents if d.region}
    if name in regions:
        return (name,)
    matched = [r for r in sorted(regions) if name in region_names(r)]
    return tuple(matched) or (name,)


def strip_filter_terms(query: str, filters: Filters) -> str:
    """The query without the region names and years its filters already enforce.

    Once a search is filtered to 洪泽区 and 2024, those words no longer tell chunks apart; left
    in, they favour whatever chunk repeats them most (a report's preamble), not the topic.
    """
    text = query
    names = sorted(
        {n for region in filters.regions for n in region_names(region)}, key=len, reverse=True
    )
    for name in names:
        text = text.replace(name, " ")
    if filters.years:
        years = "|".join(str(y) for y in filters.years)
        text = re.sub(rf"(?<!\d)(?:{years})(?!\d)\s*(?:年度|年)?", " ", text)
        text = _YEAR_CHINESE.sub(
            lambda m: " " if digits_to_int(m.group(1)) in filters.years else m.group(0), text
        )
    text = " ".join(text.split())
    return text if re.search(r"\w", text) else query


# -- fusion --------------------------------------------------------------------------------


def rrf_fuse(
    rankings: Sequence[Sequence[str]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(id) = Σ weight / (k + rank), ranks from 1; best first.

    Ties keep the order of the first ranking that placed the id.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder directory, loaded offline."""

    def __init__(self, path: str):
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(path, device="cpu", local_files_only=True)

    def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        return [float(s) for s in self.model.predict([(query, t) for t in texts])]


def make_reranker(spec: str) -> CrossEncoderReranker | None:
    """The reranker named by GONGKAI_RERANKER (``st:PATH``), or None when unset."""
    if not spec:
        return None
    if not spec.startswith("st:"):
        raise ValueError(f"未知的重排模型配置 GONGKAI_RERANKER={spec!r}（应为 st:模型目录）")
    return CrossEncoderReranker(spec[3:])


# -- the engine ----------------------------------------------------------------------------


class Retrieval:
    """Hybrid search over a document store and its dense and keyword indexes."""

    def __init__(
        self,
        store,
        dense: SearchIndex | None,
        keyword: SearchIndex | None,
        reranker: CrossEncoderReranker | None = None,
        tuning: Tuning = DEFAULT_TUNING,
    ):
        self.store = store
        self.tuning = tuning
        self.dense = dense
        self.keyword = keyword
        self.reranker = reranker
        self._generation: int | None = None
        self._docs: dict[str, Document] = {}
        self._chunks: dict[str, Chunk] = {}

    def _refresh(self) -> None:
        """Reload documents and chunks when the store has changed since the last query."""
        generation = self.store.generation()
        if generation != self._generation:
            self._docs = {d.doc_id: d for d in self.store.documents()}
            self._chunks = {c.chunk_id: c for c in self.store.chunks()}
            self._generation = generation

    def documents(self) -> list[Document]:
        self._refresh()
        return list(self._docs.values())

    def filters_for(
        self,
        query: str,
        region: str | Sequence[str] | None = None,
        year: int | Sequence[int] | None = None,
        kind: str | Sequence[str] | None = None,
        auto: bool = True,
    ) -> Filters:
        """Filters from the caller's values, completed by what the query names."""
        docs = self.documents()
        detected = detect_filters(query, docs) if auto else Filters()
        regions = detected.regions
        if region:
            names = [region] if isinstance(region, str) else list(region)
            regions = tuple(r for name in names for r in resolve_region(name, docs))
        years = detected.years
        if year:
            years = (int(year),) if isinstance(year, (int, str)) else tuple(map(int, year))
        kinds = ((kind,) if isinstance(kind, str) else tuple(kind)) if kind else ()
        return Filters(regions=tuple(dict.fromkeys(regions)), years=years, kinds=kinds)

    def rankings(
        self,
        query: str,
        filters: Filters | None = None,
        depth: int | None = None,
        mode: str = "hybrid",
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """The (keyword, dense) rankings that fusion combines: (chunk_id, score), best first."""
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}")
        self._refresh()
        depth = self.tuning.fusion_depth if depth is None else depth
        where = filters.where() if filters else None
        topic = strip_filter_terms(query, filters) if filters else query
        keyword = self._ranked(self.keyword, topic, depth, where) if mode != "dense" else []
        dense = self._ranked(self.dense, topic, depth, where) if mode != "bm25" else []
        # Ids the store no longer holds (an ingest between store commit and index sync) drop out.
        keyword = [(cid, s) for cid, s in keyword if cid in self._chunks]
        dense = [(cid, s) for cid, s in dense if cid in self._chunks]
        return keyword, dense

    def search(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        mode: str = "hybrid",
        depth: int | None = None,
    ) -> list[Hit]:
        """The best ``k`` chunks for ``query`` within ``filters``; mode: hybrid, dense or bm25."""
        tuning = self.tuning
        depth = tuning.fusion_depth if depth is None else depth
        keyword, dense = self.rankings(query, filters, max(depth, k), mode)
        fused = rrf_fuse(
            [[cid for cid, _ in keyword], [cid for cid, _ in dense]],
            k=tuning.rrf_k,
            weights=[tuning.keyword_weight, tuning.dense_weight],
        )
        hits = [self._hit(cid, score, dense, keyword) for cid, score in fused]
        if self.reranker and hits:
            hits = self._rerank(query, hits)
        return hits[:k]

    @staticmethod
    def _ranked(
        index: SearchIndex | None, query: str, depth: int, where
    ) -> list[tuple[str, float]]:
        if index is None:
            return []
        try:
            return index.search(query, depth, where)
        except Exception as exc:  # a dead Chroma server must not take keyword search down
            log.warning("检索索引 %s 不可用：%s", type(index).__name__, exc)
            return []

    def _hit(self, chunk_id: str, fused: float, dense, keyword) -> Hit:
        chunk = self._chunks[chunk_id]
        doc = self._docs.get(chunk.doc_id)
        hit = Hit(
            chunk_id=chunk_id,
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
            if cid == chunk_id:
                hit.dense_score, hit.dense_rank = score, rank
                break
        for rank, (cid, score) in enumerate(keyword, start=1):
            if cid == chunk_id:
                hit.bm25_score, hit.bm25_rank = score, rank
                break
        return hit

    def _rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
        head, tail = hits[: self.tuning.rerank_depth], hits[self.tuning.rerank_depth :]
        texts = [self._chunks[h.chunk_id].search_text() for h in head]
        for hit, score in zip(head, self.reranker.scores(query, texts), strict=True):
            hit.rerank_score = score
        return sorted(head, key=lambda h: -(h.rerank_score or 0.0)) + tail


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


def build_retrieval(settings: Settings, store=None) -> Retrieval:
    """A retrieval engine over ``store`` (default: the settings' SQLite store) and its indexes."""
    from index.stores.base import IndexUnusable
    from index.stores.bm25 import BM25Index
    from index.stores.chroma import ChromaIndex
    from index.stores.sqlite import SQLiteStore

    try:
        dense = ChromaIndex.open(settings.chroma_dir, settings.embed, settings.chroma_url)
    except IndexUnusable as exc:  # keyword search still answers; the log says how to repair
        log.error("%s 暂只用关键词检索。", exc)
        dense = None
    return Retrieval(
        store=store if store is not None else SQLiteStore(settings.db_path),
        dense=dense,
        keyword=BM25Index(settings.bm25_dir),
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


# -- LangChain -----------------------------------------------------------------------------


def hit_to_document(hit: Hit) -> LCDocument:
    """A LangChain Document whose metadata locates the chunk and carries its scores."""
    meta = hit.to_dict()
    text = meta.pop("text")
    return LCDocument(page_content=text, metadata=meta, id=hit.chunk_id)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over :class:`Retrieval` (dense + BM25, RRF k=60, filters)."""

    retrieval: Any = Field(default=None, exclude=True)
    k: int = 5
    region: str | list[str] | None = None
    year: int | list[int] | None = None
    kind: str | list[str] | None = None
    auto_filter: bool = True
    mode: str = "hybrid"
    filters_used: dict = Field(default_factory=dict, exclude=True)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        retrieval = self.retrieval or open_retrieval()
        filters = retrieval.filters_for(query, self.region, self.year, self.kind, self.auto_filter)
        self.filters_used = filters.where() or {}
        return [hit_to_document(h) for h in retrieval.search(query, self.k, filters, self.mode)]


# -- CLI -----------------------------------------------------------------------------------


def format_hit(n: int, hit: Hit) -> str:
    """A ranked chunk as the search command prints it."""
    place = f"{hit.region or '地区未知'} {hit.year or '年份未知'}"
    page = f" 第{hit.page}页" if hit.page else ""
    dense = f"{hit.dense_score:.4f} (#{hit.dense_rank})" if hit.dense_rank else "—"
    bm25 = f"{hit.bm25_score:.3f} (#{hit.bm25_rank})" if hit.bm25_rank else "—"
    rerank = f"  重排 {hit.rerank_score:.3f}" if hit.rerank_score is not None else ""
    body = " ".join(hit.text.split())
    body = body if len(body) <= 160 else body[:160] + "……"
    return "\n".join(
        [
            f"[{n}] {hit.title}（{place}）",
            f"    {hit.section or '（无标题）'} | 字符 [{hit.start}, {hit.end}){page} | {hit.chunk_id}",
            f"    融合 {hit.fused_score:.4f}  向量 {dense}  BM25 {bm25}{rerank}",
            f"    {body}",
        ]
    )


def run_search_command(args: argparse.Namespace) -> int:
    """``python -m assistant search [--k N] [--region R] [--year Y] [--kind K] QUERY``."""
    query = " ".join(args.query).strip()
    retrieval = open_retrieval()
    if not retrieval.documents():
        print(refusals.NOTHING_INGESTED)
        return 1
    filters = retrieval.filters_for(query, args.region, args.year, getattr(args, "kind", None))
    hits = retrieval.search(query, args.k, filters)
    if filters.where():
        print(f"筛选：{filters.describe()}")
    if not hits:
        docs = retrieval.documents()
        missing = [r for r in filters.regions if r not in {d.region for d in docs}]
        missing += [f"{y}年" for y in filters.years if y not in {d.year for d in docs}]
        print(refusals.files_not_held("、".join(missing)) if missing else "没有找到相关片段。")
        return 0
    print("\n\n".join(format_hit(n, hit) for n, hit in enumerate(hits, start=1)))
    return 0


__all__ = [
    "Filters",
    "Hit",
    "HybridRetriever",
    "Retrieval",
    "detect_filters",
    "hybrid_search",
    "open_retrieval",
    "rrf_fuse",
    "run_search_command",
]
