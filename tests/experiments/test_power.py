import numpy as np
import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from playground.experiments import power as pw


def _statsmodels_n(p1, p2, alpha, power, ratio):
    """n_control from statsmodels' NormalIndPower with the effect standardised by the
    allocation-weighted unpooled variance (the same alternative as the closed form)."""
    sd = np.sqrt((p1 * (1 - p1) + p2 * (1 - p2) / ratio) / (1 + 1 / ratio))
    return NormalIndPower().solve_power(effect_size=(p2 - p1) / sd, alpha=alpha, power=power,
                                        ratio=ratio, alternative="two-sided")


@pytest.mark.parametrize("baseline,mde,relative,alpha,power,ratio", [
    (0.10, 0.01, False, 0.05, 0.8, 1.0),
    (0.10, 0.05, True, 0.05, 0.8, 1.0),
    (0.02, 0.10, True, 0.01, 0.9, 1.0),
    (0.30, -0.02, False, 0.05, 0.8, 1.0),
    (0.05, 0.20, True, 0.05, 0.8, 0.25),
])
def test_sample_size_matches_statsmodels(baseline, mde, relative, alpha, power, ratio):
    n = pw.sample_size_per_arm(baseline, mde, alpha, power, relative=relative, ratio=ratio)
    p2 = baseline * (1 + mde) if relative else baseline + mde
    reference = _statsmodels_n(baseline, p2, alpha, power, ratio)
    # statsmodels also counts the far tail, so it can need a fraction of a user fewer
    assert abs(n - reference) <= 1.0
    assert pw.power_two_proportions(baseline, mde, n, alpha, relative, ratio) >= power - 1e-9
    assert pw.power_two_proportions(baseline, mde, n - 2, alpha, relative, ratio) < power


def test_sample_size_hand_case_and_signature():
    # (1.959964 + 0.841621)^2 * (0.09 + 0.0979) / 0.01^2 = 14748.0 -> 14749 (ceil)
    assert pw.sample_size_per_arm(0.10, 0.01) == 14749
    assert pw.sample_size_per_arm(baseline=0.10, mde=0.10, alpha=0.05, power=0.8, relative=True) == 14749


def test_power_matches_statsmodels_power():
    p1, p2, n = 0.1, 0.11, 10_000
    sd = np.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
    ref = NormalIndPower().power(effect_size=(p2 - p1) / sd, nobs1=n, alpha=0.05, ratio=1.0)
    assert pw.power_two_proportions(p1, 0.01, n) == pytest.approx(ref, abs=1e-9)


def test_power_by_simulation_at_the_planned_sample_size():
    n = pw.sample_size_per_arm(0.10, 0.02)
    rng = np.random.default_rng(7)
    sims = 3000
    conv_c = rng.binomial(n, 0.10, sims)
    conv_t = rng.binomial(n, 0.12, sims)
    p = np.array([proportions_ztest([t, c], [n, n])[1] for t, c in zip(conv_t, conv_c)])
    assert np.mean(p < 0.05) == pytest.approx(0.8, abs=3 * np.sqrt(0.16 / sims))


def test_plan_duration_and_allocation():
    plan = pw.plan(0.10, 0.01, daily_traffic=10_000, allocation=0.5)
    assert plan.n_control == plan.n_treatment == 14749
    assert plan.days == int(np.ceil(2 * 14749 / 10_000))
    skewed = pw.plan(0.10, 0.01, daily_traffic=10_000, allocation=0.2)
    assert skewed.n_treatment == pytest.approx(skewed.n_control / 4, abs=1)
    assert skewed.days > plan.days  # an unbalanced split needs more total traffic
    cuped = pw.plan(0.10, 0.01, variance_factor=1 - 0.7**2)
    assert cuped.n_control == int(np.ceil(14749 * 0.51))


def test_bad_inputs_raise_a_sentence():
    with pytest.raises(ValueError, match="cannot be 0"):
        pw.sample_size_per_arm(0.1, 0.0)
    with pytest.raises(ValueError, match="outside 0"):
        pw.sample_size_per_arm(0.95, 0.10)
    with pytest.raises(ValueError, match="baseline"):
        pw.sample_size_per_arm(0.0, 0.01)


def test_diff_ci_matches_statsmodels_wald():
    lo, hi = confint_proportions_2indep(130, 1000, 100, 1000, method="wald", compare="diff")
    d, l2, h2 = pw.diff_ci(100, 1000, 130, 1000)
    assert d == pytest.approx(0.03)
    assert (l2, h2) == pytest.approx((lo, hi))


def test_z_quantiles_are_the_textbook_values():
    z_a, z_b = pw.z_quantiles(0.05, 0.8)
    assert z_a == pytest.approx(1.959964, abs=1e-6) and z_b == pytest.approx(0.841621, abs=1e-6)
    with pytest.raises(ValueError):
        pw.z_quantiles(0.05, 1.0)


@pytest.mark.parametrize("factor", [1.0, 0.75])
def test_power_curves_reach_the_target_power_at_the_planned_n(factor):
    """At the planned control-arm n the MDE's curve reads the planned power (statsmodels checks
    the plan above); half the MDE has less power, twice the MDE more."""
    plan = pw.plan(0.10, 0.05, 0.05, 0.8, relative=True, allocation=0.3, variance_factor=factor)
    grid, curves = pw.power_curves(0.10, 0.05, plan.n_control, 0.05, True, 0.3, factor)
    assert grid[0] == pytest.approx(plan.n_control * 0.05) and grid[-1] == pytest.approx(plan.n_control * 2.5)
    at_plan = np.interp(plan.n_control, grid, curves[1.0])
    assert at_plan == pytest.approx(0.8, abs=0.01)
    assert np.interp(plan.n_control, grid, curves[0.5]) < 0.5 < 0.99 < np.interp(plan.n_control, grid, curves[2.0])
    assert np.all(np.diff(curves[1.0]) > 0)
    with pytest.raises(ValueError, match="allocation"):
        pw.power_curves(0.10, 0.05, 100, allocation=1.0)
