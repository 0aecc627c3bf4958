"""Lesson 5: a Monte Carlo latency simulator for a recommender's request path.

A request runs four stages in sequence: candidate generation, a feature-store lookup that fans
out to ``N`` shards in parallel (the stage takes as long as its slowest shard), the ranking
model and re-ranking / business rules. Each call's latency is lognormal with a settable median
and p99 (``sigma = ln(p99 / median) / z_0.99``).

Mitigations act on the fanned-out lookups:

- cache: a share ``h`` of lookups is answered from a cache in ``cache_ms``;
- hedging: a lookup still running after ``hedge_ms`` sends a backup copy; the first answer wins
  (latency ``min(X1, d + X2)``), at the cost of extra load;
- timeout: a lookup is abandoned at ``timeout_ms`` and a fallback (default features) used, which
  caps the stage and degrades the request's quality.

Everything is vectorised numpy with an explicit seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import lognorm, norm


Z99 = float(norm.ppf(0.99))


@dataclass(frozen=True)
class Stage:
    """One stage of the request path; latencies in milliseconds."""

    key: str
    name: str
    median_ms: float
    p99_ms: float


STAGES: tuple[Stage, ...] = (
    Stage("cg", "Candidate generation", 20.0, 50.0),
    Stage("fs", "Feature-store lookup (per shard)", 8.0, 80.0),
    Stage("rank", "Ranking model", 35.0, 80.0),
    Stage("rr", "Re-ranking / business rules", 5.0, 15.0),
)
FANOUT = "fs"


@dataclass(frozen=True)
class Mitigations:
    """Tail-latency mitigations on the fanned-out lookups (None or 0 switches one off)."""

    cache_hit: float = 0.0
    cache_ms: float = 1.0
    hedge_ms: float | None = None
    timeout_ms: float | None = None


def lognormal_params(median_ms: float, p99_ms: float) -> tuple[float, float]:
    """``(mu, sigma)`` of the lognormal with this median and p99."""
    if median_ms <= 0:
        raise ValueError(f"a median latency ({median_ms:g} ms) must be positive")
    if p99_ms < median_ms:
        raise ValueError(f"a p99 ({p99_ms:g} ms) cannot be below its median ({median_ms:g} ms)")
    return float(np.log(median_ms)), float(np.log(p99_ms / median_ms) / Z99)


def lognormal(median_ms: float, p99_ms: float):
    """The frozen scipy distribution of one call (for analytic checks)."""
    mu, sigma = lognormal_params(median_ms, p99_ms)
    return lognorm(s=max(sigma, 1e-12), scale=np.exp(mu))


def sample_calls(rng: np.random.Generator, median_ms: float, p99_ms: float, size) -> np.ndarray:
    """Latencies of independent calls (ms)."""
    mu, sigma = lognormal_params(median_ms, p99_ms)
    return np.exp(mu + sigma * rng.standard_normal(size))


def fanout_quantile(q: float, median_ms: float, p99_ms: float, n: int) -> float:
    """``q``-quantile of the slowest of ``n`` independent calls: ``F^{-1}(q^{1/n})``."""
    if n < 1:
        raise ValueError(f"the fan-out ({n}) must be at least 1")
    return float(lognormal(median_ms, p99_ms).ppf(q ** (1.0 / n)))


def fanout_cdf(x, median_ms: float, p99_ms: float, n: int):
    """``P(max of n calls ≤ x) = F(x)^n``."""
    return lognormal(median_ms, p99_ms).cdf(x) ** n


@dataclass(frozen=True)
class Leaves:
    """Latencies of the fanned-out lookups and what the mitigations did (arrays of one shape)."""

    latency: np.ndarray
    hedged: np.ndarray
    timed_out: np.ndarray
    cached: np.ndarray


def _check_mitigations(m: Mitigations) -> None:
    if not 0 <= m.cache_hit <= 1:
        raise ValueError(f"the cache hit rate ({m.cache_hit}) must be between 0 and 1")
    if m.cache_ms < 0:
        raise ValueError("the cache latency cannot be negative")
    if m.hedge_ms is not None and m.hedge_ms < 0:
        raise ValueError("the hedging delay cannot be negative")
    if m.timeout_ms is not None and m.timeout_ms <= 0:
        raise ValueError("the timeout must be positive")


def leaf_latency(rng: np.random.Generator, median_ms: float, p99_ms: float, size,
                 m: Mitigations = Mitigations()) -> Leaves:
    """Latency of lookups under the mitigations (ms)."""
    _check_mitigations(m)
    # every draw is made whatever the mitigations, so that designs compared under one seed
    # see the same requests (common random numbers)
    first = sample_calls(rng, median_ms, p99_ms, size)
    backup = sample_calls(rng, median_ms, p99_ms, size)
    cached = rng.random(size) < m.cache_hit
    latency = first
    hedged = np.zeros(first.shape, dtype=bool)
    if m.hedge_ms is not None:
        hedged = (first > m.hedge_ms) & ~cached
        latency = np.where(hedged, np.minimum(first, m.hedge_ms + backup), first)
    latency = np.where(cached, m.cache_ms, latency)
    timed_out = np.zeros(first.shape, dtype=bool)
    if m.timeout_ms is not None:
        timed_out = latency > m.timeout_ms
        latency = np.minimum(latency, m.timeout_ms)
    return Leaves(latency, hedged, timed_out, cached)


@dataclass(frozen=True)
class RequestSim:
    """Simulated end-to-end requests (ms) and the cost of the mitigations."""

    total: np.ndarray
    stages: dict[str, np.ndarray]
    degraded: float
    extra_load: float
    cache_share: float
    p50: float = field(init=False)
    p99: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "p50", float(np.quantile(self.total, 0.5)))
        object.__setattr__(self, "p99", float(np.quantile(self.total, 0.99)))

    def stage_quantile(self, key: str, q: float = 0.99) -> float:
        """``q``-quantile of one stage's latency (ms)."""
        return float(np.quantile(self.stages[key], q))

    def share_over(self, budget_ms: float) -> float:
        """Share of requests slower than the budget."""
        return float(np.mean(self.total > budget_ms))


