"""The retrievers over passages: BM25 (rank-bm25's Okapi, vectorised), and the fusion of a sparse
and a dense ranking (reciprocal rank fusion, min-max weighted score fusion).

Methods (:data:`METHODS`): ``bm25``, ``dense``, ``rrf`` (reciprocal rank fusion of BM25 and
dense), ``weighted`` (min-max normalised score fusion, ``alpha`` = weight of dense), ``rerank``
(the fused top-``rerank_n`` re-ordered by late-interaction MaxSim, see :mod:`playground.rag.rerank`).
:class:`playground.rag.index_store.RetrievalIndex` runs them over one built index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from playground.rag import analysis as ra

METHODS = ("bm25", "dense", "rrf", "weighted", "rerank")
METHOD_LABELS = {"bm25": "BM25", "dense": "Dense (MiniLM + FAISS)", "rrf": "Hybrid RRF",
                 "weighted": "Hybrid weighted", "rerank": "Hybrid + MaxSim rerank"}
DEFAULTS = {"k1": 1.2, "b": 0.75, "rrf_k": 60, "alpha": 0.5, "depth": 100, "fusion": "weighted",
            "rerank_n": 20, "analyzer": "search"}
MAX_QUERY_CHARS = 2000
tokenize = ra.simple  # the naive analyser (kept as the definition of a paraphrase query)


class OkapiScorer:
    """rank-bm25's ``BM25Okapi`` scores, vectorised.

    The statistics (idf with rank-bm25's epsilon floor, document lengths, average length, term
    frequencies) come from a fitted ``rank_bm25.BM25Okapi``; scoring follows its ``get_scores``
    formula term by term (a repeated query term counts again) but touches only the documents that
    contain each term, with any ``k1`` and ``b``:

    .. math:: s(d, q) = \\sum_{t \\in q} \\mathrm{idf}(t) \\frac{f_{t,d} (k_1 + 1)}
              {f_{t,d} + k_1 (1 - b + b \\, |d| / \\overline{|d|})}
    """

    def __init__(self, okapi) -> None:
        from scipy import sparse

        self.okapi = okapi
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for i, freqs in enumerate(okapi.doc_freqs):
            for term, f in freqs.items():
                rows.append(i)
                cols.append(vocab.setdefault(term, len(vocab)))
                vals.append(f)
        self.vocab = vocab
        self.tf = sparse.csc_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)),
                                    shape=(len(okapi.doc_freqs), max(len(vocab), 1)))
        self.doc_len = np.asarray(okapi.doc_len, dtype=np.float64)

    def scores(self, tokens: Sequence[str], k1: float, b: float) -> np.ndarray:
        if k1 <= 0 or not 0 <= b <= 1:
            raise ValueError(f"BM25 needs k1 > 0 and 0 <= b <= 1 (got k1={k1}, b={b}); "
                             "k1 = 0 makes rank-bm25 divide 0 by 0")
        out = np.zeros(len(self.doc_len))
        norm = k1 * (1 - b + b * self.doc_len / self.okapi.avgdl)
        for term in tokens:
            j = self.vocab.get(term)
            if j is None:
                continue
            idf = self.okapi.idf.get(term) or 0
            lo, hi = self.tf.indptr[j], self.tf.indptr[j + 1]
            rows, f = self.tf.indices[lo:hi], self.tf.data[lo:hi]
            out[rows] += idf * (f * (k1 + 1) / (f + norm[rows]))
        return out


def fit_bm25(texts: Sequence[str], analyzer: str = "simple") -> OkapiScorer:
    """Fit rank-bm25's Okapi BM25 on ``texts`` analysed by ``analyzer`` (:mod:`.analysis`)."""
    from rank_bm25 import BM25Okapi

    return OkapiScorer(BM25Okapi([ra.analyse(t, analyzer) or ["_empty_"] for t in texts],
                                 k1=DEFAULTS["k1"], b=DEFAULTS["b"]))


@dataclass(frozen=True)
class Hit:
    """One search result: a passage id and the method's score (higher is better)."""

    passage_id: str
    score: float


def top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, ties broken by lower index (deterministic)."""
    k = min(k, len(scores))
    order = np.lexsort((np.arange(len(scores)), -scores))
    return order[:k]


def rrf_fuse(rankings: Sequence[Sequence[str]], k: float = 60) -> list[tuple[str, float]]:
    r"""Reciprocal rank fusion: :math:`s(d) = \sum_r 1 / (k + \mathrm{rank}_r(d))`, ranks from 1.

    Returns (id, score) sorted by score (ties: first appearance order across the rankings).
    """
    if k < 0:
        raise ValueError(f"the RRF constant k cannot be negative (got {k})")
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
    order = {pid: i for i, pid in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))


def minmax(scores: Mapping[str, float]) -> dict[str, float]:
    """Min-max normalise a retriever's scores to [0, 1] (all equal -> all 1)."""
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi == lo:
        return {pid: 1.0 for pid in scores}
    return {pid: (s - lo) / (hi - lo) for pid, s in scores.items()}


def weighted_fuse(sparse: Mapping[str, float], dense: Mapping[str, float],
                  alpha: float = 0.5) -> list[tuple[str, float]]:
    r"""Weighted normalised score fusion:
    :math:`s(d) = \alpha \, \hat s_\text{dense}(d) + (1 - \alpha) \, \hat s_\text{bm25}(d)`,
    each retriever's scores min-max normalised over its own list; a passage missing from a list
    gets 0 from it. Sorted by score (ties: dense list order, then BM25 list order)."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1 (got {alpha})")
    s_hat, d_hat = minmax(sparse), minmax(dense)
    fused: dict[str, float] = {}
    for pid in [*dense, *sparse]:
        if pid not in fused:
            fused[pid] = alpha * d_hat.get(pid, 0.0) + (1 - alpha) * s_hat.get(pid, 0.0)
    order = {pid: i for i, pid in enumerate(fused)}
    return sorted(fused.items(), key=lambda item: (-item[1], order[item[0]]))


def relevant_params(method: str, params: Mapping) -> dict:
    """The subset of ``params`` that changes ``method``'s ranking (for cache keys)."""
    used = {"bm25": ("k1", "b", "analyzer"), "dense": (), "rrf": ("k1", "b", "analyzer", "rrf_k", "depth"),
            "weighted": ("k1", "b", "analyzer", "alpha", "depth")}.get(method, tuple(DEFAULTS))
    if method == "rerank":
        fusion = params.get("fusion", DEFAULTS["fusion"])
        used = ("k1", "b", "analyzer", "depth", "fusion", "rerank_n", "rrf_k" if fusion == "rrf" else "alpha")
    return {k: v for k, v in params.items() if k in used}
