"""RRF and weighted fusion against hand-computed cases; tokenisation; which parameters change a ranking."""

import pytest

from playground.rag import retrievers as rv


def test_rrf_hand_computed():
    fused = dict(rv.rrf_fuse([["a", "b", "c"], ["b", "d"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)
    assert fused["d"] == pytest.approx(1 / 62)
    assert [pid for pid, _ in rv.rrf_fuse([["a", "b", "c"], ["b", "d"]], k=60)] == ["b", "a", "d", "c"]
    # k = 0: a first place in one list (1) beats second places in both (1/2 + 1/2 = 1, tie -> order)
    assert [pid for pid, _ in rv.rrf_fuse([["x", "y"], ["z", "y"]], k=0)][:1] == ["x"]


def test_weighted_fusion_hand_computed():
    sparse = {"a": 10.0, "b": 5.0, "c": 0.0}   # normalised: a 1, b 0.5, c 0
    dense = {"b": 0.9, "d": 0.5, "a": 0.1}     # normalised: b 1, d 0.5, a 0
    fused = dict(rv.weighted_fuse(sparse, dense, alpha=0.25))
    assert fused["a"] == pytest.approx(0.75 * 1.0)
    assert fused["b"] == pytest.approx(0.25 * 1.0 + 0.75 * 0.5)
    assert fused["c"] == pytest.approx(0.0)
    assert fused["d"] == pytest.approx(0.25 * 0.5)
    assert [pid for pid, _ in rv.weighted_fuse(sparse, dense, 1.0)][:2] == ["b", "d"]
    assert [pid for pid, _ in rv.weighted_fuse(sparse, dense, 0.0)][:2] == ["a", "b"]
    with pytest.raises(ValueError, match="alpha"):
        rv.weighted_fuse(sparse, dense, 1.5)


def test_tokenize_keeps_identifiers():
    assert rv.tokenize("os.path.join and dirs_exist_ok") == ["os", "path", "join", "dirs_exist_ok"]


def test_relevant_params_keep_only_what_changes_the_ranking():
    params = {"k1": 1.0, "b": 0.5, "rrf_k": 10, "alpha": 0.3, "fusion": "rrf", "rerank_n": 5}
    assert rv.relevant_params("dense", params) == {}
    assert rv.relevant_params("bm25", params) == {"k1": 1.0, "b": 0.5}
    assert rv.relevant_params("bm25", {**params, "analyzer": "simple"})["analyzer"] == "simple"
    assert "alpha" not in rv.relevant_params("rrf", params)
    assert rv.relevant_params("rerank", params) == {"k1": 1.0, "b": 0.5, "rrf_k": 10, "fusion": "rrf",
                                                     "rerank_n": 5}
