"""Fraud scoring's latency budget: log-normal steps against scipy, parallel fan-out against the
exact quantile of a maximum, sequential sums against hand-worked constants."""

import numpy as np
import pytest
from scipy import stats

from playground.cases import fraud_latency as fl


def test_lognormal_has_the_given_median_and_p99():
    mu, sigma = fl.lognormal(2.0, 10.0)
    dist = stats.lognorm(s=sigma, scale=np.exp(mu))
    assert dist.median() == pytest.approx(2.0) and dist.ppf(0.99) == pytest.approx(10.0)
    with pytest.raises(ValueError, match="p50 <= p99"):
        fl.lognormal(5.0, 1.0)


def test_the_slowest_of_parallel_calls_matches_scipy_and_the_simulation():
    step = fl.Step("lookups", 1.0, 5.0, calls=6, parallel=True)
    mu, sigma = fl.lognormal(1.0, 5.0)
    dist = stats.lognorm(s=sigma, scale=np.exp(mu))
    exact = fl.step_quantile(step, 0.99)
    assert dist.cdf(exact) ** 6 == pytest.approx(0.99)  # P(max <= x) = F(x)^n
    sim = fl.simulate([step], budget_ms=exact, n=200_000, seed=1)
    assert sim.p99 == pytest.approx(exact, rel=0.03)
    assert sim.over_budget == pytest.approx(0.01, abs=0.002)


def test_constant_steps_add_up_exactly_and_sequential_calls_sum():
    steps = [fl.Step("network", 4.0, 4.0), fl.Step("lookups", 1.5, 1.5, calls=6, parallel=False),
             fl.Step("model", 0.5, 0.5), fl.Step("rules", 2.0, 2.0, calls=3, parallel=True)]
    b = fl.simulate(steps, budget_ms=15.0, n=1000, seed=0)
    assert b.p50 == pytest.approx(4 + 9 + 0.5 + 2) and b.p99 == pytest.approx(15.5)
    assert b.over_budget == 1.0 and not b.fits
    assert fl.simulate(steps, budget_ms=15.5, n=1000, seed=0).fits


def test_sequential_calls_cost_more_than_parallel_ones():
    par = fl.simulate([fl.Step("l", 1.0, 5.0, calls=8, parallel=True)], 20.0, seed=2)
    seq = fl.simulate([fl.Step("l", 1.0, 5.0, calls=8, parallel=False)], 20.0, seed=2)
    assert seq.p50 > 6 > par.p50  # 8 medians of 1 ms add to about 8; the slowest of 8 is ~2 ms


def test_measure_model_times_single_rows_and_rejects_empty_input():
    calls = []
    p50, p99 = fl.measure_model(lambda row: calls.append(row.shape), np.zeros((3, 4)), repeats=10)
    assert calls == [(1, 4)] * 10 and 0 <= p50 <= p99
    with pytest.raises(ValueError):
        fl.measure_model(lambda row: None, np.zeros((0, 4)))
    with pytest.raises(ValueError, match="at least one call"):
        fl.simulate([fl.Step("x", 1, 2, calls=0)], 10)


def test_scoring_steps_by_hand_for_both_velocity_sources():
    db = fl.scoring_steps("db", True, 6.0, (0.4, 0.3), n_velocity=3)
    assert [s.name for s in db] == ["network and decoding", "feature-store lookups", "velocity aggregates (SQL)",
                                    "model (measured)", "rules engine"]
    assert db[1] == fl.Step("feature-store lookups", 1.0, 6.0, calls=4, parallel=True)
    assert db[2] == fl.Step("velocity aggregates (SQL)", 15.0, 120.0, calls=3, parallel=True)
    assert (db[3].p50_ms, db[3].p99_ms) == (0.4, 0.4)   # a measured p99 below the median is raised to it
    stream = fl.scoring_steps("stream", False, 6.0, (0.4, 2.0), n_velocity=3)
    assert len(stream) == 4 and stream[1] == fl.Step("feature-store lookups", 1.0, 6.0, calls=7, parallel=False)
    assert (stream[2].p50_ms, stream[2].p99_ms) == (0.4, 2.0)
    with pytest.raises(ValueError):
        fl.scoring_steps("cache", True, 6.0, (0.4, 2.0), 3)


def test_over_by_is_p99_minus_the_budget():
    b = fl.simulate([fl.Step("constant", 30.0, 30.0, calls=2, parallel=False)], budget_ms=50.0, n=10)
    assert b.p99 == pytest.approx(60.0) and b.over_by == pytest.approx(10.0)
