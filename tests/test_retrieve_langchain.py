"""The engine as a LangChain retriever: Documents carrying the chunk's locators and scores."""

from __future__ import annotations

from assistant.retrievers.langchain_retriever import HybridRetriever
from tests.test_retrieve_engine import engine


def test_documents_carry_locators_scores_and_the_filters_used():
    retriever = HybridRetriever(retrieval=engine(), k=2)
    docs = retriever.invoke("乙区2021年的段落")
    assert [d.id for d in docs] == ["d2-0000"]  # the only chunk of 乙区 either index ranks
    meta = docs[0].metadata
    assert (meta["doc_id"], meta["region"], meta["year"], meta["start"], meta["end"]) == (
        "d2", "乙区", 2021, 0, 5
    )  # fmt: skip
    assert meta["bm25_rank"] == 1 and meta["dense_rank"] == 1 and "text" not in meta
    assert docs[0].page_content == "d2段落0"
    assert retriever.filters_used == {"region": ["乙区"], "year": [2021]}


def test_auto_filter_off_searches_everything_unless_the_caller_filters():
    everything = HybridRetriever(retrieval=engine(), k=3, auto_filter=False)
    assert len(everything.invoke("乙区2021年的段落")) == 3 and everything.filters_used == {}
    mode = HybridRetriever(retrieval=engine(), k=3, region="甲区", mode="bm25")
    assert [d.id for d in mode.invoke("段落")] == ["d1-0001", "d1-0000"]
    assert mode.filters_used == {"region": ["甲区"]}
