"""Lesson 13's held-out report: the threshold rules, costs per 1,000 transactions and the curves as
drawn, against brute-force sums, scikit-learn's curves and confusion matrix, and hand-worked cases."""

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (average_precision_score, confusion_matrix, precision_recall_curve, roc_auc_score,
                             roc_curve)

from playground.cases import fraud
from playground.cases import fraud_threshold as ft


def test_thin_keeps_both_ends_and_at_most_keep_points():
    assert ft.thin(10, 4).tolist() == [0, 3, 6, 9]            # linspace(0, 9, 4) by hand
    assert ft.thin(3).tolist() == [0, 1, 2]                   # short curves are drawn whole
    assert ft.thin(0).tolist() == []
    for n in (2, 7, 1501, 40_000):
        i = ft.thin(n, 100)
        assert i[0] == 0 and i[-1] == n - 1 and len(i) <= 100 and np.all(np.diff(i) > 0)
    with pytest.raises(ValueError):
        ft.thin(5, 0)


def _case():
    """Ten transactions, three of them fraud; scores tied in places, one at exactly 0."""
    y = np.array([0, 0, 1, 0, 1, 0, 0, 1, 0, 0])
    s = np.array([0.0, 0.1, 0.9, 0.3, 0.4, 0.4, 0.05, 0.7, 0.2, 0.6])
    amount = np.array([20.0, 35.0, 400.0, 12.0, 25.0, 60.0, 8.0, 150.0, 45.0, 30.0])
    return y, s, amount


def _brute_cost(y, s, amount, t, friction, fee):
    return sum(amount[i] + fee for i in range(len(y)) if y[i] == 1 and not s[i] >= t) + \
        sum(friction for i in range(len(y)) if y[i] == 0 and s[i] >= t)


def test_choose_threshold_minimum_matches_brute_force_and_the_other_rules():
    y, s, amount = _case()
    cc = fraud.cost_curve(y, s, amount, friction=10.0, fee=15.0)
    grid = [np.inf, *np.unique(s)]
    costs = {t: _brute_cost(y, s, amount, t, 10.0, 15.0) for t in grid}
    best = ft.choose_threshold(cc, "minimum expected cost")
    assert costs[best] == pytest.approx(min(costs.values()))
    # by hand: declining s >= 0.4 catches all three frauds and declines two legit (0.4 and 0.6): $20;
    # approving everything costs 415 + 40 + 165 = $620, s >= 0.7 misses the $40 one, s >= 0.3 adds a decline
    assert best == 0.4 and costs[0.4] == 20.0
    assert ft.choose_threshold(cc, "0.5") == 0.5
    assert ft.choose_threshold(cc, "manual", 0.25) == 0.25
    for rule, manual in (("manual", None), ("manual", 1.5), ("median", None)):
        with pytest.raises(ValueError):
            ft.choose_threshold(cc, rule, manual)


def test_log_marker_puts_the_label_at_log10_of_the_line():
    assert ft.log_marker(0.5) == pytest.approx((0.5, np.log10(0.5)))
    assert ft.log_marker(0.0) == pytest.approx((1e-6, -6.0))   # a threshold of 0 is drawn at the floor


