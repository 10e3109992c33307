"""The optional cross-encoder that reorders fused candidates (GONGKAI_RERANKER=st:PATH)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Reranker(Protocol):
    """Scores passages against a query; higher is more relevant."""

    def scores(self, query: str, texts: Sequence[str]) -> list[float]: ...


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder directory, loaded offline."""

    def __init__(self, path: str):
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(path, device="cpu", local_files_only=True)

    def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        return [float(s) for s in self.model.predict([(query, t) for t in texts])]


def make_reranker(spec: str) -> CrossEncoderReranker | None:
    """The reranker named by GONGKAI_RERANKER (``st:PATH``), or None when unset."""
    if not spec:
        return None
    if not spec.startswith("st:"):
        raise ValueError(f"未知的重排模型配置 GONGKAI_RERANKER={spec!r}（应为 st:模型目录）")
    return CrossEncoderReranker(spec[3:])
