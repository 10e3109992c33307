"""Vector index in Chroma: one collection per embedding model, ids = chunk ids.

Embedded (``PersistentClient`` under GONGKAI_HOME) by default; with GONGKAI_CHROMA_URL the same
code talks to a Chroma server (``chroma run``). Vectors are computed by our own
``Embeddings`` and passed in, so Chroma never loads (or downloads) a model of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

from index.embed import embedding_key, make_embeddings
from index.locks import IndexBusy, claim_embedded
from index.models import Chunk, content_id
from index.stores.base import IndexUnusable

COLLECTION_PREFIX = "gongkai"
EMBED_BATCH = 32  # chunks embedded and written per step: a killed run keeps what it wrote


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

    def __init__(self, client, spec: str, embeddings: Embeddings | None = None):
        self.client = client
        self.spec = spec
        self.embeddings = embeddings or make_embeddings(spec)
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
            return cls(open_chroma_client(path, url), spec)
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
        for start in range(0, len(to_embed), EMBED_BATCH):
            batch = to_embed[start : start + EMBED_BATCH]
            vectors = self.embeddings.embed_documents([c.search_text() for c, _ in batch])
            self.collection.upsert(
                ids=[c.chunk_id for c, _ in batch],
                embeddings=vectors,
                metadatas=[m for _, m in batch],
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
