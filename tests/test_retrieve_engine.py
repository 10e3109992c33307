"""The retrieval engine on a small store and stand-in indexes: fusion of the two rankings,
hits located in their documents, and documents and chunks read from the corpus snapshot."""

from __future__ import annotations

import pytest

from assistant.corpus import Corpus
from assistant.retrievers.engine import Retrieval
from assistant.retrievers.filters import Filters
from config import Tuning
from index.models import Chunk, Document


class Store:
    """Two reports of two regions, two chunks each; the generation moves when the test says so."""

    def __init__(self):
        self.gen = 1
        self.chunk_reads = 0
        self.docs = [
            Document("d1", "a.txt", "text", title="甲区2020年报告", region="甲区", year=2020),
            Document("d2", "b.txt", "text", title="乙区2021年报告", region="乙区", year=2021),
        ]
        self.rows = [
            Chunk(f"{d}-{n:04d}", d, n, f"{d}段落{n}", 10 * n, 10 * n + 5, [f"节{n}"])
            for d in ("d1", "d2")
            for n in range(2)
        ]

    def generation(self):
        return self.gen

    def documents(self):
        return list(self.docs)

    def chunks(self, doc_id=None):
        self.chunk_reads += 1
        return [c for c in self.rows if doc_id is None or c.doc_id == doc_id]

    def facts(self, doc_id=None):
        return []

    def tasks(self, doc_id=None):
        return []


class Index:
    """A search index that returns a fixed ranking, kept to what ``where`` allows."""

    def __init__(self, ranking, regions=None, fail=False):
        self.ranking = ranking
        self.regions = regions or {}
        self.fail = fail
        self.queries: list[str] = []

    def search(self, query, k, where=None):
        if self.fail:
            raise ConnectionError("server gone")
        self.queries.append(query)
        allowed = (where or {}).get("region")
        ids = [c for c in self.ranking if not allowed or self.regions.get(c[:2]) in allowed]
        return [(cid, 1.0 / (i + 1)) for i, cid in enumerate(ids[:k])]


REGIONS = {"d1": "甲区", "d2": "乙区"}
TUNING = Tuning(rrf_k=60, keyword_weight=1.0, dense_weight=0.5)


def engine(store=None, keyword=None, dense=None) -> Retrieval:
    keyword = keyword or Index(["d1-0001", "d2-0000", "d1-0000"], REGIONS)
    dense = dense or Index(["d2-0000", "d1-0001"], REGIONS)
    return Retrieval(store or Store(), dense, keyword, tuning=TUNING)


def test_hits_are_fused_best_first_and_located_in_their_documents():
    hits = engine().search("段落", k=3)
    assert [h.chunk_id for h in hits] == ["d1-0001", "d2-0000", "d1-0000"]
    first = hits[0]
    assert (first.doc_id, first.title, first.region, first.year) == (
        "d1",
        "甲区2020年报告",
        "甲区",
        2020,
    )
    assert (first.start, first.end, first.section, first.text) == (10, 15, "节1", "d1段落1")
    assert (first.bm25_rank, first.dense_rank) == (1, 2)
    assert first.fused_score == pytest.approx(1.0 / 61 + 0.5 / 62)
    assert hits[2].dense_rank is None and hits[2].dense_score is None


def test_filters_reach_both_indexes_and_their_names_leave_the_query():
    keyword = Index(["d1-0001", "d2-0000"], REGIONS)
    retrieval = engine(keyword=keyword)
    filters = retrieval.filters_for("乙区2021年段落")
    assert filters == Filters(regions=("乙区",), years=(2021,))
    hits = retrieval.search("乙区2021年段落", 5, filters)
    assert {h.region for h in hits} == {"乙区"} and keyword.queries == ["段落"]


def test_ids_the_store_no_longer_holds_drop_out():
    hits = engine(keyword=Index(["gone-0000", "d1-0000"])).search("段落", 5, mode="bm25")
    assert [h.chunk_id for h in hits] == ["d1-0000"]


def test_a_dead_index_leaves_the_other_ranking_answering():
    hits = engine(dense=Index([], fail=True)).search("段落", 2)
    assert [h.chunk_id for h in hits] == ["d1-0001", "d2-0000"]


def test_unknown_modes_are_refused():
    with pytest.raises(ValueError, match="unknown retrieval mode"):
        engine().search("段落", mode="fuzzy")


def test_documents_and_chunks_are_read_once_per_store_generation():
    store = Store()
    retrieval = engine(store)
    retrieval.search("段落", 2)
    retrieval.search("段落", 2)
    assert store.chunk_reads == 1
    store.rows = [c for c in store.rows if c.chunk_id != "d1-0001"]
    store.docs.append(Document("d3", "c.txt", "text", region="丙区", year=2022))
    assert "d1-0001" in [h.chunk_id for h in retrieval.search("段落", 3)]  # not yet told
    store.gen = 2
    assert "d1-0001" not in [h.chunk_id for h in retrieval.search("段落", 3)]
    assert store.chunk_reads == 2 and len(retrieval.documents()) == 3


def test_a_callers_snapshot_is_searched_as_given():
    """The answering pipeline holds one snapshot per question: its chunks, not the engine's."""
    held = Store()
    held.rows = [c for c in held.rows if c.doc_id == "d2"]
    snapshot = Corpus.load(held)
    hits = engine().search("段落", 3, corpus=snapshot)
    assert [h.chunk_id for h in hits] == ["d2-0000"]
    assert len(engine().search("段落", 3)) == 3
