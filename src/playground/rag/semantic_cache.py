"""Lesson 10: a semantic cache in front of the LLM — hit rate, wrong answers and cost vs the
similarity threshold.

A request is answered from the cache when its query embedding has cosine similarity at least
``threshold`` with a cached query; otherwise the LLM is called and the query (with its answer) is
cached. A hit is *correct* when the cached query asks the same thing — the same text, or the same
``pair_id`` in the labelled set (paraphrase pairs) — and *wrong* otherwise: the user gets another
question's answer.

The exact-match cache (the naive design) is the same simulation keyed on the query text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

#: Similarity thresholds the page sweeps: 0.30 to 1.00 in steps of 0.01.
THRESHOLDS: np.ndarray = np.round(np.arange(0.30, 1.0001, 0.01), 2)

def equivalence(texts: Sequence[str], pair_ids: Sequence[str | None]) -> np.ndarray:
    """Boolean matrix: ``E[i, j]`` is True when queries i and j ask the same thing (same text,
    or the same non-empty ``pair_id``)."""
    if len(texts) != len(pair_ids):
        raise ValueError("texts and pair_ids must have the same length")
    norm = [" ".join(t.lower().split()) for t in texts]
    n = len(texts)
    same = np.zeros((n, n), dtype=bool)
    for i in range(n):
        for j in range(n):
            same[i, j] = norm[i] == norm[j] or (bool(pair_ids[i]) and pair_ids[i] == pair_ids[j])
    return same


def similarity_matrix(vectors: np.ndarray) -> np.ndarray:
    """Cosine similarities of unit vectors, with an exact 1.0 diagonal (a query is its own
    perfect match despite float rounding)."""
    sims = np.asarray(vectors, dtype=np.float64) @ np.asarray(vectors, dtype=np.float64).T
    np.fill_diagonal(sims, 1.0)
    return sims


def intents(pair_ids: Sequence[str | None]) -> list[int]:
    """Intent index of each query: queries sharing a ``pair_id`` share an intent, every other
    query is its own intent (numbered in order of first appearance)."""
    numbers: dict = {}
    return [numbers.setdefault(pid if pid else ("single", i), len(numbers)) for i, pid in enumerate(pair_ids)]


def traffic(groups: Sequence[int], n_requests: int, zipf_s: float, seed: int) -> np.ndarray:
    """A request stream: intents drawn with Zipf popularity, each asked in one of its phrasings.

    Parameters
    ----------
    groups : sequence of int
        Intent of each query (:func:`intents`); a request for an intent picks one of its
        queries uniformly — the same question asked in different words.
    n_requests : int
        Length of the stream.
    zipf_s : float
        Popularity skew: the intent at popularity rank r (a seeded permutation) is drawn with
        probability proportional to ``r ** -zipf_s`` (0: uniform).
    seed : int
        Seeds the ranks, the draws and the phrasing choice.
    """
    groups = np.asarray(groups, dtype=int)
    if groups.size == 0:
        raise ValueError("the cache needs at least one query")
    if n_requests < 1:
        raise ValueError("the stream needs at least one request")
    if zipf_s < 0:
        raise ValueError("the Zipf exponent cannot be negative")
    rng = np.random.default_rng(seed)
    labels = np.unique(groups)
    ranked = labels[rng.permutation(len(labels))]
    weights = 1.0 / np.arange(1, len(labels) + 1) ** zipf_s
    drawn = ranked[rng.choice(len(labels), size=n_requests, p=weights / weights.sum())]
    members = {g: np.flatnonzero(groups == g) for g in labels}
    return np.asarray([members[g][rng.integers(len(members[g]))] for g in drawn], dtype=int)


def separation(sims: np.ndarray, same: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What a threshold has to separate: cosine similarity of every equivalent pair of distinct
    queries, and of each query to its most similar *non*-equivalent query."""
    n = sims.shape[0]
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    pairs = sims[same & upper]
    nearest_other = np.where(same, -np.inf, sims).max(axis=1)
    return pairs, nearest_other[np.isfinite(nearest_other)]


@dataclass(frozen=True)
class SeparationStats:
    """How a threshold splits :func:`separation`'s two lists.

    Attributes
    ----------
    pairs_above : float
        Share of paraphrase-pair similarities at or above the threshold (caught by the cache).
    others_above : float
        Share of queries whose nearest *different* question is at or above it (would be served
        another question's answer).
    pairs_median, others_median : float
        Median cosine similarity of each list.
    """

    pairs_above: float
    others_above: float
    pairs_median: float
    others_median: float


def separation_stats(pairs: np.ndarray, others: np.ndarray, threshold: float) -> SeparationStats:
    """Shares of ``pairs`` and ``others`` (cosine similarities, from :func:`separation`) at or
    above ``threshold``, and their medians."""
    pairs, others = np.asarray(pairs, dtype=float), np.asarray(others, dtype=float)
    if pairs.size == 0 or others.size == 0:
        raise ValueError("the labelled set needs paraphrase pairs and distinct questions")
    return SeparationStats(float((pairs >= threshold).mean()), float((others >= threshold).mean()),
                           float(np.median(pairs)), float(np.median(others)))


