"""The real-time latency budget of fraud scoring: feature lookups, the model and the rules must
answer inside the slice of the payment authorisation the issuer gives them.

Each step's latency per call is log-normal, fixed by its median and 99th percentile (the two
numbers a service dashboard shows); a step makes ``calls`` calls, in parallel (it waits for the
slowest: the maximum) or one after another (the sum). Steps run in sequence, so the request's
latency is the sum of the steps'. :func:`simulate` draws requests with a seeded generator and
reports percentiles and the share of requests over the budget; :func:`measure_model` times the
lesson's own model on single transactions, as the scorer would call it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from statistics import NormalDist
from typing import Callable, Sequence

import numpy as np

Z99 = NormalDist().inv_cdf(0.99)


@dataclass(frozen=True)
class Step:
    """One step of scoring a transaction.

    Parameters
    ----------
    name : str
    p50_ms, p99_ms : float
        Median and 99th percentile of one call (milliseconds); equal values make it constant.
    calls : int
        Calls the step makes per transaction.
    parallel : bool
        Whether the calls are issued together (latency = the slowest) or one after another (the sum).
    """

    name: str
    p50_ms: float
    p99_ms: float
    calls: int = 1
    parallel: bool = True


def lognormal(p50_ms: float, p99_ms: float) -> tuple[float, float]:
    r"""``(mu, sigma)`` of the log-normal with this median and 99th percentile:
    :math:`\mu = \ln p_{50}`, :math:`\sigma = (\ln p_{99} - \ln p_{50}) / z_{0.99}`."""
    if p50_ms <= 0 or p99_ms < p50_ms:
        raise ValueError(f"a step needs 0 < p50 <= p99 (got p50 = {p50_ms} ms, p99 = {p99_ms} ms)")
    return float(np.log(p50_ms)), float((np.log(p99_ms) - np.log(p50_ms)) / Z99)


def step_quantile(step: Step, q: float) -> float:
    r"""Exact ``q``-quantile of a step with parallel calls (or one call): the maximum of ``n`` iid
    draws is below :math:`x` with probability :math:`F(x)^n`, so its quantile is
    :math:`F^{-1}(q^{1/n})`."""
    if not step.parallel and step.calls > 1:
        raise ValueError("sequential calls have no closed form: use simulate()")
    mu, sigma = lognormal(step.p50_ms, step.p99_ms)
    return float(np.exp(mu + sigma * NormalDist().inv_cdf(q ** (1 / step.calls))))


@dataclass(frozen=True)
class Budget:
    """Latency of the simulated requests (ms): percentiles overall and per step, share over budget."""

    p50: float
    p99: float
    over_budget: float
    budget_ms: float
    steps: dict

    @property
    def fits(self) -> bool:
        """Whether the 99th percentile is within the budget."""
        return self.p99 <= self.budget_ms

    @property
    def over_by(self) -> float:
        """The 99th percentile minus the budget (ms; negative: headroom)."""
        return self.p99 - self.budget_ms


VELOCITY_SOURCES = ("db", "stream")
"""Where the velocity features come from: SQL aggregates at request time, or the streaming job's
precomputed counts read from the feature store."""
BASE_LOOKUPS = 4
"""Feature-store lookups a payment needs besides the velocity counts (card, device, merchant, customer)."""


def scoring_steps(velocity: str, parallel: bool, kv_p99_ms: float, model_ms: tuple[float, float],
                  n_velocity: int) -> list[Step]:
    """The steps of scoring one payment, in order: network and decoding (median 2 ms, p99 8 ms),
    the feature-store lookups (median 1 ms, p99 ``kv_p99_ms``; :data:`BASE_LOOKUPS` calls, plus
    one per velocity count when ``velocity`` is ``"stream"``), the ``n_velocity`` SQL aggregates
    (median 15 ms, p99 120 ms) when it is ``"db"``, the model (``model_ms``: measured median and
    p99 in ms; a p99 under the median is raised to it) and the rules engine (0.3 ms, 2 ms).
    ``parallel``: whether lookups and aggregates are issued together."""
    if velocity not in VELOCITY_SOURCES:
        raise ValueError(f"velocity features come from {' or '.join(VELOCITY_SOURCES)}, not {velocity!r}")
    model_p50, model_p99 = model_ms
    steps = [Step("network and decoding", 2.0, 8.0),
             Step("feature-store lookups", 1.0, kv_p99_ms,
                  calls=BASE_LOOKUPS + (n_velocity if velocity == "stream" else 0), parallel=parallel)]
    if velocity == "db":
        steps.append(Step("velocity aggregates (SQL)", 15.0, 120.0, calls=n_velocity, parallel=parallel))
    return steps + [Step("model (measured)", model_p50, max(model_p99, model_p50)), Step("rules engine", 0.3, 2.0)]


def simulate(steps: Sequence[Step], budget_ms: float, n: int = 20_000, seed: int = 0) -> Budget:
    """Draw ``n`` requests (``numpy.random.default_rng(seed)``) through ``steps`` in sequence."""
    if not steps:
        raise ValueError("no step to time")
    if budget_ms <= 0:
        raise ValueError(f"the budget must be positive (got {budget_ms} ms)")
    rng = np.random.default_rng(seed)
    per_step = {}
    for step in steps:
        if step.calls < 1:
            raise ValueError(f"{step.name}: a step makes at least one call (got {step.calls})")
        mu, sigma = lognormal(step.p50_ms, step.p99_ms)
        draws = np.exp(mu + sigma * rng.standard_normal((n, step.calls)))
        per_step[step.name] = draws.max(1) if step.parallel else draws.sum(1)
    total = np.sum(list(per_step.values()), axis=0)
    return Budget(float(np.percentile(total, 50)), float(np.percentile(total, 99)),
                  float(np.mean(total > budget_ms)), float(budget_ms),
                  {name: (float(np.percentile(v, 50)), float(np.percentile(v, 99))) for name, v in per_step.items()})


def measure_model(predict: Callable, rows: np.ndarray, repeats: int = 200) -> tuple[float, float]:
    """Median and 99th percentile (ms) of the CPU time ``predict`` takes on one row at a time
    (``repeats`` calls over the rows in turn, one OpenMP thread), as a real-time scorer calls it on
    its own core. CPU time of the calling thread, not wall time: on a shared machine the wall time
    adds the wait for a core, which a dedicated scoring service does not have."""
    from threadpoolctl import threadpool_limits

    if len(rows) == 0 or repeats < 1:
        raise ValueError("need at least one row and one repeat to time the model")
    times = []
    with threadpool_limits(limits=1, user_api="openmp"):
        for i in range(repeats):
            row = rows[i % len(rows)][None, :]
            start = time.thread_time_ns()
            predict(row)
            times.append((time.thread_time_ns() - start) / 1e6)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))
