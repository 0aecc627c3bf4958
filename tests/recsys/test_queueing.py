import heapq
import math

import numpy as np
import pytest

from playground.recsys import queueing as qu


def erlang_c_direct(lam, mu, c):
    """Erlang C straight from the textbook sum of factorials (independent of the recursion)."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def simulate_fcfs(arrivals, services, c):
    """Discrete-event simulation of c servers and one FCFS queue: (waits, responses)."""
    free = [0.0] * c
    waits = np.empty(len(arrivals))
    for i, (t, s) in enumerate(zip(arrivals, services)):
        start = max(t, heapq.heappop(free))
        heapq.heappush(free, start + s)
        waits[i] = start - t
    return waits, waits + services


def simulate_mmc(lam, mu, c, n=200_000, seed=0):
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    waits, responses = simulate_fcfs(arrivals, rng.exponential(1 / mu, n), c)
    return waits[n // 10:], responses[n // 10:]   # drop the warm-up


@pytest.mark.parametrize("lam,mu,c", [(8, 10, 1), (30, 10, 4), (90, 10, 10), (450, 10, 50)])
def test_erlang_c_matches_the_factorial_formula(lam, mu, c):
    assert qu.erlang_c(lam, mu, c) == pytest.approx(erlang_c_direct(lam, mu, c), rel=1e-10)
    assert qu.mean_wait(lam, mu, c) == pytest.approx(erlang_c_direct(lam, mu, c) / (c * mu - lam))


def test_mm1_closed_forms_by_hand():
    lam, mu = 8.0, 10.0                        # rho = 0.8
    assert qu.erlang_c(lam, mu, 1) == pytest.approx(0.8)
    assert qu.mean_response(lam, mu, 1) == pytest.approx(1 / (mu - lam))
    # M/M/1 response time is exponential with rate mu - lam
    assert qu.response_quantile(0.99, lam, mu, 1) == pytest.approx(math.log(100) / (mu - lam))


@pytest.mark.parametrize("lam,mu,c", [(30, 10, 4), (170, 10, 20)])
def test_mmc_against_a_discrete_event_simulation(lam, mu, c):
    waits, responses = simulate_mmc(lam, mu, c)
    assert np.mean(waits > 0) == pytest.approx(qu.erlang_c(lam, mu, c), abs=0.02)
    assert np.mean(responses) == pytest.approx(qu.mean_response(lam, mu, c), rel=0.05)
    for q in (0.5, 0.9, 0.99):
        assert np.quantile(responses, q) == pytest.approx(qu.response_quantile(q, lam, mu, c), rel=0.06)
    assert np.quantile(waits, 0.99) == pytest.approx(qu.wait_quantile(0.99, lam, mu, c), rel=0.08)


def test_response_sf_when_the_two_rates_coincide():
    lam, mu, c = 10.0, 10.0, 2     # c mu - lam == mu: the (1 + mu t) e^{-mu t} branch
    t = np.array([0.05, 0.2, 0.5])
    near = qu.response_sf(t, lam * (1 + 1e-6), mu, c)
    np.testing.assert_allclose(qu.response_sf(t, lam, mu, c), near, rtol=1e-4)


def test_replicas_needed_is_the_smallest_that_meets_the_budget():
    lam, mu, budget = 800.0, 50.0, 0.1
    c = qu.replicas_needed(lam, mu, budget)
    assert qu.response_quantile(0.99, lam, mu, c) <= budget < qu.response_quantile(0.99, lam, mu, c - 1)
    # below the service time's own p99 (ln 100 / mu = 92 ms) no replica count is enough
    assert qu.replicas_needed(lam, mu, 0.09) is None


def test_unstable_queue_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="grows without bound"):
        qu.erlang_c(100, 10, 10)
    with pytest.raises(ValueError, match="replicas"):
        qu.utilisation(1, 1, 0)


def test_batch_fill_wait_against_simulation():
    rng = np.random.default_rng(4)
    lam, batch = 200.0, 8
    arrivals = np.cumsum(rng.exponential(1 / lam, 80_000))
    closes = arrivals[batch - 1::batch]                 # a batch closes at its last arrival
    waits = np.repeat(closes, batch) - arrivals[: len(closes) * batch]
    assert waits.mean() == pytest.approx(qu.fill_wait_mean(lam, batch), rel=0.03)


def test_batch_of_one_is_plain_mmc_and_larger_batches_are_conservative():
    lam, s1, c, f = 800.0, 0.02, 20, 0.6
    one = qu.batched(lam, s1, c, 1, f)
    assert one.p99 == pytest.approx(qu.response_quantile(0.99, lam, 50.0, c))
    assert not one.approximate
    batch = 4
    approx = qu.batched(lam, s1, 11, batch, f)
    assert approx.throughput == pytest.approx(batch / (s1 * (f + (1 - f) * batch)))
    # simulate the real batched system: Poisson arrivals grouped in fours, FCFS batch queue
    rng = np.random.default_rng(9)
    n = 200_000
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    closes = arrivals[batch - 1::batch]
    _, batch_resp = simulate_fcfs(closes, rng.exponential(approx.service, len(closes)), 11)
    done = np.repeat(closes + batch_resp, batch)
    resp = (done - arrivals[: len(done)])[n // 10:]
    # the M/M/c batch queue over-states the wait (arrivals are more regular than Poisson)...
    assert approx.mean >= resp.mean() and approx.p99 >= np.quantile(resp, 0.99) * 0.98
    # ...but not by much at this load
    assert approx.mean < 1.25 * resp.mean()
    needed = qu.batched_replicas_needed(lam, s1, batch, f, approx.p99 * 1.001)
    assert needed <= 11


def test_utilisation_and_replica_curves_by_hand():
    util, means, p99s = qu.utilisation_curve(mu=50.0, c=4, points=5)
    np.testing.assert_allclose(util, np.linspace(0.02, 0.99, 5))
    assert means[2] == pytest.approx(qu.mean_response(util[2] * 4 * 50.0, 50.0, 4))
    assert p99s[-1] == pytest.approx(qu.response_quantile(0.99, util[-1] * 200.0, 50.0, 4))
    assert all(np.diff(p99s) > 0)
    cs, q = qu.replica_curve(lam=800.0, mu=50.0, c_now=20)
    assert cs[0] == 17 and cs[-1] == 31                    # floor(800/50) + 1 … 20 + 12 - 1
    assert q[3] == pytest.approx(qu.response_quantile(0.99, 800.0, 50.0, 20))
    cs, _ = qu.replica_curve(lam=800.0, mu=50.0, c_now=20, c_needed=200)
    assert len(cs) == 80                                    # capped at 80 counts
