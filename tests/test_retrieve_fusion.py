"""Reciprocal rank fusion of the keyword and dense rankings."""

from __future__ import annotations

import pytest

from assistant.retrievers.fusion import rrf_fuse


def test_rrf_fuses_by_reciprocal_rank_with_k60():
    fused = dict(rrf_fuse([["a", "b", "c"], ["b", "d"]]))
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["d"] == pytest.approx(1 / 62)
    assert [cid for cid, _ in rrf_fuse([["a", "b", "c"], ["b", "d"]])][:2] == ["b", "a"]


def test_weights_scale_each_rankings_share_and_ties_keep_first_placement():
    fused = rrf_fuse([["a"], ["b"]], k=10, weights=[1.0, 0.5])
    assert fused == [("a", pytest.approx(1 / 11)), ("b", pytest.approx(0.5 / 11))]
    assert [cid for cid, _ in rrf_fuse([["x", "y"], ["y", "x"]])] == ["x", "y"]
    with pytest.raises(ValueError):
        rrf_fuse([["a"], ["b"]], weights=[1.0])