def test_held_out_costs_and_rates_match_brute_force_and_sklearn():
    y, s, amount = _case()
    test = pd.DataFrame({"fraud": y, "amount": amount})
    plain, inflated = s, np.sqrt(s)                            # same ranking, different scale
    h = ft.held_out(test, {"none": plain, "class weights": inflated}, "none", 10.0, 15.0, "0.5",
                    rates=(0.1, 0.01))
    assert h.threshold == 0.5 and h.n == 10 and h.fraud_rate == pytest.approx(0.3)
    tn, fp, fn, tp = confusion_matrix(y, s >= 0.5).ravel()
    assert (h.confusion["tp"], h.confusion["fp"]) == (tp, fp) and h.legit == tn + fp == 7
    assert h.declines_per_catch == pytest.approx(fp / tp)      # 0.6 declined: 1 false decline, 2 catches
    assert h.cost_now == pytest.approx(_brute_cost(y, s, amount, 0.5, 10.0, 15.0))   # missed 25 + 15, 1 x 10
    assert h.cost_now == pytest.approx(50.0) and h.cost_per_1k == pytest.approx(5000.0)
    assert h.half_per_1k == pytest.approx(1000 * 50.0 / 10)
    assert h.approve_all_per_1k == pytest.approx(1000 * (400 + 25 + 150 + 3 * 15) / 10)
    assert h.best_threshold == 0.4 and h.half_excess_per_1k == pytest.approx(1000 * (50 - 20) / 10)
    assert h.half_is_costly                                     # 50 > 1.1 x 20
    assert h.cost_axis_top == pytest.approx(1.3 * 1000 * 620.0 / 10)
    bayes = [s[i] * (amount[i] + 15.0) > (1 - s[i]) * 10.0 for i in range(10)]
    assert h.cost_bayes == pytest.approx(_brute_cost(y, np.array(bayes, float), amount, 0.5, 10.0, 15.0))
    assert h.bayes_per_1k == pytest.approx(100 * h.cost_bayes)
    for name, scores in (("none", plain), ("class weights", inflated)):
        assert h.curves[name].roc_auc == pytest.approx(roc_auc_score(y, scores))
    assert h.chosen is h.curves["none"]
    k = (0.3 / 0.7) / (0.01 / 0.99)
    w = np.where(y == 0, k, 1.0)
    assert h.rarest["fraud rate"] == 0.01
    assert h.rarest["PR-AUC"] == pytest.approx(average_precision_score(y, s, sample_weight=w))
    with pytest.raises(ValueError):
        ft.held_out(test, {"none": plain}, "class weights", 10.0, 15.0, "0.5")


def test_drawn_curves_are_sklearns_curves_thinned():
    rng = np.random.default_rng(2)
    y = (rng.random(500) < 0.1).astype(int)
    s = np.round(rng.random(500) + 0.5 * y, 3)
    c = fraud.curves(y, s)
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    x, r = ft.roc_points(c, keep=10_000)
    np.testing.assert_allclose(x, fpr)
    np.testing.assert_allclose(r, tpr)
    precision, recall, _ = precision_recall_curve(y, s, drop_intermediate=False)
    x, p = ft.pr_points(c, keep=10_000)
    m = len(recall) - 1                                        # sklearn appends (recall 0, precision 1)
    np.testing.assert_allclose(x[:m], recall[::-1][1:])
    np.testing.assert_allclose(p[:m], precision[::-1][1:])
    assert m == len(x) and x[-1] == 1
    x, r = ft.roc_points(c, keep=20)
    assert len(x) <= 21 and (x[0], r[0]) == (0, 0) and (x[-1], r[-1]) == (1, 1)
    full = set(zip(fpr.round(12), tpr.round(12)))
    assert set(zip(x.round(12), r.round(12))) <= full


def test_cost_points_are_the_cost_per_1k_at_each_drawn_threshold():
    y, s, amount = _case()
    h = ft.held_out(pd.DataFrame({"fraud": y, "amount": amount}), {"none": s}, "none", 10.0, 15.0,
                    "minimum expected cost", rates=(0.1,))
    points = ft.cost_points(h, keep=5)
    assert len(points) <= 5 and np.isfinite(points["threshold"]).all()
    assert points["threshold"].min() == 1e-6                   # the score 0 is drawn at the log floor
    assert points["threshold"].tolist() == [0.7, 0.4, 0.2, 1e-6]   # thin(10, 5) = rows 0, 2, 4, 6, 9; row 0 is inf
    for row in points.to_dict("records"):
        t = 0.0 if row["threshold"] == 1e-6 else row["threshold"]
        assert row["cost"] == pytest.approx(1000 * _brute_cost(y, s, amount, t, 10.0, 15.0) / 10)
        assert row["cost"] == pytest.approx(row["missed fraud"] + row["false declines"])
