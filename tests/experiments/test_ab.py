import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from playground.experiments import ab


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
    n = ab.sample_size_per_arm(baseline, mde, alpha, power, relative=relative, ratio=ratio)
    p2 = baseline * (1 + mde) if relative else baseline + mde
    reference = _statsmodels_n(baseline, p2, alpha, power, ratio)
    # statsmodels also counts the far tail, so it can need a fraction of a user fewer
    assert abs(n - reference) <= 1.0
    assert ab.power_two_proportions(baseline, mde, n, alpha, relative, ratio) >= power - 1e-9
    assert ab.power_two_proportions(baseline, mde, n - 2, alpha, relative, ratio) < power


def test_sample_size_hand_case_and_signature():
    # (1.959964 + 0.841621)^2 * (0.09 + 0.0979) / 0.01^2 = 14748.0 -> 14749 (ceil)
    assert ab.sample_size_per_arm(0.10, 0.01) == 14749
    assert ab.sample_size_per_arm(baseline=0.10, mde=0.10, alpha=0.05, power=0.8, relative=True) == 14749


def test_power_matches_statsmodels_power():
    p1, p2, n = 0.1, 0.11, 10_000
    sd = np.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
    ref = NormalIndPower().power(effect_size=(p2 - p1) / sd, nobs1=n, alpha=0.05, ratio=1.0)
    assert ab.power_two_proportions(p1, 0.01, n) == pytest.approx(ref, abs=1e-9)


def test_power_by_simulation_at_the_planned_sample_size():
    n = ab.sample_size_per_arm(0.10, 0.02)
    rng = np.random.default_rng(7)
    sims = 3000
    conv_c = rng.binomial(n, 0.10, sims)
    conv_t = rng.binomial(n, 0.12, sims)
    p = np.array([proportions_ztest([t, c], [n, n])[1] for t, c in zip(conv_t, conv_c)])
    assert np.mean(p < 0.05) == pytest.approx(0.8, abs=3 * np.sqrt(0.16 / sims))


def test_plan_duration_and_allocation():
    plan = ab.plan(0.10, 0.01, daily_traffic=10_000, allocation=0.5)
    assert plan.n_control == plan.n_treatment == 14749
    assert plan.days == int(np.ceil(2 * 14749 / 10_000))
    skewed = ab.plan(0.10, 0.01, daily_traffic=10_000, allocation=0.2)
    assert skewed.n_treatment == pytest.approx(skewed.n_control / 4, abs=1)
    assert skewed.days > plan.days  # an unbalanced split needs more total traffic
    cuped = ab.plan(0.10, 0.01, variance_factor=1 - 0.7**2)
    assert cuped.n_control == int(np.ceil(14749 * 0.51))


def test_bad_inputs_raise_a_sentence():
    with pytest.raises(ValueError, match="cannot be 0"):
        ab.sample_size_per_arm(0.1, 0.0)
    with pytest.raises(ValueError, match="outside 0"):
        ab.sample_size_per_arm(0.95, 0.10)
    with pytest.raises(ValueError, match="baseline"):
        ab.sample_size_per_arm(0.0, 0.01)


def test_diff_ci_matches_statsmodels_wald():
    lo, hi = confint_proportions_2indep(130, 1000, 100, 1000, method="wald", compare="diff")
    d, l2, h2 = ab.diff_ci(100, 1000, 130, 1000)
    assert d == pytest.approx(0.03)
    assert (l2, h2) == pytest.approx((lo, hi))


def test_two_prop_z_matches_statsmodels():
    z, _ = proportions_ztest([130, 100], [1000, 1100])
    assert ab.two_prop_z(100, 1100, 130, 1000) == pytest.approx(z)


def test_obf_bounds_spend_alpha_exactly_by_multivariate_normal():
    looks = 5
    b = ab.obrien_fleming_bounds(looks)
    assert np.all(np.diff(b) < 0) and b[-1] > 1.96
    k = np.arange(1, looks + 1)
    corr = np.sqrt(np.minimum.outer(k, k) / np.maximum.outer(k, k))  # Brownian motion
    for j in (1, 3, 5):
        mvn = stats.multivariate_normal(mean=np.zeros(j), cov=corr[:j, :j])
        crossed = 1 - mvn.cdf(b[:j], lower_limit=-b[:j])
        assert crossed == pytest.approx(ab.obf_spending(j / looks), abs=2e-5)
    assert ab.obrien_fleming_bounds(1)[0] == pytest.approx(stats.norm.isf(0.025))


def test_peeking_inflates_false_positives_and_obf_holds_alpha():
    sims = 4000
    res = ab.simulate_peeking(sims=sims, looks=10, users_per_look=2000, baseline=0.2, seed=3)
    se = np.sqrt(0.05 * 0.95 / sims)
    # Armitage et al. (1969): 10 looks at nominal 5 % reject a true null about 19 % of the time
    assert res.naive_rate == pytest.approx(0.193, abs=0.03)
    assert res.obf_rate == pytest.approx(0.05, abs=4 * se)
    assert res.final_only == pytest.approx(0.05, abs=4 * se)
    assert np.all(np.diff(res.naive_by_look) >= 0)


def test_sequential_test_still_detects_a_real_effect():
    n = ab.sample_size_per_arm(0.10, 0.05, relative=True)
    res = ab.simulate_peeking(sims=1000, looks=5, users_per_look=int(np.ceil(n / 5)), lift=0.05, seed=1)
    assert res.final_only == pytest.approx(0.8, abs=0.05)
    assert res.obf_rate > 0.7  # OBF keeps most of the fixed-horizon power


