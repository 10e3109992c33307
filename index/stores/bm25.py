"""Keyword index: jieba (with the disclosure vocabulary and the corpus's regions) + bm25s.

Layout under the index directory::

    CURRENT            name of the live version folder (replaced atomically)
    v-<fingerprint>/   bm25s arrays, index.json (ids, filter fields, dictionary), tokens.jsonl

A sync writes a complete new version folder, then switches CURRENT, so a process killed at
any point leaves the previous version in force. The fingerprint covers the chunk ids, their
text, their filter fields and the dictionary: an unchanged corpus costs one hash, not a rebuild.
Tokens of unchanged chunks are reused from the previous version, so a rebuild only segments
the new text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.lexicon_terms import DOMAIN_TERMS, normalize_for_terms, region_names
from index.models import Chunk, content_id

FORMAT_VERSION = "bm25-v1"
FILTER_FIELDS = ("doc_id", "kind", "region", "year")
# Function words and question words: they carry no topic, and question words that happen to
# be rare in the corpus (多少, 哪些) would otherwise outweigh the real terms.
STOPWORDS = frozenset(
    {
        "的", "了", "和", "与", "及", "或", "等", "在", "是", "为", "对", "把", "被", "将", "其",
        "之", "于", "以", "并", "也", "都", "而", "又", "就", "有", "个", "这", "那", "吗", "呢",
        "吧", "啊", "么", "请问", "多少", "哪些", "哪个", "哪里", "什么", "怎么", "怎样", "如何",
        "是否", "有没有", "几", "谁", "要求",
        "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "is", "are", "was", "were",
        "what", "which", "how", "many", "much", "who",
    }
)  # fmt: skip
_PUNCT = re.compile(r"^[\W_]+$")
_SPACE_NEAR_CJK = re.compile(r"(?<=[\u3400-\u9fff])[ \t\u3000]+|[ \t\u3000]+(?=[\u3400-\u9fff])")


@cache
def _default_dictionary() -> tuple[dict[str, int], int]:
    """jieba's default prefix dictionary and total, read once per process (about a second)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    base = jieba.Tokenizer()
    base.initialize()
    return base.FREQ, base.total


@lru_cache(maxsize=4)
def make_tokenizer(words: tuple[str, ...]):
    """A jieba tokenizer of its own (jieba's global one is left untouched) knowing ``words``."""
    import jieba

    freq, total = _default_dictionary()
    tokenizer = jieba.Tokenizer()
    # A copy of the default dictionary, as ``initialize`` would read it: each tokenizer (the
    # domain terms', the index's) no longer reads jieba's cache file again.
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
    for word in words:
        tokenizer.add_word(word)  # jieba suggests a frequency just high enough to keep it whole
    return tokenizer


def tokenize(text: str, words: tuple[str, ...]) -> list[str]:
    """Search-mode jieba tokens of ``text``, lower-cased, without punctuation and stopwords.

    Spaces next to Chinese characters are dropped first (PDF text prints 2023 年), so
    PDF and web documents tokenize alike; spaces between numbers are kept.
    """
    text = _SPACE_NEAR_CJK.sub("", normalize_for_terms(text)).lower()
    tokens = make_tokenizer(words).cut_for_search(text, HMM=False)
    return [
        t for t in (t.strip() for t in tokens) if t and t not in STOPWORDS and not _PUNCT.match(t)
    ]


# From this many new texts, segmentation runs in one process per core (each builds its jieba
# dictionary once, about a second); fewer are segmented here.
PARALLEL_FROM = 2000


def _tokenize_batch(texts: list[str], words: tuple[str, ...]) -> list[list[str]]:
    return [tokenize(text, words) for text in texts]


def tokenize_many(texts: list[str], words: tuple[str, ...]) -> list[list[str]]:
    """``tokenize`` of each text, across processes when there are many."""
    workers = min(os.cpu_count() or 1, 4)
    if len(texts) < PARALLEL_FROM or workers < 2:
        return _tokenize_batch(texts, words)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from index.parallel import exit_with_parent

    size = 500
    batches = [texts[i : i + size] for i in range(0, len(texts), size)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=exit_with_parent) as pool:
        parts = pool.map(_tokenize_batch, batches, [words] * len(batches))
        return [tokens for part in parts for tokens in part]