def simulate(stages: tuple[Stage, ...], n_shards: int, m: Mitigations = Mitigations(),
             n_requests: int = 20_000, seed: int = 0) -> RequestSim:
    """Simulate ``n_requests`` requests through ``stages``; the ``fs`` stage fans out to
    ``n_shards`` lookups (the slowest one sets the stage latency).

    ``degraded``: share of requests where some lookup hit the timeout and used the fallback;
    ``extra_load``: backup calls per primary call (hedging).
    """
    if n_shards < 1:
        raise ValueError(f"the fan-out ({n_shards}) must be at least 1")
    if n_requests < 1:
        raise ValueError("simulate at least one request")
    rng = np.random.default_rng(seed)
    parts: dict[str, np.ndarray] = {}
    degraded, extra, cache_share = 0.0, 0.0, 0.0
    for stage in stages:
        if stage.key == FANOUT:
            leaves = leaf_latency(rng, stage.median_ms, stage.p99_ms, (n_requests, n_shards), m)
            parts[stage.key] = leaves.latency.max(axis=1)
            degraded = float(np.mean(leaves.timed_out.any(axis=1)))
            extra = float(np.mean(leaves.hedged))
            cache_share = float(np.mean(leaves.cached))
        else:
            parts[stage.key] = sample_calls(rng, stage.median_ms, stage.p99_ms, n_requests)
    total = np.sum(list(parts.values()), axis=0)
    return RequestSim(total, parts, degraded, extra, cache_share)


def tail_vs_fanout(stages: tuple[Stage, ...], fanouts, m: Mitigations = Mitigations(),
                   n_requests: int = 10_000, seed: int = 0) -> dict[str, np.ndarray]:
    """Request p50 and p99 (ms) for each fan-out in ``fanouts``, and the analytic p99 of the
    fanned-out stage alone without mitigations (``F^{-1}(0.99^{1/N})``)."""
    fs = next(s for s in stages if s.key == FANOUT)
    sims = [simulate(stages, int(n), m, n_requests, seed) for n in fanouts]
    return {"n": np.asarray(fanouts), "p50": np.array([s.p50 for s in sims]),
            "p99": np.array([s.p99 for s in sims]),
            "stage_p99": np.array([fanout_quantile(0.99, fs.median_ms, fs.p99_ms, int(n)) for n in fanouts])}


def sum_of_medians(stages: tuple[Stage, ...]) -> float:
    """The naive latency estimate: add up each component's median (one call per stage)."""
    return float(sum(s.median_ms for s in stages))


def with_overrides(overrides: dict[str, tuple[float, float]]) -> tuple[Stage, ...]:
    """The default stages with ``{key: (median_ms, p99_ms)}`` replaced."""
    return tuple(Stage(s.key, s.name, *overrides.get(s.key, (s.median_ms, s.p99_ms))) for s in STAGES)


@dataclass(frozen=True)
class PathComparison:
    """Naive (no mitigation) and mitigated requests on the same draws, and both tails against
    fan-out (see :func:`tail_vs_fanout`)."""

    naive: RequestSim
    production: RequestSim
    naive_curve: dict[str, np.ndarray]
    production_curve: dict[str, np.ndarray]


def naive_vs_production(stages: tuple[Stage, ...], n_shards: int, m: Mitigations, fanouts,
                        n_requests: int = 20_000, curve_requests: int = 3_000, seed: int = 0) -> PathComparison:
    """Simulate the request path without mitigations and with ``m`` (same seed, so the same
    draws), and the tail against each fan-out in ``fanouts`` for both."""
    return PathComparison(simulate(stages, n_shards, Mitigations(), n_requests, seed),
                          simulate(stages, n_shards, m, n_requests, seed),
                          tail_vs_fanout(stages, fanouts, Mitigations(), curve_requests, seed),
                          tail_vs_fanout(stages, fanouts, m, curve_requests, seed))


def latency_histograms(sims: list[RequestSim], budget_ms: float, bins: int = 120
                       ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Shared bins from 0 to the larger of 1.05 × the first simulation's 99.9th percentile and
    1.1 × the budget: bin centres (ms) and each simulation's share of requests per bin."""
    hi = float(np.quantile(sims[0].total, 0.999)) * 1.05
    edges = np.linspace(0, max(hi, budget_ms * 1.1), bins + 1)
    shares = []
    for sim in sims:
        counts, _ = np.histogram(sim.total, edges)
        shares.append(counts / counts.sum())
    return (edges[:-1] + edges[1:]) / 2, shares


def some_shard_beyond_p99(n_shards: int) -> float:
    """Probability that at least one of ``n_shards`` independent lookups exceeds its own p99: ``1 − 0.99^N``."""
    if n_shards < 1:
        raise ValueError(f"the fan-out ({n_shards}) must be at least 1")
    return 1 - 0.99 ** n_shards
