"""Lesson 6: many metrics (or many variants) in one experiment and the false wins they bring.

Every extra metric read at level alpha is one more chance for noise to look like a win. Two
corrections are compared: Bonferroni (family-wise error rate ≤ alpha) and Benjamini–Hochberg
(false discovery rate ≤ alpha). Both are written here vectorised over many simulated experiments
at once; they follow ``statsmodels.stats.multitest.multipletests`` (``"bonferroni"`` and
``"fdr_bh"``), which the tests check them against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

METHODS = ("none", "bonferroni", "bh")


def _check(p: np.ndarray, alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1 (got {alpha:g})")
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError("there must be at least one p-value")
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise ValueError("p-values must lie between 0 and 1")


def reject(p, alpha: float = 0.05, method: str = "bh") -> np.ndarray:
    """Which hypotheses are rejected, along the last axis of ``p``.

    Parameters
    ----------
    p : array_like (..., m)
        p-values of ``m`` hypotheses (one row per experiment).
    alpha : float
        Target error rate: per test (``none``), family-wise (``bonferroni``) or false discovery
        rate (``bh``).
    method : {"none", "bonferroni", "bh"}
        ``none`` rejects ``p <= alpha``; ``bonferroni`` rejects ``p <= alpha / m``; ``bh``
        (Benjamini–Hochberg step-up) rejects the ``k`` smallest p-values, ``k`` the largest rank
        with ``p_(k) <= k alpha / m``.

    Returns
    -------
    ndarray of bool, the shape of ``p``
    """
    p = np.asarray(p, dtype=float)
    _check(p, alpha)
    m = p.shape[-1]
    if method == "none":
        return p <= alpha
    if method == "bonferroni":
        return p <= alpha / m
    if method != "bh":
        raise ValueError(f"unknown correction {method!r}; use one of {', '.join(METHODS)}")
    order = np.argsort(p, axis=-1)
    ranked = np.take_along_axis(p, order, axis=-1)
    passes = ranked <= alpha * np.arange(1, m + 1) / m
    # k = the largest rank that passes (0 if none): reject every p-value up to it
    k = np.where(passes.any(axis=-1), m - np.argmax(passes[..., ::-1], axis=-1), 0)
    out = np.zeros(p.shape, dtype=bool)
    np.put_along_axis(out, order, np.arange(m) < k[..., None], axis=-1)
    return out


@dataclass(frozen=True)
class ManyMetricsResult:
    """Simulated experiments that each read ``metrics`` metrics, ``true_effects`` of them really moved.

    Attributes
    ----------
    p : ndarray (reps, metrics)
        Two-sided p-values; the first ``true_effects`` columns are the real effects.
    true_effects : int
    alpha : float
    summary : dict
        Per method (``none``, ``bonferroni``, ``bh``): ``false_wins`` (mean false discoveries per
        experiment), ``fwer`` (share of experiments with at least one), ``fdr`` (mean share of
        false among the discoveries, 0 when there are none) and ``power`` (share of the real
        effects found).
    """

    p: np.ndarray
    true_effects: int
    alpha: float
    summary: dict

    @property
    def metrics(self) -> int:
        return self.p.shape[1]


def simulate_many_metrics(metrics: int = 20, true_effects: int = 2, effect_z: float = 3.0,
                          reps: int = 2000, alpha: float = 0.05, seed: int = 0) -> ManyMetricsResult:
    """Experiments that read ``metrics`` independent metrics, each with a two-sided z-test.

    Parameters
    ----------
    metrics : int
        Metrics (or variants against one control) read per experiment (1 … 200).
    true_effects : int
        How many of them really moved (0 … metrics).
    effect_z : float
        Size of a real effect in standard errors (the z it would have without noise).
    reps : int
        Simulated experiments (1 … 20 000).
    alpha : float
        Level of each correction.
    seed : int
        Random seed.
    """
    if not 1 <= metrics <= 200:
        raise ValueError(f"metrics must be between 1 and 200 (got {metrics})")
    if not 0 <= true_effects <= metrics:
        raise ValueError(f"true effects ({true_effects}) must be between 0 and the metrics ({metrics})")
    if not 1 <= reps <= 20_000:
        raise ValueError(f"simulated experiments must be between 1 and 20000 (got {reps})")
    rng = np.random.default_rng(seed)
    mean = np.zeros(metrics)
    mean[:true_effects] = effect_z
    z = rng.standard_normal((reps, metrics)) + mean
    p = 2 * stats.norm.sf(np.abs(z))
    real = np.arange(metrics) < true_effects
    summary = {}
    for method in METHODS:
        r = reject(p, alpha, method)
        false = (r & ~real).sum(axis=1)
        found = r.sum(axis=1)
        summary[method] = {
            "false_wins": float(false.mean()),
            "fwer": float((false > 0).mean()),
            "fdr": float(np.mean(np.where(found > 0, false / np.maximum(found, 1), 0.0))),
            "power": float((r & real).sum() / (reps * true_effects)) if true_effects else float("nan"),
        }
    return ManyMetricsResult(p, true_effects, alpha, summary)