@dataclass(frozen=True)
class CacheResult:
    """Outcome of one request stream.

    Attributes
    ----------
    requests, hits, correct_hits, wrong_hits, misses : int
        Counts; ``hits = correct_hits + wrong_hits`` and ``hits + misses = requests``.
    """

    requests: int
    hits: int
    correct_hits: int
    wrong_hits: int
    misses: int

    @property
    def hit_rate(self) -> float:
        """Share of requests answered from the cache."""
        return self.hits / self.requests

    @property
    def wrong_rate(self) -> float:
        """Share of requests answered with another question's answer."""
        return self.wrong_hits / self.requests

    @property
    def correct_rate(self) -> float:
        """Share of requests answered from the cache with their own question's answer."""
        return self.correct_hits / self.requests

    @property
    def miss_rate(self) -> float:
        """Share of requests sent to the LLM."""
        return self.misses / self.requests

    @property
    def wrong_per_1k(self) -> float:
        """Wrong answers per 1,000 requests (``1000 · wrong_rate``)."""
        return 1000.0 * self.wrong_rate

    @property
    def precision(self) -> float:
        """Share of cache hits that were correct (1 with no hits)."""
        return self.correct_hits / self.hits if self.hits else 1.0


def simulate(stream: Sequence[int], sims: np.ndarray, same: np.ndarray, threshold: float) -> CacheResult:
    """Replay ``stream`` through a semantic cache.

    Parameters
    ----------
    stream : sequence of int
        Query indices in arrival order.
    sims : (n, n) array
        Query–query cosine similarity (:func:`similarity_matrix`).
    same : (n, n) bool array
        Which queries ask the same thing (:func:`equivalence`).
    threshold : float
        Serve from the cache when the nearest cached query has similarity ≥ threshold. The nearest
        cached query is the one with the highest similarity (the first cached on ties).
    """
    if len(stream) == 0:
        raise ValueError("the request stream is empty")
    n = sims.shape[0]
    best = np.full(n, -np.inf)
    nearest = np.full(n, -1)
    cached = np.zeros(n, dtype=bool)
    hits = correct = 0
    for query in stream:
        if best[query] >= threshold:
            hits += 1
            correct += bool(same[query, nearest[query]])
            continue
        if not cached[query]:
            cached[query] = True
            better = sims[:, query] > best
            best[better] = sims[better, query]
            nearest[better] = query
    return CacheResult(len(stream), hits, correct, hits - correct, len(stream) - hits)


def exact_match(stream: Sequence[int], texts: Sequence[str]) -> CacheResult:
    """The naive cache: a hit only when the same normalised text was asked before (never wrong)."""
    if len(stream) == 0:
        raise ValueError("the request stream is empty")
    seen: set[str] = set()
    hits = 0
    for query in stream:
        key = " ".join(texts[query].lower().split())
        if key in seen:
            hits += 1
        seen.add(key)
    return CacheResult(len(stream), hits, hits, 0, len(stream) - hits)


def cost_per_1k(result: CacheResult, llm_cost: float, wrong_cost: float, lookup_cost: float = 0.0) -> float:
    """Dollars per 1,000 requests: ``1000 · (miss_rate · llm_cost + wrong_rate · wrong_cost
    + lookup_cost)``.

    Parameters
    ----------
    llm_cost : float
        Dollars per LLM call (a cache miss).
    wrong_cost : float
        Dollars a wrong cached answer costs the business (a support ticket, a lost user).
    lookup_cost : float
        Dollars per cache lookup (embedding + vector search), paid by every request.
    """
    if min(llm_cost, wrong_cost, lookup_cost) < 0:
        raise ValueError("costs cannot be negative")
    return 1000.0 * (result.miss_rate * llm_cost + result.wrong_rate * wrong_cost + lookup_cost)


def no_cache_cost_per_1k(llm_cost: float) -> float:
    """Dollars per 1,000 requests without a cache: every request calls the LLM (``1000 · llm_cost``)."""
    if llm_cost < 0:
        raise ValueError("costs cannot be negative")
    return 1000.0 * llm_cost


def sweep(stream: Sequence[int], sims: np.ndarray, same: np.ndarray,
          thresholds: Sequence[float]) -> list[CacheResult]:
    """:func:`simulate` at each threshold."""
    return [simulate(stream, sims, same, float(t)) for t in thresholds]


@dataclass(frozen=True)
class CacheSweep:
    """One request stream replayed at every threshold, and through the exact-match cache.

    Attributes
    ----------
    thresholds : array
        The thresholds, ascending.
    results : list of CacheResult
        :func:`simulate` at each threshold.
    exact : CacheResult
        :func:`exact_match` on the same stream.
    """

    thresholds: np.ndarray
    results: list[CacheResult]
    exact: CacheResult

    def index(self, threshold: float) -> int:
        """Position of the swept threshold nearest ``threshold`` (the first on a tie)."""
        return int(np.argmin(np.abs(np.asarray(self.thresholds) - threshold)))

    def at(self, threshold: float) -> CacheResult:
        """The result at the swept threshold nearest ``threshold``."""
        return self.results[self.index(threshold)]

    def costs(self, llm_cost: float, wrong_cost: float) -> list[float]:
        """:func:`cost_per_1k` at each threshold (dollars per 1,000 requests)."""
        return [cost_per_1k(r, llm_cost, wrong_cost) for r in self.results]

    def cheapest(self, llm_cost: float, wrong_cost: float) -> float:
        """The threshold with the lowest :func:`cost_per_1k` (the lowest such threshold on a tie)."""
        return float(self.thresholds[int(np.argmin(self.costs(llm_cost, wrong_cost)))])


def replay(stream: Sequence[int], sims: np.ndarray, same: np.ndarray, texts: Sequence[str],
           thresholds: Sequence[float] = THRESHOLDS) -> CacheSweep:
    """:func:`sweep` over ``thresholds`` and :func:`exact_match`, for one stream."""
    return CacheSweep(np.asarray(thresholds, dtype=float), sweep(stream, sims, same, thresholds),
                      exact_match(stream, texts))
