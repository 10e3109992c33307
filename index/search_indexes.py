"""Open the derived search indexes (vectors, BM25) configured for this deployment."""

from __future__ import annotations

from config import Settings
from index.stores.base import SearchIndex


def open_keyword_index(settings: Settings) -> SearchIndex:
    """The BM25 index of this deployment."""
    from index.stores.bm25 import BM25Index

    return BM25Index(settings.bm25_dir)


def open_dense_index(settings: Settings) -> SearchIndex:
    """The vector index (embedded Chroma, or the server of ``chroma_url``); IndexUnusable when
    it cannot be opened."""
    from index.stores.chroma import ChromaIndex

    return ChromaIndex.open(settings.chroma_dir, settings.embed, settings.chroma_url)


def open_search_indexes(settings: Settings) -> list[SearchIndex]:
    """The indexes ingest keeps in step with the document store: BM25, then Chroma.

    BM25 comes first: it is cheap and needs no model, so it is current even when the
    embedding model cannot be loaded.
    """
    return [open_keyword_index(settings), open_dense_index(settings)]


def rebuild_search_indexes(settings: Settings) -> list[SearchIndex]:
    """Drop the derived indexes and build them again from the document store (the source of
    truth), under the writer lock: the repair for a damaged or missing vector/keyword index."""
    import shutil

    from index.locks import writer_lock
    from index.pipeline import sync_indexes
    from index.stores.sqlite import SQLiteStore

    store = SQLiteStore(settings.db_path)
    with writer_lock(settings.home):
        shutil.rmtree(settings.bm25_dir, ignore_errors=True)
        if settings.chroma_url:
            _drop_server_collection(settings)
        else:
            shutil.rmtree(settings.chroma_dir, ignore_errors=True)
        indexes = open_search_indexes(settings)
        sync_indexes(store, indexes)
    return indexes


def _drop_server_collection(settings: Settings) -> None:
    from index.stores.chroma import collection_name, open_chroma_client

    client = open_chroma_client(settings.chroma_dir, settings.chroma_url)
    name = collection_name(settings.embed)
    if name in {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}:
        client.delete_collection(name)
