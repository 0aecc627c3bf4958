import random

import numpy as np
import pytest
from scipy.stats import lognorm

from playground.recsys import serving as sv


def test_lognormal_has_the_requested_median_and_p99():
    rng = np.random.default_rng(0)
    x = sv.sample_calls(rng, 8.0, 60.0, 400_000)
    assert np.quantile(x, 0.5) == pytest.approx(8.0, rel=0.01)
    assert np.quantile(x, 0.99) == pytest.approx(60.0, rel=0.03)
    dist = sv.lognormal(8.0, 60.0)
    assert dist.median() == pytest.approx(8.0) and dist.ppf(0.99) == pytest.approx(60.0)


@pytest.mark.parametrize("n", [1, 5, 40])
def test_fanout_max_matches_the_analytic_cdf(n):
    rng = np.random.default_rng(n)
    slowest = sv.leaf_latency(rng, 8.0, 60.0, (50_000, n)).latency.max(axis=1)
    for x in (10.0, 30.0, 60.0, 120.0):
        assert np.mean(slowest <= x) == pytest.approx(sv.fanout_cdf(x, 8.0, 60.0, n), abs=0.007)
    # closed form by hand: F(x)^n with F the lognormal CDF
    assert sv.fanout_cdf(30.0, 8.0, 60.0, n) == pytest.approx(
        lognorm(s=np.log(60 / 8) / 2.3263478740408408, scale=8.0).cdf(30.0) ** n)
    for q in (0.5, 0.99):
        assert np.quantile(slowest, q) == pytest.approx(sv.fanout_quantile(q, 8.0, 60.0, n), rel=0.04)


def _hedged_brute_force(median, p99, delay, n, seed):
    """One request at a time: send, wait until the delay, send a backup if still waiting."""
    mu, sigma = np.log(median), np.log(p99 / median) / 2.3263478740408408
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        first = rnd.lognormvariate(mu, sigma)
        if first <= delay:
            out.append(first)
            continue
        backup_arrives = delay + rnd.lognormvariate(mu, sigma)
        out.append(min(first, backup_arrives))
    return np.array(out)


def test_hedging_matches_brute_force_and_its_survival_function():
    rng = np.random.default_rng(3)
    m = sv.Mitigations(hedge_ms=25.0)
    leaves = sv.leaf_latency(rng, 8.0, 60.0, 200_000, m)
    brute = _hedged_brute_force(8.0, 60.0, 25.0, 100_000, seed=1)
    for q in (0.5, 0.9, 0.99, 0.999):
        assert np.quantile(leaves.latency, q) == pytest.approx(np.quantile(brute, q), rel=0.05)
    # P(T > x) = P(X1 > x) for x <= d, and P(X1 > x) P(X2 > x - d) beyond it
    dist = sv.lognormal(8.0, 60.0)
    for x in (20.0, 40.0, 80.0):
        expected = dist.sf(x) * (dist.sf(x - 25.0) if x > 25 else 1.0)
        assert np.mean(leaves.latency > x) == pytest.approx(expected, abs=0.003)
    assert leaves.hedged.mean() == pytest.approx(dist.sf(25.0), abs=0.003)   # extra load
    plain = sv.leaf_latency(np.random.default_rng(3), 8.0, 60.0, 200_000)
    assert np.quantile(leaves.latency, 0.99) < 0.7 * np.quantile(plain.latency, 0.99)


def test_timeout_caps_the_stage_and_counts_fallbacks():
    stages = sv.with_overrides({})
    sim = sv.simulate(stages, 20, sv.Mitigations(timeout_ms=40.0), n_requests=40_000, seed=2)
    assert sim.stages["fs"].max() <= 40.0
    assert sim.degraded == pytest.approx(1 - sv.lognormal(8.0, 80.0).cdf(40.0) ** 20, abs=0.01)


def test_cache_hits_are_answered_at_cache_latency():
    rng = np.random.default_rng(5)
    leaves = sv.leaf_latency(rng, 8.0, 60.0, 100_000, sv.Mitigations(cache_hit=0.7, cache_ms=1.0))
    assert leaves.cached.mean() == pytest.approx(0.7, abs=0.01)
    assert np.all(leaves.latency[leaves.cached] == 1.0)
    everything = sv.leaf_latency(rng, 8.0, 60.0, 1000, sv.Mitigations(cache_hit=1.0, cache_ms=2.0))
    assert np.all(everything.latency == 2.0)


