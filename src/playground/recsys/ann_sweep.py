"""A sweep of ANN index settings as lesson 3 shows it: the collection and which index kinds to
sweep, every valid setting measured against exact search, and the numbers read off the sweep
(ratios against exact search, the Pareto front, one bar per built index, the table of settings
and the search-cost formulas' numbers).

Units: QPS in queries per second of one batch search, latency in ms, memory in bytes (MB = 10^6
bytes), build time in s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from playground.recsys import ann
from playground.recsys.ann import IndexKind, IndexSpec, Measurement, Progress

SWEEP_ALL_MAX = 100_000
"""Collections above this many vectors sweep only exact search and the selected kind."""
QUERIES = 300
"""Queries of a synthetic collection of at most :data:`SWEEP_ALL_MAX` vectors (100 above it)."""
LOW_RECALL = 0.9
"""Below this recall@k an ANN setting loses too many true neighbours (the page warns)."""
MB = 1e6


def synthetic_collection(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The synthetic collection and its queries.

    Parameters
    ----------
    n, d : int
        Vectors in the collection and their dimension.
    seed : int
        Seed of the mixture (:func:`playground.recsys.ann.synthetic_vectors`).

    Returns
    -------
    xb : (n, d) float32 array
        The collection.
    xq : (nq, d) float32 array
        Fresh draws from the same mixture: :data:`QUERIES` of them, 100 above :data:`SWEEP_ALL_MAX`
        vectors (fewer exact searches over a large collection).
    """
    nq = QUERIES if n <= SWEEP_ALL_MAX else 100
    return ann.synthetic_vectors(n, d, seed), ann.synthetic_queries(nq, d, seed, ann.default_clusters(n))


def sweep_kinds(kind: IndexKind, n: int) -> list[IndexKind]:
    """Index kinds swept over ``n`` vectors: all of :data:`playground.recsys.ann.KINDS` up to
    :data:`SWEEP_ALL_MAX`, above it exact search and ``kind`` only (in that order)."""
    return list(ann.KINDS) if n <= SWEEP_ALL_MAX else list(dict.fromkeys([IndexKind.FLAT, kind]))


@dataclass(frozen=True)
class Sweep:
    """Every valid setting of a sweep, measured.

    Attributes
    ----------
    measurements : list of Measurement
        One per valid setting, in :func:`playground.recsys.ann.sweep_specs` order.
    exact : Measurement
        The exact (Flat) index's measurement: the reference of every ratio.
    skipped : list of str
        ``"kind: reason"`` for each setting that cannot work on this collection.
    """

    measurements: list[Measurement]
    exact: Measurement
    skipped: list[str]


def measure_sweep(base: IndexSpec, kinds: Sequence[IndexKind], n: int, d: int, k: int,
                  measure_one: Callable[[IndexSpec], Measurement], threads: int | None = 1,
                  progress: Progress | None = None) -> Sweep:
    """Measure every valid setting of the sweep around ``base``.

    Parameters
    ----------
    base : IndexSpec
        Build parameters of the swept kinds (:func:`playground.recsys.ann.sweep_specs`).
    kinds : sequence of IndexKind
        Kinds to sweep; exact search is always measured.
    n, d, k : int
        Collection size, dimension and neighbours per query.
    measure_one : callable
        ``measure_one(spec)`` returns the :class:`Measurement` of one setting (e.g. a cached
        build and :func:`playground.recsys.ann.measure` against exact top-k).
    threads : int or None
        FAISS threads while measuring (None: leave as set).
    progress : callable, optional
        ``progress(fraction, message)`` after each setting.
    """
    ann.validate(IndexSpec(kind=IndexKind.FLAT), n, d, k)
    specs, skipped = ann.valid_sweep(base, list(dict.fromkeys([IndexKind.FLAT, *kinds])), n, d, k)
    measurements = []
    for i, spec in enumerate(specs):
        with ann.faiss_threads(threads):
            measurements.append(measure_one(spec))
        if progress:
            progress((i + 1) / len(specs), f"{ann.KIND_LABELS[spec.kind]} measured ({i + 1} / {len(specs)} settings)")
    exact = next(m for m in measurements if m.spec.kind == IndexKind.FLAT)
    return Sweep(measurements, exact, skipped)


