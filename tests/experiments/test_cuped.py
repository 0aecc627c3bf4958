import numpy as np
import pytest

from playground.experiments import cuped as cp


def test_cuped_variance_shrinks_by_one_minus_rho_squared():
    res = cp.simulate_cuped(n_per_arm=1000, rho=0.8, effect=0.1, reps=1500, seed=2)
    assert res.theory_ratio == pytest.approx(0.36)
    assert res.var_ratio == pytest.approx(0.36, rel=0.12)
    assert (res.se_cuped / res.se_naive) ** 2 == pytest.approx(0.36, rel=0.03)
    assert res.cuped.mean() == pytest.approx(0.1, abs=0.005)  # unbiased
    assert np.mean(res.theta) == pytest.approx(0.8, abs=0.01)


def test_cuped_adjust_theta_is_the_ols_slope():
    rng = np.random.default_rng(0)
    x = rng.normal(size=500)
    y = 2 + 0.6 * x + rng.normal(size=500)
    adjusted, theta = cp.cuped_adjust(y, x)
    assert theta == pytest.approx(np.polyfit(x, y, 1)[0])
    assert adjusted.mean() == pytest.approx(y.mean())
    assert adjusted.var() < y.var()
    with pytest.raises(ValueError, match="constant"):
        cp.cuped_adjust(y, np.ones(500))


def test_cuped_half_widths():
    res = cp.simulate_cuped(n_per_arm=500, rho=0.5, reps=20, seed=1)
    assert res.half_widths(0.05) == pytest.approx((1.959964 * res.se_naive, 1.959964 * res.se_cuped), rel=1e-6)


def test_variance_factor_and_replications_by_hand():
    assert cp.variance_factor(0.5) == pytest.approx(0.75)
    assert cp.variance_factor(0.0) == 1.0
    with pytest.raises(ValueError):
        cp.variance_factor(1.0)
    assert cp.replications(2000) == 400          # 2e6 // 4000 = 500, capped at 400
    assert cp.replications(10_000) == 100        # 2e6 // 20000
    assert cp.replications(100_000) == 50        # 10, raised to the floor of 50
