"""Offline IR metrics over a ranked list of passage ids and graded relevance labels.

``relevant`` maps passage id -> grade (2 = answers, 1 = related); any grade >= 1 counts as
relevant for recall and MRR. nDCG uses linear gains (the grade) and the log2 discount, the same
convention as :func:`sklearn.metrics.ndcg_score`.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1 (got {k})")


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    r"""Share of the relevant passages found in the top ``k``: :math:`|R \cap \text{top}_k| / |R|`.

    Returns 0.0 for a query with no relevant passages.
    """
    _check_k(k)
    rel = {pid for pid, grade in relevant.items() if grade > 0}
    if not rel:
        return 0.0
    return len(rel.intersection(ranked[:k])) / len(rel)


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """1 / rank of the first relevant passage within the top ``k`` (0 if none): MRR@k per query."""
    _check_k(k)
    for rank, pid in enumerate(ranked[:k], start=1):
        if relevant.get(pid, 0) > 0:
            return 1.0 / rank
    return 0.0


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    r""":math:`\sum_{i=1}^{k} g_i / \log_2(i + 1)`."""
    _check_k(k)
    return float(sum(g / math.log2(i + 2) for i, g in enumerate(list(gains)[:k])))


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Graded nDCG@k: DCG of the ranking over DCG of the ideal ranking (0 if nothing is relevant)."""
    _check_k(k)
    ideal = dcg_at_k(sorted((g for g in relevant.values() if g > 0), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg_at_k([relevant.get(pid, 0) for pid in ranked], k) / ideal


def precision_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """Share of the top ``k`` slots that hold a relevant passage."""
    _check_k(k)
    return sum(1 for pid in ranked[:k] if relevant.get(pid, 0) > 0) / k


def paired_bootstrap_ci(a, b, seed: int, n: int = 2000, level: float = 0.95) -> tuple[float, float]:
    """Percentile paired-bootstrap interval of ``mean(a − b)`` over queries.

    ``a`` and ``b`` are per-query scores of two systems on the same queries; ``n`` resamples of
    the queries with replacement, the interval between the ``(1 − level)/2`` and
    ``(1 + level)/2`` percentiles of the resampled mean differences (the percentile method of
    :func:`scipy.stats.bootstrap` with ``paired=True``)."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if len(diff) < 2:
        raise ValueError("a bootstrap interval needs at least two queries")
    idx = np.random.default_rng(seed).integers(0, len(diff), size=(n, len(diff)))
    means = diff[idx].mean(axis=1)
    tail = 100 * (1 - level) / 2
    return float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))

