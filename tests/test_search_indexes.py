"""Opening the derived search indexes: one opener for ingest and for retrieval."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.retrievers.engine import build_retrieval
from config import load_settings
from index.search_indexes import open_dense_index, open_keyword_index, open_search_indexes
from index.stores.base import IndexUnusable
from index.stores.bm25 import BM25Index
from index.stores.chroma import ChromaIndex


def settings_in(home):
    return replace(load_settings(), home=home, embed="use", chroma_url="")


def test_ingest_opens_bm25_then_chroma_in_the_deployments_folders(tmp_path):
    settings = settings_in(tmp_path)
    keyword, dense = open_search_indexes(settings)
    assert isinstance(keyword, BM25Index) and isinstance(dense, ChromaIndex)
    assert isinstance(open_keyword_index(settings), BM25Index)
    assert settings.chroma_dir.is_dir()


def test_retrieval_opens_the_same_indexes_and_keeps_keywords_when_vectors_are_damaged(
    tmp_path, caplog
):
    settings = settings_in(tmp_path)
    retrieval = build_retrieval(settings)
    assert isinstance(retrieval.keyword, BM25Index) and isinstance(retrieval.dense, ChromaIndex)
    damaged = settings_in(tmp_path / "damaged")
    damaged.chroma_dir.parent.mkdir(parents=True)
    damaged.chroma_dir.write_text("not a vector store", encoding="utf-8")
    retrieval = build_retrieval(damaged)
    assert retrieval.dense is None and isinstance(retrieval.keyword, BM25Index)
    assert "暂只用关键词检索" in caplog.text
    with pytest.raises(IndexUnusable, match="无法打开"):
        open_dense_index(damaged)
