import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from playground.experiments import power as pw
from playground.experiments import sequential as sq


def test_two_prop_z_matches_statsmodels():
    z, _ = proportions_ztest([130, 100], [1000, 1100])
    assert sq.two_prop_z(100, 1100, 130, 1000) == pytest.approx(z)


def test_obf_bounds_spend_alpha_exactly_by_multivariate_normal():
    looks = 5
    b = sq.obrien_fleming_bounds(looks)
    assert np.all(np.diff(b) < 0) and b[-1] > 1.96
    k = np.arange(1, looks + 1)
    corr = np.sqrt(np.minimum.outer(k, k) / np.maximum.outer(k, k))  # Brownian motion
    for j in (1, 3, 5):
        mvn = stats.multivariate_normal(mean=np.zeros(j), cov=corr[:j, :j])
        crossed = 1 - mvn.cdf(b[:j], lower_limit=-b[:j])
        assert crossed == pytest.approx(sq.obf_spending(j / looks), abs=2e-5)
    assert sq.obrien_fleming_bounds(1)[0] == pytest.approx(stats.norm.isf(0.025))



@pytest.mark.parametrize("looks, published", [
    # Lan–DeMets O'Brien–Fleming, equally spaced looks, two-sided 0.05 = 0.025 per side, as
    # published for ldbounds / gsDesign sfLDOF (test.type=2) / rpact asOF, to 3 decimals
    (5, [4.877, 3.357, 2.680, 2.290, 2.031]),
    (3, [3.710, 2.511, 1.993]),
])
def test_obf_bounds_match_group_sequential_software(looks, published):
    assert sq.obrien_fleming_bounds(looks, 0.05) == pytest.approx(published, abs=6e-4)


def test_obf_spending_is_alpha_over_two_per_side():
    # sfLDOF(alpha = 0.025, t) per side, doubled: reaches 0.05 at t = 1
    assert sq.obf_spending(1.0) == pytest.approx(0.05)
    side = 2 * (1 - stats.norm.cdf(stats.norm.ppf(1 - 0.0125) / np.sqrt(0.2)))
    assert sq.obf_spending(0.2) == pytest.approx(2 * side)

def test_peeking_inflates_false_positives_and_obf_holds_alpha():
    sims = 4000
    res = sq.simulate_peeking(sims=sims, looks=10, users_per_look=2000, baseline=0.2, seed=3)
    se = np.sqrt(0.05 * 0.95 / sims)
    # Armitage et al. (1969): 10 looks at nominal 5 % reject a true null about 19 % of the time
    assert res.naive_rate == pytest.approx(0.193, abs=0.03)
    assert res.obf_rate == pytest.approx(0.05, abs=4 * se)
    assert res.final_only == pytest.approx(0.05, abs=4 * se)
    assert np.all(np.diff(res.naive_by_look) >= 0)


def test_sequential_test_still_detects_a_real_effect():
    n = pw.sample_size_per_arm(0.10, 0.05, relative=True)
    res = sq.simulate_peeking(sims=1000, looks=5, users_per_look=int(np.ceil(n / 5)), lift=0.05, seed=1)
    assert res.final_only == pytest.approx(0.8, abs=0.05)
    assert res.obf_rate > 0.7  # OBF keeps most of the fixed-horizon power


def test_msprt_statistic_by_hand_and_always_valid_by_simulation():
    # z = 3, se = 0.01, tau = 0.01: sqrt(1/2) * exp(9/2 * 1/2) = 0.7071 * e^2.25 = 6.7070
    assert sq.msprt_statistic(3.0, 0.01, 0.01) == pytest.approx(np.sqrt(0.5) * np.exp(2.25))
    assert sq.msprt_statistic(0.0, 0.01, 0.01) < 1
    with pytest.raises(ValueError):
        sq.msprt_statistic(1.0, 0.01, 0.0)
    sims = 4000
    res = sq.simulate_peeking(sims=sims, looks=30, users_per_look=2000, baseline=0.2, seed=3)
    assert res.msprt_rate <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / sims)  # checked 30 times, still <= alpha
    assert res.naive_rate > 0.2


def test_users_per_look_by_hand():
    assert sq.users_per_look(20_000, 0.5) == 10_000
    assert sq.users_per_look(10_000_000, 0.3) == 60_000    # capped at 200,000 a day, × 0.3
    assert sq.users_per_look(1, 0.05) == 1
    with pytest.raises(ValueError):
        sq.users_per_look(1000, 0.0)
