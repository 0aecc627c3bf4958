"""Access control in vector search: a user may see only some documents, so the nearest passages
must be filtered, and where the filter runs decides what the user gets.

Modes (:data:`MODES`), over a FAISS HNSW index of the passage vectors:

* ``post``: ANN top-k, then drop the passages the user may not see (fewer than k remain, often
  none, when the allowed fraction is small: on average about k x allowed fraction survive);
* ``overfetch``: ANN top-(k / allowed fraction), then drop (k survive on average, but the ANN
  search must go that deep, and a user whose documents cluster away from the query still loses);
* ``during``: filtered HNSW search (FAISS ``SearchParametersHNSW`` with an ``IDSelectorBatch``):
  the graph walk keeps only allowed passages in its results;
* ``pre``: exact search over the allowed passages only (FAISS flat scan with the selector): exact,
  and it scores every allowed vector, cheap when few are allowed, costly when most are.

Each is scored against the brute-force filtered top-k (numpy, :func:`exact_filtered`), the
answer a user with these rights should get. Cost is counted as vectors scored per query (FAISS's
own HNSW distance counter; the allowed count for the flat scan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from playground.recsys import ann

MODES = ("post", "overfetch", "during", "pre")
MODE_LABELS = {"post": "after the ANN search (top-k, then drop)",
               "overfetch": "after, over-fetching k / allowed fraction",
               "during": "during the ANN search (filtered HNSW)",
               "pre": "before: exact search over the allowed documents"}
HNSW = ann.IndexSpec(kind=ann.IndexKind.HNSW, M=16, ef_construction=40, ef_search=64)


def allowed_documents(doc_ids: Sequence[str], fraction: float, seed: int) -> frozenset[str]:
    """The documents a user may see: ``max(1, round(fraction x n))`` of the distinct ``doc_ids``,
    drawn without replacement with ``numpy.random.default_rng(seed)``."""
    if not 0 < fraction <= 1:
        raise ValueError(f"the allowed fraction must be in (0, 1] (got {fraction})")
    docs = sorted(set(doc_ids))
    n = max(1, int(round(fraction * len(docs))))
    pick = np.random.default_rng(seed).choice(len(docs), n, replace=False)
    return frozenset(docs[int(i)] for i in pick)


def exact_filtered(vectors: np.ndarray, allowed: np.ndarray, xq: np.ndarray, k: int) -> np.ndarray:
    """Brute-force filtered top-k (numpy): row indices into ``vectors`` of the ``k`` nearest allowed
    rows per query (fewer allowed than k: padded with -1)."""
    rows = np.flatnonzero(allowed)
    out = np.full((len(xq), k), -1, dtype=np.int64)
    if len(rows):
        take = min(k, len(rows))
        out[:, :take] = rows[ann.exact_topk(vectors[rows], xq, take)]
    return out


def build(vectors: np.ndarray, seed: int = 0) -> ann.Built:
    """The HNSW index (:data:`HNSW`) over unit-norm ``vectors`` (L2 order = cosine order)."""
    return ann.build(HNSW, vectors, seed)


def search(built: ann.Built, vectors: np.ndarray, allowed: np.ndarray, xq: np.ndarray, k: int,
           mode: str) -> tuple[np.ndarray, float]:
    """Top-k allowed row indices per query under ``mode`` (-1 where fewer than k come back), and
    the mean number of vectors scored per query."""
    import faiss

    if mode not in MODES:
        raise ValueError(f"unknown filter mode {mode!r}; choose one of {', '.join(MODES)}")
    n_allowed = int(allowed.sum())
    if k < 1 or k > len(vectors):
        raise ValueError(f"k must be between 1 and {len(vectors):,} (got {k})")
    xq = np.ascontiguousarray(xq, dtype=np.float32)
    out = np.full((len(xq), k), -1, dtype=np.int64)
    if n_allowed == 0:
        return out, 0.0
    selector = faiss.IDSelectorBatch(np.flatnonzero(allowed).astype(np.int64))
    if mode == "pre":
        flat = faiss.IndexFlatL2(vectors.shape[1])
        flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
        _, found = flat.search(xq, k, params=faiss.SearchParameters(sel=selector))
        return found.astype(np.int64), float(n_allowed)
    faiss.cvar.hnsw_stats.reset()
    if mode == "during":
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW.ef_search, k))
        _, found = built.index.search(xq, k, params=params)
        return found.astype(np.int64), faiss.cvar.hnsw_stats.ndis / len(xq)
    depth = k if mode == "post" else min(len(vectors), int(np.ceil(k * len(vectors) / n_allowed)))
    params = faiss.SearchParametersHNSW(efSearch=max(HNSW.ef_search, depth))
    _, found = built.index.search(xq, depth, params=params)
    for qi, row in enumerate(found):
        kept = [int(i) for i in row if i >= 0 and allowed[i]][:k]
        out[qi, :len(kept)] = kept
    return out, faiss.cvar.hnsw_stats.ndis / len(xq)


@dataclass(frozen=True)
class FilterResult:
    """One mode at one allowed fraction.

    ``returned``: mean results per query (of k); ``recall``: mean share of the exact filtered
    top-k found; ``empty``: share of queries that get no result at all; ``scored``: vectors
    scored per query; ``n_allowed``: passages the user may see."""

    mode: str
    returned: float
    recall: float
    empty: float
    scored: float
    n_allowed: int


def evaluate(built: ann.Built, vectors: np.ndarray, allowed: np.ndarray, xq: np.ndarray, k: int,
             mode: str) -> FilterResult:
    """Score :func:`search` against :func:`exact_filtered` on the queries ``xq``."""
    found, scored = search(built, vectors, allowed, xq, k, mode)
    truth = exact_filtered(vectors, allowed, xq, k)
    want = np.maximum((truth >= 0).sum(1), 1)
    hits = [len(np.intersect1d(f[f >= 0], t[t >= 0])) for f, t in zip(found, truth)]
    got = (found >= 0).sum(1)
    return FilterResult(mode, float(got.mean()), float(np.mean(np.array(hits) / want)),
                        float(np.mean(got == 0)), scored, int(allowed.sum()))


def sweep(built: ann.Built, vectors: np.ndarray, doc_of_row: Sequence[str], xq: np.ndarray, k: int,
          fractions: Sequence[float], seed: int) -> dict[str, list[FilterResult]]:
    """:func:`evaluate` of every mode at each allowed fraction (documents drawn with ``seed``)."""
    doc_of_row = np.asarray(doc_of_row)
    out: dict[str, list[FilterResult]] = {m: [] for m in MODES}
    for f in fractions:
        allowed = np.isin(doc_of_row, list(allowed_documents(doc_of_row, f, seed)))
        for m in MODES:
            out[m].append(evaluate(built, vectors, allowed, xq, k, m))
    return out
