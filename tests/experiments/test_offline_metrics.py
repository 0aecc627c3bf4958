import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, ndcg_score

from playground.experiments import offline_metrics as om


def test_hand_computed_list():
    rel = [1, 0, 1, 0, 0, 1]
    assert om.precision_at_k(rel, 3) == pytest.approx(2 / 3)
    assert om.recall_at_k(rel, 3) == pytest.approx(2 / 3)
    assert om.recall_at_k(rel, 3, n_relevant=4) == pytest.approx(0.5)
    # AP = (1/1 + 2/3 + 3/6) / 3
    assert om.average_precision(rel) == pytest.approx((1 + 2 / 3 + 0.5) / 3)
    assert om.average_precision(rel, k=3) == pytest.approx((1 + 2 / 3) / 3)
    # DCG@3 = 1 + 1/log2(4) = 1.5 ; ideal = 1 + 1/log2(3) + 1/2
    assert om.ndcg_at_k(rel, 3) == pytest.approx(1.5 / (1 + 1 / np.log2(3) + 0.5))


@pytest.mark.parametrize("k", [1, 3, 5, 10, 20])
def test_ndcg_matches_sklearn(k):
    rng = np.random.default_rng(k)
    for _ in range(20):
        grades = rng.integers(0, 4, size=20).astype(float)
        scores = rng.permutation(20).astype(float)  # no ties
        ours = om.ndcg_at_k(grades[om.rank_by(scores)], k)
        ref = ndcg_score(grades[None, :], scores[None, :], k=k) if grades.any() else 0.0
        assert ours == pytest.approx(ref)


def test_average_precision_matches_sklearn():
    rng = np.random.default_rng(0)
    for _ in range(20):
        y = (rng.random(30) < 0.3).astype(int)
        y[0] = 1
        scores = rng.permutation(30).astype(float)
        ours = om.average_precision(y[om.rank_by(scores)])
        assert ours == pytest.approx(average_precision_score(y, scores))


def test_recall_precision_by_brute_force():
    rng = np.random.default_rng(1)
    scores = rng.random((50, 40))
    labels = (rng.random((50, 40)) < 0.2).astype(float)
    labels[:, 0] = 1
    got = om.evaluate(scores, labels, 5)
    top5 = np.argsort(-scores, axis=1)[:, :5]
    hits = np.take_along_axis(labels, top5, axis=1).sum(axis=1)
    assert got["precision@k"] == pytest.approx(np.mean(hits / 5))
    assert got["recall@k"] == pytest.approx(np.mean(hits / labels.sum(axis=1)))


def test_bad_k_and_shapes():
    with pytest.raises(ValueError, match="cannot exceed"):
        om.evaluate(np.zeros((2, 3)), np.ones((2, 3)), 4)
    with pytest.raises(ValueError):
        om.precision_at_k([1, 0], 0)
    with pytest.raises(ValueError):
        om.evaluate(np.zeros((2, 3)), np.ones((3, 3)), 1)


def test_offline_winner_loses_on_true_preferences():
    ex = om.logged_feedback_example(seed=0)
    table = ex.table(10).set_index(["model", "evaluated on"])["NDCG@k"]
    off = "offline (logged clicks)"
    on = "online (true preferences)"
    assert table["new: imitates logs", off] > table["new: personalised", off]
    assert table["new: personalised", on] > table["new: imitates logs", on]
    assert not (ex.logged * ~ex.shown).any()  # no label outside what the old system showed


def test_ndcg_winners_pick_the_best_model_by_each_column():
    table = pd.DataFrame({"model": ["a", "a", "b", "b"], "evaluated on": [om.OFFLINE, om.ONLINE] * 2,
                          "NDCG@k": [0.9, 0.2, 0.5, 0.6]})
    ndcg, off_best, on_best = om.ndcg_winners(table)
    assert (off_best, on_best) == ("a", "b")
    assert ndcg.loc["b", om.ONLINE] == 0.6
