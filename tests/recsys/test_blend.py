"""The blended ranker's A/B test: AUC blind to calibration, the decision not."""

import numpy as np
import pytest
from scipy.special import expit

from playground.recsys import blend, calibration as cal


@pytest.fixture(scope="module")
def runs():
    return {c: blend.simulate_blend_ab(calibrate=c, users=8000, seed=0) for c in (False, True)}


def test_auc_is_blind_to_the_missing_calibration(runs):
    raw, fixed = runs[False], runs[True]
    assert raw.treatment.auc == fixed.treatment.auc       # Platt is strictly increasing
    assert raw.treatment.auc > raw.control.auc + 0.05     # the new head ranks clicks clearly better
    assert raw.control == fixed.control                   # same seed, same control arm


def test_uncalibrated_head_inflates_like_downsampling_predicts(runs):
    # E[p / (p + (1 - p) w)] over the world's click probabilities, by Monte Carlo (l_c ~ N(-2, 1)),
    # is what an unbiased downsampled model outputs on average; the noisy head lands near it
    lc = np.random.default_rng(9).normal(-2.0, 1.0, 400_000)
    expected = float(np.mean(cal.inflated(expit(lc), 0.1)))
    assert runs[False].treatment.mean_p_click == pytest.approx(expected, rel=0.15)
    assert runs[True].treatment.mean_p_click == pytest.approx(runs[True].true_ctr, rel=0.03)


def test_the_blend_and_the_decision_flip_with_calibration(runs):
    raw, fixed = runs[False], runs[True]
    # the threshold tuned for calibrated scores (20 % of candidates clear it) lets most through
    assert raw.control.above_threshold == pytest.approx(0.2, abs=0.02)
    assert raw.treatment.above_threshold > 0.6
    assert fixed.treatment.above_threshold == pytest.approx(0.2, abs=0.05)
    # click-bait: more clicks, fewer watches, less value; the better model loses the A/B test
    assert raw.treatment.click_rate > raw.control.click_rate
    assert raw.treatment.watch_rate < raw.control.watch_rate
    assert raw.read.status == "loss" and not raw.ships and not raw.consistent
    assert fixed.ships and fixed.consistent
    # the read's difference is the difference of the arms' value (sampling noise only)
    assert raw.read.diff == pytest.approx(raw.treatment.value - raw.control.value, abs=0.02)


def test_bad_parameters_are_sentences():
    with pytest.raises(ValueError, match="keep rate"):
        blend.simulate_blend_ab(w=0.0)
    with pytest.raises(ValueError, match="items shown"):
        blend.simulate_blend_ab(k=50, candidates=40)
