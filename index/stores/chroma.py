"""Vector index in Chroma: one collection per embedding model, ids = chunk ids.

Embedded (``PersistentClient`` under GONGKAI_HOME) by default; with GONGKAI_CHROMA_URL the same
code talks to a Chroma server (``chroma run``). Vectors are computed by our own
``Embeddings`` and passed in, so Chroma never loads (or downloads) a model of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

from index.embed import (
    VectorCache,
    embed_in_processes,
    embedding_key,
    make_embeddings,
    open_vector_cache,
)
from index.locks import IndexBusy, claim_embedded
from index.models import Chunk, content_id
from index.stores.base import IndexUnusable

COLLECTION_PREFIX = "gongkai"
EMBED_BATCH = 32  # texts embedded and chunks written per step: a killed run keeps what it wrote
# From this many texts to embed, they are embedded in one process per core (each loads the
# model once, which costs a few seconds); fewer are embedded here.
PARALLEL_FROM = 1000
PARALLEL_BATCH = 128


@register_embedding_function
class GongkaiEmbeddingFunction(EmbeddingFunction[Documents]):
    """Our ``Embeddings`` in Chroma's shape, recorded in the collection's configuration."""

    def __init__(self, spec: str, embeddings: Embeddings | None = None):
        self.spec = spec
        self.embeddings = embeddings or make_embeddings(spec)

    def __call__(self, input: Documents) -> list:
        return self.embeddings.embed_documents(list(input))

    def embed_query(self, input: Documents) -> list:
        return [self.embeddings.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "gongkai"

    def get_config(self) -> dict[str, Any]:
        return {"spec": self.spec}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> GongkaiEmbeddingFunction:
        return GongkaiEmbeddingFunction(config["spec"])

    def default_space(self) -> str:
        return "cosine"


def open_chroma_client(path: Path, url: str = ""):
    """A Chroma client: the server at ``url`` if given, else an embedded store at ``path``."""
    import chromadb

    settings = chromadb.Settings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        ssl = parsed.scheme == "https"
        port = parsed.port or (443 if ssl else 8000)
        return chromadb.HttpClient(
            host=parsed.hostname or "localhost", port=port, ssl=ssl, settings=settings
        )
    claim_embedded(path)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def collection_name(spec: str) -> str:
    """``gongkai-<model>``: models differ in dimensions, so each has its own collection."""
    return f"{COLLECTION_PREFIX}-{embedding_key(spec)}"[:63]


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    """Filter fields and locators stored with each vector (Chroma allows no None values)."""
    meta: dict[str, Any] = {
        "doc_id": chunk.doc_id,
        "kind": chunk.meta.get("kind") or "",
        "region": chunk.meta.get("region") or "",
        "section": chunk.section,
        "chunk_kind": chunk.kind,
        "start": chunk.start,
        "end": chunk.end,
        "sig": content_id(chunk.search_text()),
    }
    if chunk.meta.get("year") is not None:
        meta["year"] = int(chunk.meta["year"])
    return meta


def chroma_where(where: dict | None) -> dict | None:
    """Our filter ({field: value or list}) in Chroma's ``where`` syntax."""
    clauses = []
    for key, wanted in (where or {}).items():
        if isinstance(wanted, (list, tuple, set)):
            values = list(wanted)
            clauses.append({key: values[0]} if len(values) == 1 else {key: {"$in": values}})
        else:
            clauses.append({key: wanted})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaIndex:
    """The dense half of hybrid search (implements ``SearchIndex``)."""

    def __init__(
        self,
        client,
        spec: str,
        embeddings: Embeddings | None = None,
        cache: VectorCache | None = None,
    ):
        self.client = client
        self.spec = spec
        self.own_model = embeddings is None  # then worker processes can load the same model
        self.embeddings = embeddings or make_embeddings(spec)
        self.cache = cache
        self.collection = client.get_or_create_collection(
            collection_name(spec),
            embedding_function=GongkaiEmbeddingFunction(spec, self.embeddings),
            # Filtered HNSW search with Chroma's default ef_search (100) missed freshly added
            # vectors in a live index; a wider beam costs little at this scale.
            configuration={"hnsw": {"space": "cosine", "ef_search": 400, "ef_construction": 200}},
        )

    @classmethod
    def open(cls, path: Path, spec: str, url: str = "") -> ChromaIndex:
        """The index at ``path`` (or the server at ``url``); IndexUnusable when it cannot open."""
        try:
            # Passage vectors are cached beside the vector store, by text: a rebuild, a
            # re-ingest and boilerplate shared between reports embed nothing twice.
            cache = open_vector_cache(Path(path).parent / "embed_cache", spec)
            return cls(open_chroma_client(path, url), spec, cache=cache)
        except IndexBusy:
            raise
        except Exception as exc:  # chromadb raises many kinds for a damaged store
            where = f"Chroma 服务器 {url}" if url else f"向量库 {path}"
            raise IndexUnusable(
                f"{where} 无法打开（{type(exc).__name__}: {str(exc)[:160]}）。"
                + (
                    "请检查服务器是否在运行。"
                    if url
                    else "可能已损坏：运行 python -m assistant reindex 从文档库重建。"
                )
            ) from exc

    def stored(self) -> dict[str, dict[str, Any]]:
        """Metadata of every stored vector, by chunk id."""
        out: dict[str, dict[str, Any]] = {}
        total, page = self.collection.count(), 5000
        for offset in range(0, total, page):
            got = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            out.update(zip(got["ids"], got["metadatas"] or [{}] * len(got["ids"]), strict=True))
        return out

    def ids(self) -> set[str]:
        return set(self.stored())

    def count(self) -> int:
        return self.collection.count()

    def sync(self, chunks: Sequence[Chunk]) -> None:
        """Hold exactly ``chunks``: delete extras, embed only new or changed text."""
        stored = self.stored()
        wanted = {c.chunk_id: (c, chunk_metadata(c)) for c in chunks}
        extra = [cid for cid in stored if cid not in wanted]
        for start in range(0, len(extra), 5000):
            self.collection.delete(ids=extra[start : start + 5000])
        to_embed, to_relabel = [], []
        for cid, (chunk, meta) in wanted.items():
            old = stored.get(cid)
            # Chroma merges updated metadata into the old, so a dropped key needs a rewrite.
            if old is None or old.get("sig") != meta["sig"] or set(old) - set(meta):
                to_embed.append((chunk, meta))
            elif old != meta:
                to_relabel.append((cid, meta))
        if to_relabel:
            self.collection.update(
                ids=[cid for cid, _ in to_relabel], metadatas=[m for _, m in to_relabel]
            )
        self._write_vectors(to_embed)

    def _write_vectors(self, to_embed: list[tuple[Chunk, dict[str, Any]]]) -> None:
        """Upsert ``to_embed`` with their vectors: cached ones first, then each distinct text
        embedded once, written as soon as its batch is back."""
        by_sig: dict[str, list[tuple[Chunk, dict[str, Any]]]] = {}
        for chunk, meta in to_embed:
            by_sig.setdefault(meta["sig"], []).append((chunk, meta))
        known = self.cache.get(list(by_sig)) if self.cache is not None else {}
        self._upsert([(c, m, known[sig]) for sig in known for c, m in by_sig[sig]])
        missing = [sig for sig in by_sig if sig not in known]
        for sigs, vectors in self._embed(missing, by_sig):
            if self.cache is not None:
                self.cache.put(zip(sigs, vectors, strict=True))
            self._upsert(
                [(c, m, v) for sig, v in zip(sigs, vectors, strict=True) for c, m in by_sig[sig]]
            )

    def _embed(
        self, sigs: list[str], by_sig: dict[str, list[tuple[Chunk, dict[str, Any]]]]
    ) -> Iterator[tuple[list[str], list[list[float]]]]:
        workers = min(os.cpu_count() or 1, 4)
        parallel = len(sigs) >= PARALLEL_FROM and workers > 1 and self.own_model
        size = PARALLEL_BATCH if parallel else EMBED_BATCH
        groups = [sigs[i : i + size] for i in range(0, len(sigs), size)]
        texts = ([by_sig[sig][0][0].search_text() for sig in group] for group in groups)
        if parallel:
            yield from zip(groups, embed_in_processes(self.spec, texts, workers), strict=True)
        else:
            for group, batch in zip(groups, texts, strict=True):
                yield group, self.embeddings.embed_documents(batch)

    def _upsert(self, rows: list[tuple[Chunk, dict[str, Any], list[float]]]) -> None:
        for start in range(0, len(rows), EMBED_BATCH * 8):
            part = rows[start : start + EMBED_BATCH * 8]
            self.collection.upsert(
                ids=[c.chunk_id for c, _, _ in part],
                embeddings=[v for _, _, v in part],
                metadatas=[m for _, m, _ in part],
            )

    def search(self, query: str, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the ``k`` nearest chunks that pass ``where``."""
        return self.search_vector(self.embeddings.embed_query(query), k, where)

    def search_vector(
        self, vector: Sequence[float], k: int, where: dict | None = None
    ) -> list[tuple[str, float]]:
        if k <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[list(vector)],
            n_results=k,  # Chroma returns fewer when fewer match: no count() round trip
            where=chroma_where(where),
            include=["distances"],
        )
        ids, distances = result["ids"][0], result["distances"][0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]
