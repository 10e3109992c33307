"""Ingest at scale: the generated corpus in every form, the passage-vector cache, and the
process-parallel embedding and segmentation used for large syncs (same results as serial)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.bench_scale import cell_accuracy, make_questions
from benchmarks.gen_corpus import generate
from index.embed import VectorCache, embed_in_processes, make_embeddings
from index.pipeline import build_document, ingest_paths
from index.stores import bm25 as bm25_module
from index.stores.chroma import ChromaIndex, open_chroma_client
from index.stores.sqlite import SQLiteStore

slow = pytest.mark.slow


class CountingEmbeddings:
    """The real model, counting the passages it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.passages = inner, 0

    def embed_documents(self, texts):
        self.passages += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Ten generated reports: two of each form (txt, html, md, docx, pdf), with their gold."""
    out = tmp_path_factory.mktemp("scale") / "corpus"
    generate(out, 10, seed=3)
    return out


def test_generated_reports_of_every_form_are_read_cell_for_cell(corpus):
    gold = [json.loads(line) for line in (corpus / "gold.jsonl").read_text("utf-8").splitlines()]
    assert {g["file"].rsplit(".", 1)[1] for g in gold} == {"txt", "html", "md", "docx", "pdf"}
    store = SQLiteStore(corpus.parent / "home" / "gongkai.sqlite3")
    results = ingest_paths([corpus], store)
    assert [r.status for r in results] == ["added"] * 10
    score = cell_accuracy(store, gold)
    assert score["cells"] > 1500 and score["right"] == score["cells"], score
    pdf = next(g for g in gold if g["file"].endswith(".pdf"))
    built = build_document(corpus / pdf["file"], 10**7)
    assert built.doc.year == pdf["year"] and built.doc.region == pdf["region"]
    printed = [f for f in built.facts if f.origin == "table"]
    assert len(printed) >= 194 and all(f.page and f.bbox for f in printed)  # a real page layout


def test_questions_are_about_one_report_each_with_the_gold_figure(corpus):
    gold = [json.loads(line) for line in (corpus / "gold.jsonl").read_text("utf-8").splitlines()]
    table, prose = make_questions(gold, 10)
    assert table and prose
    for question, value in table:
        (record,) = [g for g in gold if question.startswith(f"{g['issuer']}{g['year']}年")]
        assert value in [c[3] for c in record["cells"]]


def test_vector_cache_round_trips_exactly(tmp_path):
    cache = VectorCache(tmp_path / "cache.sqlite3")
    single = np.random.default_rng(1).random(8).astype(np.float32).tolist()
    double = [0.1, 0.2, 1 / 3]  # not representable in float32: kept as float64
    cache.put([("a", single), ("b", double)])
    again = VectorCache(tmp_path / "cache.sqlite3").get(["a", "b", "missing"])
    assert again == {"a": single, "b": double}


@slow
def test_a_rebuilt_vector_index_embeds_nothing_and_gets_the_same_vectors(tmp_path, corpus):
    store = SQLiteStore(tmp_path / "gongkai.sqlite3")
    ingest_paths([corpus], store)
    chunks = store.chunks()
    model = make_embeddings("use")
    first = CountingEmbeddings(model)
    cache = VectorCache(tmp_path / "embed_cache" / "use.sqlite3")
    index = ChromaIndex(open_chroma_client(tmp_path / "chroma-1"), "use", first, cache)
    index.sync(chunks)
    distinct = len({c.search_text() for c in chunks})
    assert first.passages == distinct < len(chunks)  # shared boilerplate embedded once
    second = CountingEmbeddings(model)
    rebuilt = ChromaIndex(open_chroma_client(tmp_path / "chroma-2"), "use", second, cache)
    rebuilt.sync(chunks)
    assert second.passages == 0 and rebuilt.ids() == index.ids()
    probe = chunks[3]
    want = model.embed_documents([probe.search_text()])[0]
    for vectors in (index, rebuilt):
        got = vectors.collection.get(ids=[probe.chunk_id], include=["embeddings"])
        assert np.allclose(got["embeddings"][0], want, atol=1e-6)


@slow
def test_embedding_in_processes_equals_embedding_here():
    texts = ["政府信息公开申请", "行政复议结果纠正", "本报告为合成样例。", "2023年收到申请12件"]
    here = make_embeddings("use").embed_documents(texts)
    there = [v for batch in embed_in_processes("use", [texts[:3], texts[3:]], 2) for v in batch]
    assert np.allclose(there, here, atol=1e-6)


def test_segmentation_in_processes_equals_segmentation_here(monkeypatch):
    words = bm25_module.dictionary_words([])
    texts = [f"第{i}项：行政复议结果纠正{i}件，政务新媒体与双随机一公开。" for i in range(40)]
    here = bm25_module.tokenize_many(texts, words)
    monkeypatch.setattr(bm25_module, "PARALLEL_FROM", 10)
    monkeypatch.setattr(bm25_module.os, "cpu_count", lambda: 2)
    assert bm25_module.tokenize_many(texts, words) == here


def test_parsing_in_processes_stores_what_parsing_here_stores(tmp_path, corpus):
    stored = []
    for workers in (1, 2):
        store = SQLiteStore(tmp_path / f"w{workers}" / "gongkai.sqlite3")
        results = ingest_paths([corpus], store, workers=workers)
        assert [r.status for r in results] == ["added"] * 10
        facts = sorted((f.doc_id, f.table, f.row, f.col, f.value) for f in store.facts())
        stored.append(([(r.source, r.doc.doc_id, r.chunks) for r in results], facts))
    assert stored[0] == stored[1]


def test_bm25_filter_mask_equals_the_per_chunk_test(tmp_path, corpus):
    store = SQLiteStore(tmp_path / "gongkai.sqlite3")
    ingest_paths([corpus], store)
    index = bm25_module.BM25Index(tmp_path / "bm25")
    index.sync(store.chunks())
    loaded = index._load()
    docs = store.documents()
    wheres = [
        {"region": docs[0].region},
        {"region": [docs[1].region, "不存在区"], "year": docs[1].year},
        {"year": [docs[2].year, 1999]},
        {"doc_id": docs[3].doc_id, "kind": "annual_report"},
        {"region": "不存在区"},
        {"section": None},  # not a filter field: matches only None, as the per-chunk test does
    ]
    for where in wheres:
        want = [bm25_module.matches_where(f, where) for f in loaded.fields]
        assert loaded.mask(where).tolist() == want
    hits = index.search("行政复议", 50, {"region": docs[0].region})
    assert hits and {loaded.fields[loaded.ids.index(c)]["region"] for c, _ in hits} == {
        docs[0].region
    }