def dictionary_words(chunks: Iterable[Chunk]) -> tuple[str, ...]:
    """The domain terms plus every name of every region the chunks belong to."""
    regions = sorted({c.meta.get("region") or "" for c in chunks} - {""})
    names = [name for region in regions for name in region_names(region)]
    return tuple(dict.fromkeys([*DOMAIN_TERMS, *names]))


def chunk_fields(chunk: Chunk) -> dict[str, Any]:
    """The filter fields of a chunk (from its document's metadata)."""
    return {
        "doc_id": chunk.doc_id,
        "kind": chunk.meta.get("kind") or "",
        "region": chunk.meta.get("region") or "",
        "year": chunk.meta.get("year"),
    }


def matches_where(fields: dict[str, Any], where: dict | None) -> bool:
    """Whether a chunk's filter fields satisfy ``where`` ({field: value or list of values})."""
    for key, wanted in (where or {}).items():
        allowed = wanted if isinstance(wanted, (list, tuple, set)) else [wanted]
        if fields.get(key) not in allowed:
            return False
    return True


@dataclass
class _Loaded:
    version: str
    model: Any  # bm25s.BM25, or None for an empty corpus
    ids: list[str]
    fields: list[dict[str, Any]]
    words: tuple[str, ...]
    fingerprint: str
    columns: dict[str, tuple[np.ndarray, dict[Any, int]]] = field(default_factory=dict)

    def mask(self, where: dict) -> np.ndarray:
        """``matches_where`` for every chunk at once: each filter field is coded as integers
        once per loaded version (a Python test per chunk cost 60 ms a query at 90,000 chunks)."""
        mask = np.ones(len(self.ids), dtype=bool)
        for key, wanted in where.items():
            if key not in self.columns:
                codes: dict[Any, int] = {}
                column = np.fromiter(
                    (codes.setdefault(f.get(key), len(codes)) for f in self.fields),
                    dtype=np.int64,
                    count=len(self.ids),
                )
                self.columns[key] = (column, codes)
            column, codes = self.columns[key]
            allowed = wanted if isinstance(wanted, (list, tuple, set)) else [wanted]
            mask &= np.isin(column, [codes[v] for v in allowed if v in codes])
        return mask


