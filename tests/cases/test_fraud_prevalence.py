"""Lesson 13's held-out split and its prevalence re-weighting, against pandas filtering and
scikit-learn's weighted metrics."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from playground.cases import fraud


def test_prevalence_sweep_reweights_to_each_rate_and_matches_sklearn():
    rng = np.random.default_rng(0)
    y = (rng.random(4000) < 0.02).astype(int)
    s = rng.normal(0, 1, 4000) + 2.0 * y
    table = fraud.prevalence_sweep(y, s, [0.02, 0.005, 0.001])
    base = y.mean()
    for row in table.itertuples():
        k = (base / (1 - base)) / (row[1] / (1 - row[1]))
        w = np.where(y == 0, k, 1.0)
        assert (w * y).sum() / w.sum() == pytest.approx(row[1])  # the weighted fraud rate is the target
        assert row[2] == pytest.approx(roc_auc_score(y, s, sample_weight=w))
        assert row[3] == pytest.approx(average_precision_score(y, s, sample_weight=w))
    assert table["ROC-AUC"].tolist() == pytest.approx([roc_auc_score(y, s)] * 3)  # ROC ignores prevalence
    assert table["PR-AUC"].is_monotonic_decreasing
    with pytest.raises(ValueError):
        fraud.prevalence_sweep(y, s, [0.0])


def test_static_split_holds_out_the_week_before_ship():
    frame = fraud.simulate_transactions(0.01, drift=0.8, n_cards=400, seed=1)
    test, scores = fraud.static_split_scores(frame, seed=0)
    held = frame.query(f"{fraud.TRAIN_DAYS} <= day < {fraud.SHIP_DAY}")
    assert len(test) == len(held) and test["fraud"].sum() == held["fraud"].sum()
    assert set(scores) == set(fraud.HANDLING)
    assert all(len(v) == len(test) for v in scores.values())
    assert roc_auc_score(test["fraud"], scores["none"]) > 0.7
