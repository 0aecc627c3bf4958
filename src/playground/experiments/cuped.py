"""Lesson 6: CUPED, variance reduction of an A/B estimate with a pre-period covariate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class CupedResult:
    """Replicated experiments analysed with and without CUPED.

    Attributes
    ----------
    naive, cuped : ndarray (reps,)
        Estimated treatment effect per replicate (difference in means).
    theta : ndarray (reps,)
        CUPED coefficient ``cov(X, Y) / var(X)`` per replicate.
    var_ratio : float
        Empirical ``var(cuped) / var(naive)`` across replicates.
    rho : float
        Correlation of the pre-period covariate with the metric.
    se_naive, se_cuped : float
        Mean standard error of the estimate (one replicate's formula).
    """

    naive: np.ndarray
    cuped: np.ndarray
    theta: np.ndarray
    var_ratio: float
    rho: float
    se_naive: float
    se_cuped: float

    def half_widths(self, alpha: float = 0.05) -> tuple[float, float]:
        """Half-width of the two-sided ``1 - alpha`` CI of the effect: (naive, CUPED)."""
        z = stats.norm.isf(alpha / 2)
        return float(z * self.se_naive), float(z * self.se_cuped)

    @property
    def theory_ratio(self) -> float:
        """``1 - rho^2``: the variance (and sample size) factor CUPED should reach."""
        return 1 - self.rho**2


def cuped_adjust(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, float]:
    """CUPED-adjusted metric ``y - theta (x - mean(x))`` with ``theta = cov(x, y) / var(x)``.

    Parameters
    ----------
    y : ndarray
        The experiment metric per user (both arms pooled).
    x : ndarray
        The same metric in the pre-period (not affected by treatment).
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    if y.shape != x.shape or y.size < 3:
        raise ValueError("metric and covariate need the same length, at least 3 users")
    vx = x.var(ddof=1)
    if vx == 0:
        raise ValueError("the pre-period covariate is constant: CUPED needs variation")
    theta = float(np.cov(x, y, ddof=1)[0, 1] / vx)
    return y - theta * (x - x.mean()), theta


def simulate_cuped(n_per_arm: int = 2000, rho: float = 0.7, effect: float = 0.05,
                   reps: int = 300, seed: int = 0) -> CupedResult:
    """Simulate ``reps`` experiments on a standardised metric with a correlated pre-period value.

    The metric is ``Y = rho X + sqrt(1 - rho^2) E + effect * T`` with X, E standard normal, so
    ``corr(X, Y) = rho`` within an arm. Each replicate is analysed by the difference in means of
    Y (naive) and of the CUPED-adjusted Y (theta pooled over both arms).

    Parameters
    ----------
    n_per_arm : int
        Users per arm (10 … 100 000).
    rho : float
        Correlation between pre-period and in-experiment metric (-0.99 … 0.99).
    effect : float
        True treatment effect in standard deviations.
    reps : int
        Replicated experiments (used to measure the variance of each estimator).
    seed : int
        Random seed.
    """
    if not 10 <= n_per_arm <= 100_000:
        raise ValueError(f"users per arm must be between 10 and 100000 (got {n_per_arm})")
    if not -0.99 <= rho <= 0.99:
        raise ValueError(f"correlation must be between -0.99 and 0.99 (got {rho:g})")
    if not 2 <= reps <= 5000:
        raise ValueError("replicates must be between 2 and 5000")
    rng = np.random.default_rng(seed)
    n = 2 * n_per_arm
    treat = np.r_[np.zeros(n_per_arm), np.ones(n_per_arm)]
    x = rng.standard_normal((reps, n))
    y = rho * x + np.sqrt(1 - rho**2) * rng.standard_normal((reps, n)) + effect * treat
    xc = x - x.mean(axis=1, keepdims=True)
    theta = (xc * (y - y.mean(axis=1, keepdims=True))).sum(axis=1) / (xc**2).sum(axis=1)
    y_adj = y - theta[:, None] * xc
    t, c = treat == 1, treat == 0

    def diff_and_se(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = v[:, t].mean(axis=1) - v[:, c].mean(axis=1)
        se = np.sqrt(v[:, t].var(axis=1, ddof=1) / n_per_arm + v[:, c].var(axis=1, ddof=1) / n_per_arm)
        return d, se

    naive, se_n = diff_and_se(y)
    cuped, se_c = diff_and_se(y_adj)
    return CupedResult(naive, cuped, theta, float(cuped.var(ddof=1) / naive.var(ddof=1)), rho,
                       float(se_n.mean()), float(se_c.mean()))


def variance_factor(rho: float) -> float:
    """Share of the sample size CUPED needs with a covariate of correlation ``rho``: ``1 - rho^2``."""
    if not -1.0 < rho < 1.0:
        raise ValueError(f"the covariate's correlation must be strictly between -1 and 1 (got {rho:g})")
    return 1 - rho**2


def replications(n_per_arm: int, budget: int = 2_000_000, lo: int = 50, hi: int = 400) -> int:
    """Replicated experiments to simulate at ``n_per_arm`` users per arm: about ``budget`` users in
    all (``budget // (2 n_per_arm)``), at least ``lo`` and at most ``hi``."""
    if n_per_arm < 1:
        raise ValueError(f"users per arm must be at least 1 (got {n_per_arm})")
    return int(min(max(budget // (2 * n_per_arm), lo), hi))
