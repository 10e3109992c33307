"""Reciprocal rank fusion of several rankings of the same ids."""

from __future__ import annotations

from collections.abc import Sequence

from config import DEFAULT_TUNING

RRF_K = DEFAULT_TUNING.rrf_k


def rrf_fuse(
    rankings: Sequence[Sequence[str]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(id) = Σ weight / (k + rank), ranks from 1; best first.

    Ties keep the order of the first ranking that placed the id.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])
