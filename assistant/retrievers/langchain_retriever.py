"""The retrieval engine as a LangChain retriever: hits become Documents with locators."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from assistant.retrievers.engine import Hit, Retrieval, open_retrieval
from assistant.retrievers.filters import Where


def hit_to_document(hit: Hit) -> LCDocument:
    """A LangChain Document whose metadata locates the chunk and carries its scores."""
    meta = hit.to_dict()
    text = meta.pop("text")
    return LCDocument(page_content=text, metadata=meta, id=hit.chunk_id)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over :class:`Retrieval` (dense + BM25, RRF k=60, filters)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retrieval: Retrieval | None = Field(default=None, exclude=True)
    k: int = 5
    region: str | list[str] | None = None
    year: int | list[int] | None = None
    kind: str | list[str] | None = None
    auto_filter: bool = True
    mode: str = "hybrid"
    filters_used: Where = Field(default_factory=dict, exclude=True)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        retrieval = self.retrieval or open_retrieval()
        filters = retrieval.filters_for(query, self.region, self.year, self.kind, self.auto_filter)
        self.filters_used = filters.where() or {}
        return [hit_to_document(h) for h in retrieval.search(query, self.k, filters, self.mode)]
