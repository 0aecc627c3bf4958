"""Bonferroni and Benjamini–Hochberg against statsmodels; error rates against their closed forms."""

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from playground.experiments import multiple_testing as mt


@pytest.mark.parametrize("method, sm", [("bonferroni", "bonferroni"), ("bh", "fdr_bh")])
def test_rejections_match_statsmodels(method, sm):
    rng = np.random.default_rng(0)
    for m in (1, 2, 7, 40):
        p = rng.uniform(size=(50, m)) ** 3  # many small p-values, ties with the thresholds unlikely
        got = mt.reject(p, 0.05, method)
        for row, r in zip(p, got):
            np.testing.assert_array_equal(r, multipletests(row, 0.05, method=sm)[0])


def test_bh_hand_worked_step_up():
    # m = 4, BH thresholds .0125 .025 .0375 .05: .001 ≤ .0125, .028 > .025 but .03 ≤ .0375 (step-up
    # rejects every p-value up to the largest passing rank), .2 > .05
    assert mt.reject([0.2, 0.001, 0.03, 0.028], 0.05, "bh").tolist() == [False, True, True, True]
    assert mt.reject([0.2, 0.001, 0.03, 0.028], 0.05, "bonferroni").tolist() == [False, True, False, False]
    assert mt.reject([0.2, 0.001, 0.03, 0.028], 0.05, "none").tolist() == [False, True, True, True]


def test_error_rates_follow_their_closed_forms():
    res = mt.simulate_many_metrics(metrics=20, true_effects=0, reps=20_000, seed=1)
    s = res.summary
    # 20 independent nulls at 0.05: P(at least one) = 1 - 0.95^20 = 0.642, one false win on average
    assert s["none"]["fwer"] == pytest.approx(1 - 0.95**20, abs=0.015)
    assert s["none"]["false_wins"] == pytest.approx(1.0, abs=0.03)
    # Bonferroni: FWER = 1 - (1 - 0.05/20)^20 ≈ 0.0488; all nulls: BH's FDR = FWER ≤ alpha
    assert s["bonferroni"]["fwer"] == pytest.approx(1 - (1 - 0.05 / 20) ** 20, abs=0.006)
    assert s["bh"]["fdr"] == pytest.approx(0.05, abs=0.006)


def test_bh_fdr_is_m0_over_m_alpha_and_more_powerful_than_bonferroni():
    res = mt.simulate_many_metrics(metrics=20, true_effects=5, effect_z=3.0, reps=20_000, seed=2)
    s = res.summary
    # Benjamini & Hochberg (1995): independent p-values give FDR = m0/m * alpha exactly
    assert s["bh"]["fdr"] == pytest.approx(15 / 20 * 0.05, abs=0.006)
    assert s["bh"]["power"] > s["bonferroni"]["power"]
    assert s["none"]["power"] == pytest.approx(0.851, abs=0.01)  # Φ(3 - 1.96) + Φ(-3 - 1.96)


def test_bad_input_is_a_sentence():
    with pytest.raises(ValueError, match="between 0 and 1"):
        mt.reject([0.1, 1.5])
    with pytest.raises(ValueError, match="true effects"):
        mt.simulate_many_metrics(metrics=3, true_effects=4)
    with pytest.raises(ValueError, match="unknown correction"):
        mt.reject([0.1], method="holm")
