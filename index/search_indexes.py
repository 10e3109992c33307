"""Open the derived search indexes (vectors, BM25) configured for this deployment."""

from __future__ import annotations

from assistant.config import Settings
from index.stores.base import SearchIndex


def open_search_indexes(settings: Settings) -> list[SearchIndex]:
    """The indexes ingest keeps in step with the document store: BM25, then Chroma.

    BM25 comes first: it is cheap and needs no model, so it is current even when the
    embedding model cannot be loaded.
    """
    from index.stores.bm25 import BM25Index
    from index.stores.chroma import ChromaIndex

    return [
        BM25Index(settings.bm25_dir),
        ChromaIndex.open(settings.chroma_dir, settings.embed, settings.chroma_url),
    ]