class BM25Index:
    """The keyword half of hybrid search, persisted under ``directory``."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._loaded: _Loaded | None = None

    # -- writing ---------------------------------------------------------------------------

    def sync(self, chunks: Sequence[Chunk]) -> None:
        """Hold exactly ``chunks``; rebuilds only when their ids, text or fields changed."""
        self.directory.mkdir(parents=True, exist_ok=True)
        words = dictionary_words(chunks)
        ordered = sorted(chunks, key=lambda c: c.chunk_id)
        sigs = [content_id(c.search_text()) for c in ordered]
        fingerprint = corpus_fingerprint(ordered, sigs, words)
        current = self._read_current()
        if current and current == version_name(fingerprint):
            self._cleanup(keep=current)
            return
        previous = self._previous_tokens(current, words)
        missing = {sig: c.search_text() for c, sig in zip(ordered, sigs, strict=True)}
        missing = {sig: text for sig, text in missing.items() if sig not in previous}
        previous.update(zip(missing, tokenize_many(list(missing.values()), words), strict=True))
        tokens = [previous[sig] for sig in sigs]
        version = version_name(fingerprint)
        self._write_version(version, ordered, sigs, tokens, words, fingerprint)
        self._switch_current(version)
        self._cleanup(keep=version)

    def _previous_tokens(self, current: str | None, words: tuple[str, ...]) -> dict[str, list]:
        """Tokens of the live version by text signature, if it used the same dictionary."""
        if not current:
            return {}
        folder = self.directory / current
        try:
            info = json.loads((folder / "index.json").read_text("utf-8"))
            if tuple(info["words"]) != words:
                return {}
            with open(folder / "tokens.jsonl", encoding="utf-8") as f:
                return {sig: json.loads(line) for sig, line in zip(info["sigs"], f, strict=True)}
        except (OSError, ValueError, KeyError):
            return {}

    def _write_version(
        self,
        version: str,
        chunks: list[Chunk],
        sigs: list[str],
        tokens: list[list[str]],
        words: tuple[str, ...],
        fingerprint: str,
    ) -> None:
        final = self.directory / version
        if final.exists():  # left complete by a run killed before it switched CURRENT
            shutil.rmtree(final)
        tmp = self.directory / f"tmp-{version}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if chunks:
            import bm25s

            model = bm25s.BM25()
            # A chunk with no token (all punctuation) still needs a row; "" is bm25s's empty token.
            model.index([t or [""] for t in tokens], show_progress=False)
            model.save(tmp / "bm25", show_progress=False)
        info = {
            "format": FORMAT_VERSION,
            "fingerprint": fingerprint,
            "ids": [c.chunk_id for c in chunks],
            "sigs": sigs,
            "fields": [chunk_fields(c) for c in chunks],
            "words": list(words),
        }
        (tmp / "index.json").write_text(json.dumps(info, ensure_ascii=False), "utf-8")
        with open(tmp / "tokens.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(t, ensure_ascii=False) + "\n" for t in tokens)
        fsync_tree(tmp)
        os.rename(tmp, final)
        fsync_dir(self.directory)

    def _switch_current(self, version: str) -> None:
        tmp = self.directory / f"CURRENT.tmp-{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(version)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.directory / "CURRENT")
        fsync_dir(self.directory)

    def _cleanup(self, keep: str) -> None:
        """Remove versions and temporary files other than ``keep`` (left by earlier runs)."""
        for path in self.directory.iterdir():
            stale_version = path.name.startswith("v-") and path.name != keep
            if stale_version or path.name.startswith(("tmp-", "CURRENT.tmp")):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)

    # -- reading ---------------------------------------------------------------------------

    def _read_current(self) -> str | None:
        try:
            name = (self.directory / "CURRENT").read_text("utf-8").strip()
        except OSError:
            return None
        return name if name and (self.directory / name / "index.json").exists() else None

    def _load(self) -> _Loaded | None:
        """The live version, reloaded when another process has switched CURRENT."""
        current = self._read_current()
        if current is None:
            self._loaded = None
        elif self._loaded is None or self._loaded.version != current:
            self._loaded = load_version(self.directory / current)
        return self._loaded

    def ids(self) -> list[str]:
        """Chunk ids in the live version."""
        loaded = self._load()
        return list(loaded.ids) if loaded else []

    def fingerprint(self) -> str:
        loaded = self._load()
        return loaded.fingerprint if loaded else ""

    def tokenize(self, text: str) -> list[str]:
        """Tokens as the live index sees them (its dictionary)."""
        loaded = self._load()
        return tokenize(text, loaded.words if loaded else DOMAIN_TERMS)

    def search(self, query: str, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) of the best ``k`` chunks with a positive score."""
        loaded = self._load()
        if loaded is None or loaded.model is None or k <= 0:
            return []
        token_ids = loaded.model.get_tokens_ids(list(dict.fromkeys(tokenize(query, loaded.words))))
        if not token_ids:
            return []
        scores = loaded.model.get_scores(token_ids)
        if where:
            scores = np.where(loaded.mask(where), scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(loaded.ids[i], float(scores[i])) for i in top if scores[i] > 0]


def load_version(folder: Path) -> _Loaded:
    info = json.loads((folder / "index.json").read_text("utf-8"))
    model = None
    if info["ids"]:
        import bm25s

        model = bm25s.BM25.load(folder / "bm25", show_progress=False)
    return _Loaded(
        version=folder.name,
        model=model,
        ids=info["ids"],
        fields=info["fields"],
        words=tuple(info["words"]),
        fingerprint=info["fingerprint"],
    )


def corpus_fingerprint(chunks: Sequence[Chunk], sigs: Sequence[str], words: tuple[str, ...]) -> str:
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    digest.update("\x00".join(words).encode("utf-8"))
    for chunk, sig in zip(chunks, sigs, strict=True):
        fields = json.dumps(chunk_fields(chunk), ensure_ascii=False, sort_keys=True)
        digest.update(f"\x01{chunk.chunk_id}\x00{sig}\x00{fields}".encode())
    return digest.hexdigest()[:16]


def version_name(fingerprint: str) -> str:
    return f"v-{fingerprint}"


def fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder`` and the folders themselves to disk."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(root))


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