@dataclass(frozen=True)
class Against:
    """One setting against exact search.

    Attributes
    ----------
    speedup : float
        QPS of the setting / QPS of exact search (×).
    memory_ratio : float
        Index memory / exact index memory (×).
    missed : float
        Share of the true top-k neighbours the setting does not return (1 − recall).
    low_recall : bool
        An ANN (not exact) setting with recall below :data:`LOW_RECALL`.
    """

    speedup: float
    memory_ratio: float
    missed: float
    low_recall: bool


def against_exact(m: Measurement, exact: Measurement) -> Against:
    """How ``m`` compares with the exact index's measurement ``exact``."""
    return Against(m.qps / exact.qps, m.memory_bytes / exact.memory_bytes, 1 - m.recall,
                   m.recall < LOW_RECALL and m.spec.kind != IndexKind.FLAT)


def fastest_ann(sweep: Sweep, target: float = 0.95) -> tuple[Measurement, float] | None:
    """The fastest ANN (not exact) setting whose recall reaches ``target`` and its speed-up over
    exact search (×), or None when no ANN setting reaches it."""
    best = ann.best_at_recall([m for m in sweep.measurements if m.spec.kind != IndexKind.FLAT], target)
    return None if best is None else (best, best.qps / sweep.exact.qps)


def pareto(measurements: Sequence[Measurement]) -> tuple[list[bool], list[Measurement]]:
    """The Pareto front of recall against QPS (:func:`playground.recsys.ann.pareto_front`): one
    flag per measurement, and the front's measurements in increasing recall (the line to draw)."""
    mask = ann.pareto_front([m.recall for m in measurements], [m.qps for m in measurements]).tolist()
    front = sorted((m for m, on in zip(measurements, mask) if on), key=lambda m: m.recall)
    return mask, front


@dataclass(frozen=True)
class BuiltIndex:
    """One built index of the sweep (search parameters do not change what is built).

    Attributes
    ----------
    kind : IndexKind
    label : str
        Kind and build parameters, e.g. ``"HNSW ((16, 40))"``.
    memory_mb : float
        Serialized index size, MB.
    build_s : float
        Build time, s.
    """

    kind: IndexKind
    label: str
    memory_mb: float
    build_s: float


def built_indexes(measurements: Sequence[Measurement]) -> list[BuiltIndex]:
    """One entry per distinct build (:meth:`IndexSpec.build_key`), in first-seen order, from the
    last measurement of that build."""
    last = {m.spec.build_key(): m for m in measurements}
    return [BuiltIndex(m.spec.kind, m.spec.kind + (f" ({key[1:]})" if len(key) > 1 else ""),
                       m.memory_bytes / MB, m.build_s) for key, m in last.items()]


def table_rows(measurements: Sequence[Measurement]) -> list[dict]:
    """The table of every measured setting: recall@k, QPS, p50/p99 latency (ms), memory (MB),
    build time (s), rounded for display, and whether the setting is on the Pareto front."""
    mask, _ = pareto(measurements)
    return [{"setting": m.label, "recall@k": round(m.recall, 4), "QPS": round(m.qps),
             "p50 ms": round(m.latency_ms_p50, 4), "p99 ms": round(m.latency_ms_p99, 4),
             "memory MB": round(m.memory_bytes / MB, 2), "build s": round(m.build_s, 2), "Pareto": bool(on)}
            for m, on in zip(measurements, mask)]


@dataclass(frozen=True)
class SearchCost:
    """Back-of-the-envelope search cost of a setting over N vectors of dimension d.

    Attributes
    ----------
    ivf_scanned : float
        Vectors an IVF search compares the query with: nprobe / nlist · N.
    hnsw_distances : float
        Distances an HNSW search computes, to first order: efSearch · M · ln N.
    pq_code_bytes : float
        Bytes of one PQ code: m · nbits / 8.
    fp32_bytes : int
        Bytes of one uncompressed vector: 4d.
    """

    ivf_scanned: float
    hnsw_distances: float
    pq_code_bytes: float
    fp32_bytes: int


def search_cost(spec: IndexSpec, n: int, d: int) -> SearchCost:
    """The :class:`SearchCost` numbers of ``spec`` (all its parameters, whatever its kind)."""
    return SearchCost(spec.nprobe / spec.nlist * n, spec.ef_search * spec.M * math.log(n),
                      spec.pq_m * spec.nbits / 8, 4 * d)