def test_request_is_the_sum_of_its_stages_and_the_tail_grows_with_fanout():
    sim = sv.simulate(sv.STAGES, 10, n_requests=5_000, seed=0)
    np.testing.assert_allclose(sim.total, sum(sim.stages.values()))
    assert sim.stage_quantile("rank", 0.5) == pytest.approx(np.median(sim.stages["rank"]))
    assert sim.p50 < sim.p99
    curve = sv.tail_vs_fanout(sv.STAGES, [1, 10, 100], n_requests=5_000, seed=0)
    assert np.all(np.diff(curve["p99"]) > 0) and np.all(np.diff(curve["stage_p99"]) > 0)
    # same seed, same answer
    again = sv.simulate(sv.STAGES, 10, n_requests=5_000, seed=0)
    np.testing.assert_array_equal(sim.total, again.total)


def test_sum_of_medians_by_hand():
    assert sv.sum_of_medians(sv.with_overrides({"rank": (40.0, 90.0)})) == 20 + 8 + 40 + 5


def test_bad_parameters_raise_clear_errors():
    with pytest.raises(ValueError, match="cannot be below its median"):
        sv.lognormal_params(50.0, 20.0)
    with pytest.raises(ValueError, match="fan-out"):
        sv.simulate(sv.STAGES, 0)
    with pytest.raises(ValueError, match="hit rate"):
        sv.leaf_latency(np.random.default_rng(0), 8.0, 60.0, 10, sv.Mitigations(cache_hit=1.5))


def test_designs_compared_under_one_seed_see_the_same_requests():
    naive = sv.simulate(sv.STAGES, 20, sv.Mitigations(), n_requests=3_000, seed=1)
    huge_timeout = sv.simulate(sv.STAGES, 20, sv.Mitigations(timeout_ms=1e9), n_requests=3_000, seed=1)
    np.testing.assert_array_equal(naive.total, huge_timeout.total)
    hedged = sv.simulate(sv.STAGES, 20, sv.Mitigations(hedge_ms=20.0), n_requests=3_000, seed=1)
    assert np.all(hedged.stages["fs"] <= naive.stages["fs"])
    np.testing.assert_array_equal(hedged.stages["rank"], naive.stages["rank"])


def test_naive_vs_production_is_both_simulations_on_the_same_draws():
    stages = sv.with_overrides({})
    m = sv.Mitigations(cache_hit=0.5, cache_ms=1.0, hedge_ms=25.0, timeout_ms=60.0)
    paths = sv.naive_vs_production(stages, 10, m, (1, 10), n_requests=2000, curve_requests=500, seed=3)
    np.testing.assert_array_equal(paths.naive.total, sv.simulate(stages, 10, sv.Mitigations(), 2000, 3).total)
    np.testing.assert_array_equal(paths.production.total, sv.simulate(stages, 10, m, 2000, 3).total)
    np.testing.assert_array_equal(paths.production_curve["p99"], sv.tail_vs_fanout(stages, (1, 10), m, 500, 3)["p99"])
    assert paths.production.p99 < paths.naive.p99


def test_latency_histograms_share_bins_and_sum_to_one():
    stages = sv.with_overrides({})
    a, b = sv.simulate(stages, 5, n_requests=3000, seed=1), sv.simulate(stages, 1, n_requests=3000, seed=2)
    centres, shares = sv.latency_histograms([a, b], budget_ms=10.0, bins=50)
    top = max(np.quantile(a.total, 0.999) * 1.05, 11.0)
    assert len(centres) == 50 and centres[0] == pytest.approx(top / 100) and centres[-1] == pytest.approx(top * 99 / 100)
    assert all(s.sum() == pytest.approx(1.0) for s in shares)
    counts, _ = np.histogram(b.total, np.linspace(0, top, 51))
    np.testing.assert_allclose(shares[1], counts / counts.sum())


def test_some_shard_beyond_p99_by_hand():
    assert sv.some_shard_beyond_p99(1) == pytest.approx(0.01)
    assert sv.some_shard_beyond_p99(20) == pytest.approx(1 - 0.99**20)
    with pytest.raises(ValueError):
        sv.some_shard_beyond_p99(0)
