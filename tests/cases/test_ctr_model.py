"""CTR model on a simulated impression log: NE by hand and vs scipy, hashing vs one-hot,
calibration by segment vs a loop, delayed conversions vs the exponential delay's closed form."""

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.preprocessing import OneHotEncoder

from playground.cases import ctr_model as cm


@pytest.fixture(scope="module")
def log():
    return cm.simulate_log(cm.LogSpec(n=20_000), seed=1)


def test_normalised_entropy_by_hand_and_against_scipy():
    assert cm.normalised_entropy([1, 0], [0.5, 0.5], 0.5) == pytest.approx(1.0)
    assert cm.normalised_entropy([1, 0, 0, 0], [0.25] * 4, 0.25) == pytest.approx(1.0)  # the average
    y, p = np.array([1, 0, 0, 1, 0]), np.array([0.8, 0.1, 0.3, 0.6, 0.2])
    assert cm.normalised_entropy(y, p, 0.4) == pytest.approx(log_loss(y, p) / stats.entropy([0.4, 0.6]))
    with pytest.raises(ValueError):
        cm.normalised_entropy(y, p, 0.0)


def test_hashed_features_match_one_hot_when_nothing_collides(log):
    train = log.iloc[:8000]
    cols = train[["adv", "site", "device", "hour"]].astype(str)
    cols = cols.assign(cross=cols["adv"] + "&" + cols["device"])
    one_hot = OneHotEncoder().fit(cols)
    hashed_x = cm.hash_features(train, True, 16)
    # 2**16 buckets hold this log's features without a collision: one used column per one-hot column
    assert np.unique(hashed_x.indices).size == one_hot.transform(cols).shape[1]
    hashed = LogisticRegression(C=1.0, max_iter=1000).fit(hashed_x, train["click"])
    ref = LogisticRegression(C=1.0, max_iter=1000).fit(one_hot.transform(cols), train["click"])
    # FeatureHasher's signed hashing gives +-1 entries; L2 penalty is symmetric, so the fits agree
    a, b = hashed.predict_proba(hashed_x)[:, 1], ref.predict_proba(one_hot.transform(cols))[:, 1]
    assert np.max(np.abs(a - b)) < 1e-6


def test_the_feature_cross_lowers_held_out_log_loss(log):
    without, with_cross = cm.train_ctr(log, cross=False), cm.train_ctr(log, cross=True)
    assert with_cross.log_loss < without.log_loss
    assert with_cross.normalised_entropy < without.normalised_entropy < 1.0


def test_calibration_by_segment_against_a_loop(log):
    r = cm.train_ctr(log, cross=True)
    for device, row in r.calibration.iterrows():
        rows = r.test[r.test["device"] == device]
        assert row["predicted"] == pytest.approx(rows["pred"].sum())
        assert row["predicted ÷ observed"] == pytest.approx(rows["pred"].sum() / rows["click"].sum())


def test_delayed_conversions_follow_the_exponential_delay():
    spec = cm.LogSpec(n=200_000, days=6, base_ctr=0.1, cvr=0.3, delay_days=2.0)
    table = cm.delayed_label_table(cm.simulate_log(spec, seed=2), cutoff=6.0, delay_days=2.0)
    # the observed share of conversions is 1 - exp(-age / 2) averaged over the day's ages
    np.testing.assert_allclose(table["observed ÷ true"], table["expected_share"], atol=0.05)
    assert table["observed ÷ true"].iloc[-1] < 0.35  # yesterday's clicks look 3x worse than they are


def test_ctr_experiment_and_worst_calibrated_device():
    exp = cm.ctr_experiment(6000, 2.0, cross=True, bits=12, seed=1)
    log = cm.simulate_log(cm.LogSpec(n=6000, delay_days=2.0), seed=1)
    assert exp.base_ctr == pytest.approx(log["click"].mean())
    assert exp.result.auc == pytest.approx(cm.train_ctr(log, cross=True, bits=12).auc)
    assert exp.delayed.equals(cm.delayed_label_table(log, float(log["time"].max()), 2.0))
    off = (exp.result.calibration["predicted ÷ observed"] - 1).abs()
    assert exp.result.worst_calibrated() == off.sort_values().index[-1]
