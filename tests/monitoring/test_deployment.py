"""Shadow gate vs direct rollout on a stream with a label-logging incident."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from playground.monitoring import deployment as dp, drift as dr


@pytest.fixture(scope="module")
def stream():
    return dr.simulate_stream(kind="concept", pattern="sudden", magnitude=0.6, start=60, days=120,
                              batch=400, seed=0)


def test_direct_rollout_ships_the_poisoned_model_and_shadow_rolls_it_back(stream):
    direct = dp.replay(stream, shadow=False, bad_days=(80, 90))
    gated = dp.replay(stream, shadow=True, bad_days=(80, 90))
    # schedule by hand: retrains every 14 days from day 19: 33, 47, …; direct promotes at once
    assert direct.promoted == [33, 47, 61, 75, 89, 103, 117] and not direct.rolled_back
    assert direct.poisoned == [89]  # trained on days 76-89, of which 80-89 inverted
    assert gated.poisoned == []
    # the retrain on day 89 learned from 10 inverted days out of 14: worse than a coin
    assert np.nanmean(direct.accuracy[90:103]) < 0.5
    # shadow: the day-89 candidate is judged on days 90-92 and discarded on day 92
    assert 92 in gated.rolled_back
    assert np.nanmean(gated.accuracy[90:103]) > 0.75
    assert gated.mean_accuracy(20) > direct.mean_accuracy(20) + 0.05


def test_the_rollback_agrees_with_an_independent_refit(stream):
    # the same candidate fit by scikit-learn on the logged (inverted) labels scores worse on the
    # shadow days than the model serving since day 78 (retrained on day 75 from clean days 62-75)
    y = stream.y.copy()
    y[80:90] = 1 - y[80:90]
    def fit(lo, hi, labels):
        return LogisticRegression(C=1.0).fit(stream.x[lo:hi].reshape(-1, 2), labels[lo:hi].ravel())
    cand, serving = fit(76, 90, y), fit(62, 76, stream.y)
    days = slice(90, 93)
    acc = lambda m: np.mean(m.predict(stream.x[days].reshape(-1, 2)) == stream.y[days].ravel())
    assert acc(cand) < acc(serving)


def test_without_an_incident_the_gate_only_delays(stream):
    gated = dp.replay(stream, shadow=True, bad_days=None, label_delay=2)
    assert gated.promoted[0] == 33 + 3 + 2  # retrain on 33, 3 shadow days, labels 2 days late
    with pytest.raises(ValueError, match="inside the stream"):
        dp.replay(stream, shadow=True, bad_days=(110, 130))


def test_incident_window_and_mean_accuracy_after_by_hand():
    assert dp.incident_window(80, 10, 120) == (80, 90)
    assert dp.incident_window(115, 10, 120) == (115, 120)
    assert dp.incident_window(80, 0, 120) is None
    run = dp.Rollout("x", np.array([np.nan, 0.5, 0.6, 0.8, 1.0]))
    assert run.mean_accuracy_after(1, 2) == pytest.approx(0.7)
    assert run.mean_accuracy_after(0, 2) == pytest.approx(0.55)
