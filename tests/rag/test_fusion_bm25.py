"""RRF and weighted fusion against hand-computed cases; BM25 ranking against rank-bm25 directly."""

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from playground.rag import analysis as ra
from playground.rag import retrieval as rt
from playground.rag.corpus import Passage


def test_rrf_hand_computed():
    fused = dict(rt.rrf_fuse([["a", "b", "c"], ["b", "d"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)
    assert fused["d"] == pytest.approx(1 / 62)
    assert [pid for pid, _ in rt.rrf_fuse([["a", "b", "c"], ["b", "d"]], k=60)] == ["b", "a", "d", "c"]
    # k = 0: a first place in one list (1) beats second places in both (1/2 + 1/2 = 1, tie -> order)
    assert [pid for pid, _ in rt.rrf_fuse([["x", "y"], ["z", "y"]], k=0)][:1] == ["x"]


def test_weighted_fusion_hand_computed():
    sparse = {"a": 10.0, "b": 5.0, "c": 0.0}   # normalised: a 1, b 0.5, c 0
    dense = {"b": 0.9, "d": 0.5, "a": 0.1}     # normalised: b 1, d 0.5, a 0
    fused = dict(rt.weighted_fuse(sparse, dense, alpha=0.25))
    assert fused["a"] == pytest.approx(0.75 * 1.0)
    assert fused["b"] == pytest.approx(0.25 * 1.0 + 0.75 * 0.5)
    assert fused["c"] == pytest.approx(0.0)
    assert fused["d"] == pytest.approx(0.25 * 0.5)
    assert [pid for pid, _ in rt.weighted_fuse(sparse, dense, 1.0)][:2] == ["b", "d"]
    assert [pid for pid, _ in rt.weighted_fuse(sparse, dense, 0.0)][:2] == ["a", "b"]
    with pytest.raises(ValueError, match="alpha"):
        rt.weighted_fuse(sparse, dense, 1.5)


TEXTS = ["the quick brown fox jumps over the lazy dog", "json dumps serialize an object",
         "json loads parse a string", "shutil copytree dirs_exist_ok copies a directory tree",
         "the dog sleeps", "a fox and a dog and a cat", "copy a file with shutil copyfile",
         "ZeroDivisionError division by zero", "parse command line arguments with argparse"]


def _toy_index():
    passages = [Passage(f"p{i}", f"t{i}", text, "toy") for i, text in enumerate(TEXTS)]
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(len(TEXTS), 8)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return rt.RetrievalIndex(passages, emb, np.zeros((len(TEXTS), 8), np.float16),
                             np.arange(len(TEXTS) + 1))


@pytest.mark.parametrize("analyzer", ra.ANALYZERS)
@pytest.mark.parametrize("k1,b", [(1.2, 0.75), (0.1, 0.0), (3.0, 1.0), (0.5, 0.3)])
@pytest.mark.parametrize("query", ["dog fox", "json parse", "shutil copytree", "ZeroDivisionError"])
def test_bm25_matches_rank_bm25_directly(k1, b, query, analyzer):
    index = _toy_index()
    reference = BM25Okapi([ra.analyse(p.indexed_text, analyzer) for p in index.passages], k1=k1, b=b)
    expected = reference.get_scores(ra.analyse(query, analyzer))
    got = index.bm25_scores(query, k1, b, analyzer)
    np.testing.assert_allclose(got, expected)
    hits = index.search("bm25", query, 5, k1=k1, b=b, analyzer=analyzer)
    order = [i for i in sorted(range(len(TEXTS)), key=lambda i: (-expected[i], i))[:5] if expected[i] > 0]
    assert [h.passage_id for h in hits] == [f"p{i}" for i in order]


def test_search_rejects_bad_input():
    index = _toy_index()
    with pytest.raises(ValueError, match="empty"):
        index.search("bm25", "   ", 3)
    with pytest.raises(ValueError, match="cannot exceed"):
        index.search("bm25", "dog", 100)
    with pytest.raises(ValueError, match="characters long"):
        index.search("bm25", "dog " * 1000, 3)
    with pytest.raises(ValueError, match="unknown method"):
        index.search("magic", "dog", 3)
    with pytest.raises(ValueError, match="k1 > 0"):
        index.search("bm25", "dog", 3, k1=0)
    with pytest.raises(ValueError, match="unknown analyser"):
        index.search("bm25", "dog", 3, analyzer="magic")
    with pytest.raises(ValueError, match="unknown search parameter"):
        index.search("bm25", "dog", 3, k2=1)


def test_tokenize_keeps_identifiers():
    assert rt.tokenize("os.path.join and dirs_exist_ok") == ["os", "path", "join", "dirs_exist_ok"]


def test_relevant_params_keep_only_what_changes_the_ranking():
    params = {"k1": 1.0, "b": 0.5, "rrf_k": 10, "alpha": 0.3, "fusion": "rrf", "rerank_n": 5}
    assert rt.relevant_params("dense", params) == {}
    assert rt.relevant_params("bm25", params) == {"k1": 1.0, "b": 0.5}
    assert rt.relevant_params("bm25", {**params, "analyzer": "simple"})["analyzer"] == "simple"
    assert "alpha" not in rt.relevant_params("rrf", params)
    assert rt.relevant_params("rerank", params) == {"k1": 1.0, "b": 0.5, "rrf_k": 10, "fusion": "rrf",
                                                     "rerank_n": 5}


def test_bm25_returns_only_matching_passages():
    index = _toy_index()
    hits = index.search("bm25", "argparse", 5)
    assert [h.passage_id for h in hits] == ["p8"]
    assert index.search("bm25", "nothingmatches", 5) == []
