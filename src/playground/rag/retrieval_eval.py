"""Evaluating the retrievers on the labelled queries: recall, MRR and nDCG per query, their means
overall and per query type, and the paired difference of two systems on the same queries."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from playground.rag import ir_metrics as irm
from playground.rag.index_store import RetrievalIndex


def evaluate(index: RetrievalIndex, queries: Sequence, method: str, recall_k: int = 10,
             progress: Callable[[float, str], None] | None = None, **params) -> list[dict]:
    """Per-query metrics of ``method``: recall@``recall_k``, MRR@10, nDCG@10 (graded), and the
    search time in ms (query embedding and the reranker's token vectors computed beforehand, in
    one batch each, ``progress`` reporting; one BLAS thread)."""
    from threadpoolctl import threadpool_limits

    index.prepare(method, [q.text for q in queries], max(10, recall_k), persist=True, progress=progress, **params)
    depth = max(10, recall_k)
    rows = []
    with threadpool_limits(limits=1):  # many tiny products: one BLAS thread is faster on 2 cores
        for q in queries:
            start = time.perf_counter()
            ranked = [h.passage_id for h in index.search(method, q.text, depth, **params)]
            elapsed_ms = (time.perf_counter() - start) * 1e3
            rows.append({"query_id": q.id, "type": q.type, "method": method, "latency_ms": elapsed_ms,
                         f"recall@{recall_k}": irm.recall_at_k(ranked, q.relevant, recall_k),
                         "mrr@10": irm.reciprocal_rank(ranked, q.relevant, 10),
                         "ndcg@10": irm.ndcg_at_k(ranked, q.relevant, 10)})
    return rows


def summarise(rows: Sequence[dict]) -> dict[str, dict[str, float]]:
    """Mean of every metric over all queries (``"all"``) and per query type."""
    groups: dict[str, list[dict]] = {"all": list(rows)}
    for row in rows:
        groups.setdefault(row["type"], []).append(row)
    metrics = [key for key in (rows[0] if rows else {}) if "@" in key]
    return {name: {m: float(np.mean([r[m] for r in group])) for m in metrics} | {"n": len(group)}
            for name, group in groups.items()}


def overview(runs: Mapping[str, Sequence[dict]], recall_k: int) -> dict[str, dict[str, float]]:
    """The summary table of several methods on the same queries.

    Parameters
    ----------
    runs : mapping of str to rows
        Method -> the rows :func:`evaluate` returned for it (``recall_k`` as passed there).
    recall_k : int
        The recall cut-off of those rows.

    Returns
    -------
    dict
        Method (in ``runs`` order) -> ``ndcg@10``, ``mrr@10`` and ``recall@k`` (means over all
        queries, shares in [0, 1]) and ``median ms / query`` (median search time, milliseconds).
    """
    rk = f"recall@{recall_k}"
    out = {}
    for method, rows in runs.items():
        means = summarise(rows)["all"]
        out[method] = {"ndcg@10": means["ndcg@10"], "mrr@10": means["mrr@10"], rk: means[rk],
                       "median ms / query": float(np.median([r["latency_ms"] for r in rows]))}
    return out


def mean_by_type(values: Sequence[float], types: Sequence[str], order: Sequence[str]) -> dict[str, float]:
    """Mean of a per-query metric per query type and over all queries.

    Parameters
    ----------
    values : sequence of float
        One value per query (e.g. recall@5 or nDCG@10, in [0, 1]).
    types : sequence of str
        The type of each query, aligned with ``values``.
    order : sequence of str
        The types to report, in this order.

    Returns
    -------
    dict
        Type (in ``order``) -> mean of its queries' values (NaN for a type no query has), then
        ``"all"`` -> the mean over every query; same unit as ``values``.
    """
    if len(values) != len(types):
        raise ValueError(f"{len(values)} values but {len(types)} query types")
    if len(values) == 0:
        raise ValueError("no query to average over")
    out = {}
    for kind in order:
        picked = [v for v, t in zip(values, types) if t == kind]
        out[kind] = sum(picked) / len(picked) if picked else float("nan")
    out["all"] = sum(values) / len(values)
    return out


@dataclass(frozen=True)
class PairedDifference:
    """Two systems' mean of one metric on the same queries, and a paired-bootstrap interval of
    the difference (same unit as the metric)."""

    mean_a: float
    mean_b: float
    low: float
    high: float
    n: int  # queries compared

    @property
    def difference(self) -> float:
        """``mean_a − mean_b``."""
        return self.mean_a - self.mean_b


def paired_difference(a: Sequence[dict], b: Sequence[dict], metric: str, seed: int,
                      group: str = "all") -> PairedDifference:
    """System A minus system B on the queries they share, with its 95 % paired-bootstrap interval.

    Parameters
    ----------
    a, b : sequence of dict
        Per-query rows (``query_id``, ``type`` and ``metric``), as :func:`evaluate` or
        :func:`playground.rag.ltr.metric_rows` return them; ``b`` is matched to ``a`` by query id.
    metric : str
        The column compared (e.g. ``"ndcg@10"``).
    seed : int
        Seed of the bootstrap resampling (:func:`playground.rag.ir_metrics.paired_bootstrap_ci`).
    group : str
        A query type, or ``"all"`` for every query of ``a``.

    Returns
    -------
    PairedDifference
        Both means, the interval of ``mean(a − b)`` (2,000 resamples of the queries) and the
        number of queries.
    """
    x, y = _paired(a, b, metric, group)
    low, high = irm.paired_bootstrap_ci(x, y, seed)
    return PairedDifference(float(x.mean()), float(y.mean()), low, high, len(x))


def mean_difference(a: Sequence[dict], b: Sequence[dict], metric: str, group: str = "all") -> float:
    """Mean of ``metric`` of system A minus that of system B on the queries of ``a`` (``group``: a
    query type or ``"all"``), the rows matched by query id as in :func:`paired_difference`; same
    unit as the metric."""
    x, y = _paired(a, b, metric, group)
    return float(x.mean()) - float(y.mean())


def _paired(a: Sequence[dict], b: Sequence[dict], metric: str, group: str) -> tuple[np.ndarray, np.ndarray]:
    """``metric`` of the queries of ``a`` in ``group`` and of the same queries in ``b``."""
    of_b = {row["query_id"]: row for row in b}
    picked = [row for row in a if group == "all" or row["type"] == group]
    missing = [row["query_id"] for row in picked if row["query_id"] not in of_b]
    if missing:
        raise ValueError(f"{len(missing)} queries of the first system were not run by the second ({missing[0]}, ...)")
    return (np.array([row[metric] for row in picked], dtype=float),
            np.array([of_b[row["query_id"]][metric] for row in picked], dtype=float))
