"""IR metrics against hand-computed cases and scikit-learn's ndcg_score."""

import math

import numpy as np
import pytest
from sklearn.metrics import ndcg_score

from playground.rag import ir_metrics as irm

RANKED = ["a", "b", "c", "d", "e"]
REL = {"b": 2, "d": 1, "z": 1}  # z is never retrieved


def test_recall_hand_computed():
    assert irm.recall_at_k(RANKED, REL, 1) == 0.0
    assert irm.recall_at_k(RANKED, REL, 2) == pytest.approx(1 / 3)
    assert irm.recall_at_k(RANKED, REL, 5) == pytest.approx(2 / 3)
    assert irm.recall_at_k(RANKED, {}, 5) == 0.0


def test_reciprocal_rank_hand_computed():
    assert irm.reciprocal_rank(RANKED, REL, 10) == pytest.approx(0.5)
    assert irm.reciprocal_rank(RANKED, REL, 1) == 0.0
    assert irm.reciprocal_rank(RANKED, {"e": 1}, 10) == pytest.approx(0.2)


def test_ndcg_hand_computed():
    # DCG = 2/log2(3) + 1/log2(5); ideal = 2/log2(2) + 1/log2(3) + 1/log2(4)
    dcg = 2 / math.log2(3) + 1 / math.log2(5)
    ideal = 2 + 1 / math.log2(3) + 1 / 2
    assert irm.ndcg_at_k(RANKED, REL, 10) == pytest.approx(dcg / ideal)
    assert irm.ndcg_at_k(["b", "d", "z"], REL, 10) == pytest.approx(1.0)
    assert irm.ndcg_at_k(RANKED, {}, 10) == 0.0


@pytest.mark.parametrize("seed", range(5))
def test_ndcg_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = 30
    grades = rng.integers(0, 3, n)
    scores = rng.normal(size=n)  # distinct: no ties
    ids = [f"p{i}" for i in range(n)]
    ranked = [ids[i] for i in np.argsort(-scores)]
    relevant = {ids[i]: int(g) for i, g in enumerate(grades) if g > 0}
    for k in (1, 5, 10):
        expected = ndcg_score(grades[None, :], scores[None, :], k=k)
        assert irm.ndcg_at_k(ranked, relevant, k) == pytest.approx(expected)


def test_precision_and_bad_k():
    assert irm.precision_at_k(RANKED, REL, 4) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="at least 1"):
        irm.recall_at_k(RANKED, REL, 0)
