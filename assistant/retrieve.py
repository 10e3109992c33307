"""Hybrid retrieval: dense (Chroma) + keyword (BM25) fused by reciprocal rank, with filters.

    hits = hybrid_search("莱芜区2020年行政复议结果纠正多少件？", k=5)

The names other modules import, gathered from :mod:`assistant.retrievers` (one module per job:
filters, fusion, rerank, engine, LangChain retriever, CLI).
"""

from __future__ import annotations

from assistant.retrievers.cli import format_hit, run_search_command
from assistant.retrievers.engine import (
    CANDIDATES,
    MODES,
    Hit,
    Retrieval,
    build_retrieval,
    hybrid_search,
    open_retrieval,
)
from assistant.retrievers.filters import (
    Filters,
    detect_filters,
    resolve_region,
    strip_filter_terms,
)
from assistant.retrievers.fusion import RRF_K, rrf_fuse
from assistant.retrievers.langchain_retriever import HybridRetriever, hit_to_document
from assistant.retrievers.rerank import CrossEncoderReranker, make_reranker

__all__ = [
    "CANDIDATES",
    "MODES",
    "RRF_K",
    "CrossEncoderReranker",
    "Filters",
    "Hit",
    "HybridRetriever",
    "Retrieval",
    "build_retrieval",
    "detect_filters",
    "format_hit",
    "hit_to_document",
    "hybrid_search",
    "make_reranker",
    "open_retrieval",
    "resolve_region",
    "rrf_fuse",
    "run_search_command",
    "strip_filter_terms",
]