def test_novelty_day3_read_overstates_the_steady_state():
    res = ab.simulate_novelty(days=28, steady_lift=0.02, novelty=0.2, half_life=2.0,
                              existing_users=200_000, new_per_day=20_000, seed=1)
    day3 = res.stop_read(3)
    full = res.stop_read(28)
    assert day3.lift > 3 * full.lift
    assert day3.true_lift > 0.1
    new = res.daily[res.daily.segment == "new"]
    # joiners never saw the old product: their lift is the steady state from day 1
    assert np.average(new.lift, weights=new.n_t) == pytest.approx(0.02, abs=0.01)
    existing = res.daily[res.daily.segment == "existing"].set_index("day")
    assert existing.true_lift[1] == pytest.approx(0.22)
    assert existing.true_lift[28] == pytest.approx(0.02 + 0.2 * 0.5 ** 13.5)


def test_novelty_lift_curve_by_hand():
    assert ab.novelty_lift([0, 3, 6], 0.01, 0.2, 3.0) == pytest.approx([0.21, 0.11, 0.06])
    with pytest.raises(ValueError):
        ab.novelty_lift(0, 0.01, 0.2, 0.0)


def test_cuped_variance_shrinks_by_one_minus_rho_squared():
    res = ab.simulate_cuped(n_per_arm=1000, rho=0.8, effect=0.1, reps=1500, seed=2)
    assert res.theory_ratio == pytest.approx(0.36)
    assert res.var_ratio == pytest.approx(0.36, rel=0.12)
    assert (res.se_cuped / res.se_naive) ** 2 == pytest.approx(0.36, rel=0.03)
    assert res.cuped.mean() == pytest.approx(0.1, abs=0.005)  # unbiased
    assert np.mean(res.theta) == pytest.approx(0.8, abs=0.01)


def test_cuped_adjust_theta_is_the_ols_slope():
    rng = np.random.default_rng(0)
    x = rng.normal(size=500)
    y = 2 + 0.6 * x + rng.normal(size=500)
    adjusted, theta = ab.cuped_adjust(y, x)
    assert theta == pytest.approx(np.polyfit(x, y, 1)[0])
    assert adjusted.mean() == pytest.approx(y.mean())
    assert adjusted.var() < y.var()
    with pytest.raises(ValueError, match="constant"):
        ab.cuped_adjust(y, np.ones(500))


@pytest.mark.parametrize("counts,shares", [([50600, 49400], None), ([1000, 1100, 950], None),
                                          ([20100, 79900], [0.2, 0.8])])
def test_srm_matches_scipy_chisquare(counts, shares):
    res = ab.srm_test(counts, shares)
    expected = None if shares is None else np.asarray(shares) / np.sum(shares) * np.sum(counts)
    ref = stats.chisquare(counts, expected)
    assert res.chi2 == pytest.approx(ref.statistic)
    assert res.p_value == pytest.approx(ref.pvalue)


def test_srm_flags_a_broken_split_and_passes_a_fair_one():
    assert ab.srm_test([50600, 49400]).mismatch  # chi2 = 14.4, p = 1.5e-4
    assert not ab.srm_test([50100, 49900]).mismatch


def test_parse_counts_refuses_counts_beyond_any_population():
    assert ab.parse_counts("1000000000000, 0001") == [10**12, 1]
    with pytest.raises(ValueError, match="400-digit count"):
        ab.parse_counts("9" * 400 + ",1")  # would overflow float in the chi-square


def test_parse_counts():
    assert ab.parse_counts("50,123; 49877") == [50, 123, 49877]
    assert ab.parse_counts(" 1000 1100 ") == [1000, 1100]
    for bad in ("", "12", "12, abc", "1e3, 4", "-5, 3"):
        with pytest.raises(ValueError):
            ab.parse_counts(bad)


def test_msprt_statistic_by_hand_and_always_valid_by_simulation():
    # z = 3, se = 0.01, tau = 0.01: sqrt(1/2) * exp(9/2 * 1/2) = 0.7071 * e^2.25 = 6.7070
    assert ab.msprt_statistic(3.0, 0.01, 0.01) == pytest.approx(np.sqrt(0.5) * np.exp(2.25))
    assert ab.msprt_statistic(0.0, 0.01, 0.01) < 1
    with pytest.raises(ValueError):
        ab.msprt_statistic(1.0, 0.01, 0.0)
    sims = 4000
    res = ab.simulate_peeking(sims=sims, looks=30, users_per_look=2000, baseline=0.2, seed=3)
    assert res.msprt_rate <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / sims)  # checked 30 times, still <= alpha
    assert res.naive_rate > 0.2


def test_segment_read_pools_the_segment_by_hand():
    res = ab.simulate_novelty(days=5, seed=4)
    rows = res.daily[res.daily.segment == "new"]
    c, nc, t, nt = rows.conv_c.sum(), rows.n_c.sum(), rows.conv_t.sum(), rows.n_t.sum()
    read = res.segment_read("new")
    assert read.lift == pytest.approx((t / nt - c / nc) / (c / nc))
    d, lo, hi = ab.diff_ci(c, nc, t, nt)
    assert (read.lift_lo, read.lift_hi) == pytest.approx((lo / (c / nc), hi / (c / nc)))
    with pytest.raises(ValueError):
        res.segment_read("martians")


def test_cuped_half_widths():
    res = ab.simulate_cuped(n_per_arm=500, rho=0.5, reps=20, seed=1)
    assert res.half_widths(0.05) == pytest.approx((1.959964 * res.se_naive, 1.959964 * res.se_cuped), rel=1e-6)
