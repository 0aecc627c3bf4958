"""Lesson 5: the queueing view of a model server (M/M/c), replicas needed, and batching.

Requests arrive as a Poisson stream at ``lam`` per second; each of ``c`` replicas serves one
request (or one batch) at a time with exponential service of mean ``1 / mu`` seconds, from a
shared first-come-first-served queue. With offered load ``a = lam / mu`` and utilisation
``rho = a / c < 1``, the probability that a request waits is Erlang's C formula, the wait given
that it waits is exponential with rate ``c·mu − lam``, and the response time is wait + service.

Batching: a central batcher groups ``B`` consecutive requests; a batch costs
``s(B) = s1 · (f + (1 − f) · B)`` (``f``: the share of a single call that is fixed overhead), so a
replica's throughput rises to ``B / s(B)``. A request waits ``(B − 1) / (2·lam)`` on average for
its batch to fill (exact for Poisson arrivals). The batch queue is treated as M/M/c with batch
arrivals at ``lam / B``: an approximation that over-states the wait, because batches of ``B``
Poisson arrivals come more regularly than a Poisson stream.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import brentq


def _check(lam: float, mu: float, c: int) -> None:
    if lam <= 0 or mu <= 0:
        raise ValueError(f"arrival rate ({lam:g}/s) and service rate ({mu:g}/s) must be positive")
    if c < 1 or int(c) != c:
        raise ValueError(f"the number of replicas ({c}) must be a whole number ≥ 1")


def utilisation(lam: float, mu: float, c: int) -> float:
    """Share of time each replica is busy: ``lam / (c mu)``."""
    _check(lam, mu, c)
    return lam / (c * mu)


def erlang_b(c: int, a: float) -> float:
    """Erlang B blocking probability by the stable recursion ``B_k = a B_{k−1} / (k + a B_{k−1})``."""
    b = 1.0
    for k in range(1, int(c) + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(lam: float, mu: float, c: int) -> float:
    """Probability that an arriving request has to wait (Erlang C); needs ``rho < 1``."""
    rho = utilisation(lam, mu, c)
    if rho >= 1:
        raise ValueError(f"utilisation {rho:.0%} ≥ 100 %: the queue grows without bound; "
                         f"at least {math.floor(lam / mu) + 1} replicas are needed")
    a = lam / mu
    b = erlang_b(c, a)
    return c * b / (c - a * (1 - b))


def mean_wait(lam: float, mu: float, c: int) -> float:
    """Mean time in the queue (seconds): ``C / (c mu − lam)``."""
    return erlang_c(lam, mu, c) / (c * mu - lam)


def mean_response(lam: float, mu: float, c: int) -> float:
    """Mean time in the system (seconds): wait + service."""
    return mean_wait(lam, mu, c) + 1 / mu


def wait_quantile(q: float, lam: float, mu: float, c: int) -> float:
    """``q``-quantile of the queueing wait: ``P(W > t) = C e^{−(c mu − lam) t}``."""
    pw = erlang_c(lam, mu, c)
    if 1 - q >= pw:
        return 0.0
    return math.log(pw / (1 - q)) / (c * mu - lam)


def _response_sf(t, mu: float, theta: float, pw: float):
    t = np.asarray(t, dtype=float)
    if abs(theta - mu) < 1e-9 * mu:
        both = (1 + mu * t) * np.exp(-mu * t)
    else:
        both = (theta * np.exp(-mu * t) - mu * np.exp(-theta * t)) / (theta - mu)
    out = (1 - pw) * np.exp(-mu * t) + pw * both
    return float(out) if out.ndim == 0 else out


def response_sf(t: float | np.ndarray, lam: float, mu: float, c: int) -> float | np.ndarray:
    """``P(T > t)`` for the response time T = W + S: with probability ``1 − C`` just the
    exponential service, otherwise the sum of two exponentials (rates ``c mu − lam`` and ``mu``)."""
    return _response_sf(t, mu, c * mu - lam, erlang_c(lam, mu, c))


def response_quantile(q: float, lam: float, mu: float, c: int) -> float:
    """``q``-quantile of the response time (seconds), solved from :func:`response_sf`."""
    if not 0 < q < 1:
        raise ValueError(f"the quantile ({q}) must be between 0 and 1")
    theta, pw = c * mu - lam, erlang_c(lam, mu, c)
    target = 1 - q
    hi = 1 / mu
    while _response_sf(hi, mu, theta, pw) > target:
        hi *= 2
    return brentq(lambda t: _response_sf(t, mu, theta, pw) - target, 0.0, hi, xtol=1e-12, rtol=1e-10)


def replicas_needed(lam: float, mu: float, budget: float, q: float = 0.99,
                    max_replicas: int = 10_000) -> int | None:
    """Fewest replicas whose ``q``-quantile response time is within ``budget`` seconds.

    None when no number of replicas can do it: the service time alone has
    ``q``-quantile ``−ln(1 − q) / mu``.
    """
    _check(lam, mu, 1)
    if -math.log(1 - q) / mu > budget:
        return None
    return _smallest(lambda c: response_quantile(q, lam, mu, c) <= budget,
                     math.floor(lam / mu) + 1, max_replicas)


def _smallest(ok, lo: int, hi: int) -> int | None:
    """Smallest integer in [lo, hi] where the monotone predicate ``ok`` holds (or None):
    exponential steps up from ``lo``, then bisection."""
    if lo > hi:
        return None
    if ok(lo):
        return lo
    bad, step = lo, 1
    while True:
        good = min(bad + step, hi)
        if ok(good):
            break
        if good == hi:
            return None
        bad, step = good, step * 2
    while good - bad > 1:
        mid = (good + bad) // 2
        good, bad = (mid, bad) if ok(mid) else (good, mid)
    return good


# ---- batching ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Batched:
    """A batched model server at one operating point (times in seconds).

    ``approximate`` is True for ``B > 1`` (batch queue treated as M/M/c, see module docstring).
    """

    batch: int
    replicas: int
    service: float
    throughput: float
    utilisation: float
    fill_wait: float
    mean: float
    p99: float
    approximate: bool


def batch_service_time(s1: float, batch: int, overhead: float) -> float:
    """Time to serve a batch of ``batch`` requests: ``s1 · (f + (1 − f) B)``."""
    if s1 <= 0:
        raise ValueError(f"the service time ({s1:g}) must be positive")
    if not 0 <= overhead < 1:
        raise ValueError(f"the fixed-overhead share ({overhead}) must be in [0, 1)")
    if batch < 1:
        raise ValueError(f"the batch size ({batch}) must be at least 1")
    return s1 * (overhead + (1 - overhead) * batch)


def fill_wait_mean(lam: float, batch: int) -> float:
    """Mean wait for a batch of ``batch`` Poisson arrivals to fill: ``(B − 1) / (2 lam)``."""
    return (batch - 1) / (2 * lam)


def _draws(batch: int, n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    position = rng.integers(1, batch + 1, n)                 # place in the batch, uniform
    fill = rng.gamma(np.maximum(batch - position, 1), 1.0, n) * (batch - position > 0)
    return fill, rng.random(n), rng.exponential(1.0, n), rng.exponential(1.0, n)


def _batched_sample(draws, lam: float, mu_b: float, c: int, batch: int) -> np.ndarray:
    fill, u, e_wait, e_service = draws
    pw = erlang_c(lam / batch, mu_b, c)
    wait = np.where(u < pw, e_wait / (c * mu_b - lam / batch), 0.0)
    return fill / lam + wait + e_service / mu_b


def batched(lam: float, s1: float, c: int, batch: int, overhead: float, q: float = 0.99,
            n: int = 40_000, seed: int = 0) -> Batched:
    """Operating point of ``c`` replicas serving batches of ``batch`` at ``lam`` requests/s."""
    s_b = batch_service_time(s1, batch, overhead)
    mu_b = 1 / s_b
    rho = utilisation(lam / batch, mu_b, c)
    if batch == 1:
        mean, p = mean_response(lam, mu_b, c), response_quantile(q, lam, mu_b, c)
    else:
        mean = fill_wait_mean(lam, batch) + mean_response(lam / batch, mu_b, c)
        p = float(np.quantile(_batched_sample(_draws(batch, n, seed), lam, mu_b, c, batch), q))
    return Batched(batch, c, s_b, batch / s_b, rho, fill_wait_mean(lam, batch), mean, p, batch > 1)


def batched_replicas_needed(lam: float, s1: float, batch: int, overhead: float, budget: float,
                            q: float = 0.99, max_replicas: int = 2_000, n: int = 40_000,
                            seed: int = 0) -> int | None:
    """Fewest replicas keeping the ``q``-quantile within ``budget`` seconds at batch size ``batch``."""
    if batch == 1:
        s1 = batch_service_time(s1, 1, overhead)
        return replicas_needed(lam, 1 / s1, budget, q, max_replicas)
    mu_b = 1 / batch_service_time(s1, batch, overhead)
    draws = _draws(batch, n, seed)   # common random numbers across replica counts
    floor = np.quantile(draws[0] / lam + draws[3] / mu_b, q)
    if floor > budget:
        return None
    return _smallest(lambda c: np.quantile(_batched_sample(draws, lam, mu_b, c, batch), q) <= budget,
                     math.floor(lam / batch / mu_b) + 1, max_replicas)


def batching_table(lam: float, s1: float, replicas: int, overhead: float, budget: float,
                   batches: Sequence[int], q: float = 0.99, seed: int = 0) -> pd.DataFrame:
    """Throughput per replica vs latency for each batch size, at the same traffic and budget.

    Parameters
    ----------
    lam : float
        Arrivals, requests/s.
    s1 : float
        Service time of a batch of one, s.
    replicas : int
        Replicas serving now.
    overhead : float
        Fixed-overhead share ``f`` of a call (see :func:`batch_service_time`).
    budget : float
        Latency budget for the ``q``-quantile, s.
    batches : sequence of int
        Batch sizes, one row each.

    Returns
    -------
    pandas.DataFrame
        ``batch B``, ``batch time (ms)``, ``throughput / replica (req/s)``, ``utilisation at
        {replicas}``, ``p99 at {replicas} (ms)`` (inf when the replicas cannot keep up) and
        ``replicas for budget`` ("none" when no count meets it).
    """
    rows = []
    for b in batches:
        s_b = batch_service_time(s1, b, overhead)
        stable = lam / b * s_b < replicas
        point = batched(lam, s1, replicas, b, overhead, q=q, seed=seed) if stable else None
        needed = batched_replicas_needed(lam, s1, b, overhead, budget, q=q, seed=seed, n=20_000)
        rows.append({"batch B": b, "batch time (ms)": s_b * 1e3, "throughput / replica (req/s)": b / s_b,
                     f"utilisation at {replicas}": lam * s_b / b / replicas,
                     f"p99 at {replicas} (ms)": point.p99 * 1e3 if point else np.inf,
                     "replicas for budget": "none" if needed is None else str(needed)})
    return pd.DataFrame(rows)


def utilisation_curve(mu: float, c: int, points: int = 80) -> tuple[np.ndarray, list[float], list[float]]:
    """Mean and p99 response time (s) of M/M/c with service rate ``mu`` (1/s) and ``c`` servers
    at utilisations from 2 % to 99 %: (utilisation, mean, p99)."""
    util = np.linspace(0.02, 0.99, points)
    means = [mean_response(u * c * mu, mu, c) for u in util]
    p99s = [response_quantile(0.99, u * c * mu, mu, c) for u in util]
    return util, means, p99s


def replica_curve(lam: float, mu: float, c_now: int, c_needed: int | None = None,
                  q: float = 0.99) -> tuple[np.ndarray, list[float]]:
    """The ``q``-quantile response time (s) against the number of replicas, from the fewest that
    keep the queue stable (``floor(lam / mu) + 1``) to 12 past the larger of ``c_now`` and
    ``c_needed`` (at most 80 counts)."""
    c_min = int(np.floor(lam / mu)) + 1
    cs = np.arange(c_min, min(max(c_needed or 0, c_now, c_min) + 12, c_min + 80))
    return cs, [response_quantile(q, lam, mu, int(k)) for k in cs]
