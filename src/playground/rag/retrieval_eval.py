"""Evaluating the retrievers on the labelled queries: recall, MRR and nDCG per query, and their
means overall and per query type."""

from __future__ import annotations

import time
from typing import Callable, Sequence

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
