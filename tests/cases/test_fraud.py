"""Lesson 13 core: velocity features against brute force, PR/ROC against scikit-learn, the
expected-cost threshold against brute force, imbalance handling and drift after ship."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, confusion_matrix, precision_recall_curve, roc_auc_score

from playground.cases import fraud


def _brute_velocity(card, t, window):
    return np.array([sum(1 for j in range(i) if card[j] == card[i] and t[i] - window < t[j] <= t[i])
                     for i in range(len(t))])


def test_velocity_counts_match_brute_force_with_ties():
    rng = np.random.default_rng(0)
    t = np.sort(rng.integers(0, 500, 400))          # many ties in time
    card = rng.integers(0, 7, 400)
    for window in (1, 10, 60, 1000):
        np.testing.assert_array_equal(fraud.velocity_counts(card, t, window), _brute_velocity(card, t, window))


def test_velocity_hand_case_and_never_the_future():
    card, t = [1, 1, 2, 1, 1], [0, 30, 40, 89, 200]
    # last 60 s = (t - 60, t], earlier rows of the same card only: -, {0}, -, {30}, {}
    assert fraud.velocity_counts(card, t, 60).tolist() == [0, 1, 0, 1, 0]
    # appending a future burst changes nothing that came before it
    later = fraud.velocity_counts(card + [1, 1, 1], t + [201, 202, 203], 60)
    assert later[:5].tolist() == [0, 1, 0, 1, 0] and later[5:].tolist() == [1, 2, 3]
    with pytest.raises(ValueError):
        fraud.velocity_counts([1, 1], [5, 3], 60)


@pytest.fixture(scope="module")
def stream():
    return fraud.simulate_transactions(0.005, drift=0.8, seed=0)


def test_stream_has_the_asked_fraud_rate_and_causal_features(stream):
    assert stream["fraud"].mean() == pytest.approx(0.005, rel=0.02)
    assert stream["t"].is_monotonic_increasing
    for name, window in fraud.WINDOWS.items():
        np.testing.assert_array_equal(stream[name], fraud.velocity_counts(stream.card, stream.t, window))
    before = stream[stream.day < fraud.SHIP_DAY]
    assert before["adapted"].sum() == 0
    late_fraud = stream[(stream.day >= fraud.SHIP_DAY + 14) & (stream.fraud == 1)]
    assert late_fraud["adapted"].mean() == pytest.approx(0.8, abs=0.1)
    assert fraud.simulate_transactions(0.001, seed=1)["fraud"].mean() == pytest.approx(0.001, rel=0.05)
    with pytest.raises(ValueError):
        fraud.simulate_transactions(0.2)


def test_curves_match_sklearn():
    rng = np.random.default_rng(3)
    y = (rng.random(3000) < 0.02).astype(int)
    s = np.round(rng.random(3000) + 0.8 * y, 2)          # rounded: plenty of tied scores
    c = fraud.curves(y, s)
    assert c.roc_auc == pytest.approx(roc_auc_score(y, s))
    assert c.average_precision == pytest.approx(average_precision_score(y, s))
    precision, recall, thresholds = precision_recall_curve(y, s)
    assert set(thresholds) <= set(c.thresholds)
    mine = dict(zip(c.thresholds, zip(c.precision, c.recall)))
    for thr, p, r in zip(thresholds, precision[:-1], recall[:-1]):
        assert mine[thr] == pytest.approx((p, r))
    w = np.where(y == 0, 5.0, 1.0)                       # the same model at a 5x lower fraud rate
    cw = fraud.curves(y, s, w)
    assert cw.average_precision == pytest.approx(average_precision_score(y, s, sample_weight=w))
    assert cw.roc_auc == pytest.approx(roc_auc_score(y, s, sample_weight=w))
    assert cw.average_precision < c.average_precision


def test_cost_curve_matches_brute_force():
    rng = np.random.default_rng(4)
    y = (rng.random(800) < 0.05).astype(int)
    s = np.round(rng.random(800) * 0.7 + 0.3 * y, 2)
    amount = rng.lognormal(3.5, 1.0, 800)
    cc = fraud.cost_curve(y, s, amount, friction=8.0, fee=15.0)
    brute = [fraud.cost_at(y, s, amount, t, 8.0, 15.0) for t in cc.thresholds]
    np.testing.assert_allclose(cc.cost, brute)
    grid = np.r_[np.unique(s), np.inf]
    assert cc.cost[cc.best] == pytest.approx(min(fraud.cost_at(y, s, amount, t, 8.0, 15.0) for t in grid))
    assert cc.cost[0] == pytest.approx(np.sum((amount + 15.0)[y == 1]))      # approve everything


def test_confusion_and_bayes_rule():
    rng = np.random.default_rng(5)
    y, s = rng.integers(0, 2, 200), rng.random(200)
    tn, fp, fn, tp = confusion_matrix(y, s >= 0.3).ravel()
    got = fraud.confusion_at(y, s, 0.3)
    assert (got["tn"], got["fp"], got["fn"], got["tp"]) == (tn, fp, fn, tp)
    # p·(amount + fee) > (1 − p)·friction: 0.1·(85 + 15) = 10 > 0.9·10 = 9 -> decline
    assert fraud.bayes_decline([0.1, 0.1], [85.0, 5.0], friction=10.0, fee=15.0).tolist() == [True, False]


def test_models_rank_well_but_reweighting_inflates_probabilities(stream):
    train = stream[stream.day < fraud.TRAIN_DAYS]
    test = stream[(stream.day >= fraud.TRAIN_DAYS) & (stream.day < fraud.SHIP_DAY)]
    p = {h: fraud.score(fraud.fit_model(train, h), test) for h in fraud.HANDLING}
    for h in fraud.HANDLING:
        c = fraud.curves(test.fraud, p[h])
        assert c.roc_auc > 0.9 and c.average_precision > 0.3
        assert c.average_precision < c.roc_auc
    assert p["class weights"].mean() > 5 * p["none"].mean()
    assert p["none"].mean() == pytest.approx(test.fraud.mean(), rel=0.5)   # unweighted stays calibrated


@pytest.mark.slow  # a retraining per week, ~5 s
def test_drift_decays_the_frozen_model_and_retraining_recovers(stream):
    weeks = fraud.weekly_drift(stream, label_delay=0, friction=10.0, fee=15.0)
    frozen = weeks[weeks.model == "frozen at ship"].set_index("week")
    retrained = weeks[weeks.model != "frozen at ship"].set_index("week")
    assert frozen.loc[7, "PR-AUC"] < 0.5 * frozen.loc[2, "PR-AUC"]
    assert retrained.loc[[5, 6, 7], "PR-AUC"].mean() > 1.5 * frozen.loc[[5, 6, 7], "PR-AUC"].mean()
    assert retrained.loc[[5, 6, 7], "recall"].mean() > frozen.loc[[5, 6, 7], "recall"].mean()


def test_batch_counts_match_brute_force_and_leak_the_future():
    rng = np.random.default_rng(6)
    t = np.sort(rng.integers(0, 2000, 300))
    card = rng.integers(0, 5, 300)
    for window in (60, 600):
        brute = [sum(1 for j in range(300) if j != i and card[j] == card[i] and t[j] // window == t[i] // window)
                 for i in range(300)]
        np.testing.assert_array_equal(fraud.batch_counts(card, t, window), brute)
    # the first transaction of a burst: the batch count sees the two that follow, streaming sees none
    assert fraud.batch_counts([1, 1, 1], [0, 10, 20], 60)[0] == 2
    assert fraud.velocity_counts([1, 1, 1], [0, 10, 20], 60)[0] == 0


def test_batch_features_look_better_offline_and_worse_online(stream):
    check = fraud.leakage_check(stream)
    assert check["batch features, offline"] > check["streaming features, online"]
    assert check["batch features, online"] < check["streaming features, online"]


def test_ips_fraud_total_hand_worked_and_unbiased():
    y, declined = np.array([1, 0, 1, 1, 0]), np.array([0, 0, 1, 1, 1], bool)
    # approved fraud: 1; explored (declined, approved anyway at 50 %) fraud: 1 / 0.5 = 2
    assert fraud.ips_fraud_total(y, declined, np.array([0, 0, 1, 0, 0], bool), 0.5) == 3.0
    rng = np.random.default_rng(0)
    y, declined = rng.random(400) < 0.2, rng.random(400) < 0.3
    draws = [fraud.ips_fraud_total(y, declined, declined & (rng.random(400) < 0.1), 0.1) for _ in range(4000)]
    assert np.mean(draws) == pytest.approx(y.sum(), rel=0.02)  # the naive count, y[~declined].sum(), is not
    assert y[~declined].sum() < 0.8 * y.sum()
    with pytest.raises(ValueError):
        fraud.ips_fraud_total(y, declined, ~declined, 0.1)


@pytest.mark.slow  # retrains twice, ~4 s
def test_selective_labels_bias_retraining_and_exploration_recovers(stream):
    r = fraud.selective_labels(stream, threshold=0.5, explore=0.1, seed=0)
    t = r.table
    assert r.fraud_naive < 0.7 * r.fraud_true and abs(r.fraud_ips - r.fraud_true) < 0.2 * r.fraud_true
    assert t.loc["approved only", "fraud seen"] == r.fraud_naive
    assert t.loc["all labels (oracle)", "fraud seen"] == r.fraud_true
    oracle, naive, explored = (t.loc[k, "recall next week"] for k in t.index)
    assert naive < 0.5 * oracle and explored > 2 * naive


@pytest.mark.slow  # trains, ~4 s
def test_threshold_chosen_on_validation_and_reported_on_a_later_week(stream):
    r = fraud.threshold_transfer(stream, friction=5.0, fee=15.0, seed=0)
    model = fraud.fit_model(stream[stream.day < fraud.TRAIN_DAYS], "none", 0)
    lo = fraud.TRAIN_DAYS
    val, later = (stream[(stream.day >= d) & (stream.day < d + 7)] for d in (lo, lo + 7))
    pv, pl = fraud.score(model, val), fraud.score(model, later)
    brute = {t: fraud.cost_at(val.fraud, pv, val.amount, t, 5.0, 15.0) for t in [np.inf, *np.unique(pv)]}
    assert min(brute.values()) == pytest.approx(brute[r.threshold])
    assert r.validation == pytest.approx(1000 * brute[r.threshold] / len(val))
    assert r.later == pytest.approx(1000 * fraud.cost_at(later.fraud, pl, later.amount, r.threshold, 5.0, 15.0)
                                    / len(later))
    assert r.later_best <= r.later and r.later > r.validation  # the validation week flatters the threshold


def test_handling_enum_keeps_the_strings_old_links_carry():
    assert [h.value for h in fraud.HANDLING] == ["none", "class weights", "undersample legit"]
    assert fraud.Handling("undersample legit") is fraud.Handling.UNDERSAMPLE
    assert set(fraud.HANDLING_LABELS) == set(fraud.Handling)
    assert "class weights" in fraud.HANDLING


def test_batch_online_change_is_online_minus_offline():
    check = {"streaming features, offline": 0.6, "streaming features, online": 0.6,
             "batch features, offline": 0.75, "batch features, online": 0.5}
    assert fraud.batch_online_change(check) == pytest.approx(-0.25)


def test_velocity_sample_and_means_by_hand():
    # card 7 gets busy (v_24h 3) at its fourth transaction, card 5 at its third, card 9 never does
    frame = pd.DataFrame({"t": [0, 10, 20, 90_061, 90_100, 90_200, 90_300, 90_400],
                          "card": [7, 5, 7, 7, 5, 5, 9, 7],
                          "v_1m": [0, 0, 1, 0, 1, 1, 0, 2], "v_1h": [0, 0, 1, 0, 1, 2, 0, 2],
                          "v_24h": [0, 0, 1, 2, 1, 3, 0, 3],
                          "amount": [5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0], "fraud": [0, 0, 0, 1, 0, 1, 0, 0]})
    sample = fraud.velocity_sample(frame, cards=2, rows=5)
    assert sample["card"].tolist() == [5, 5, 5, 7, 7]            # busy cards in order of getting busy, by card
    assert sample["time"].tolist()[:2] == ["day 01 00:00:10", "day 02 01:01:40"]  # 90,100 s = 1 d 1 h 1 min 40 s
    assert list(sample.columns) == ["card", "time", *fraud.WINDOWS, "amount", "fraud"]
    assert fraud.velocity_sample(frame, cards=1)["card"].unique().tolist() == [5]
    means = fraud.velocity_means(frame)
    assert means.loc[1, "v_24h"] == pytest.approx((2 + 3) / 2) and means.loc[0, "v_1m"] == pytest.approx(4 / 6)


def test_recent_weeks_and_adapted_share_by_hand():
    weeks = pd.DataFrame({"week": [2, 2, 3, 3, 4, 4], "model": [fraud.FROZEN, fraud.RETRAINED] * 3,
                          "recall": [0.9, 0.9, 0.6, 0.8, 0.4, 0.7], "PR-AUC": [0.8, 0.8, 0.5, 0.7, 0.3, 0.6],
                          "adapted share of fraud": [0.0, 0.0, np.nan, np.nan, 0.5, 0.5]})
    last = fraud.recent_weeks(weeks, 2)                          # weeks 3 and 4
    assert last.loc[fraud.FROZEN, "recall"] == pytest.approx(0.5)
    assert last.loc[fraud.RETRAINED, "PR-AUC"] == pytest.approx(0.65)
    assert fraud.recent_weeks(weeks, 1).loc[fraud.FROZEN, "recall"] == pytest.approx(0.4)
    assert fraud.adapted_by_week(weeks.iloc[::-1]) == [0.0, 0.0, 0.5]   # week order; a week without fraud: 0
    with pytest.raises(ValueError):
        fraud.recent_weeks(weeks, 0)
