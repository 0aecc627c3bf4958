"""Approximate nearest-neighbour indexes (FAISS) and how to measure them.

Builds FAISS Flat (exact), IVF-Flat (nlist/nprobe), HNSW (M/efConstruction/efSearch) and IVF-PQ
(nlist/nprobe/m/nbits) indexes over a collection of vectors and measures what the system-design
round asks about: recall@k against an exact numpy brute-force search, query latency (one query
at a time) and throughput (a batch), index memory and build time, and the Pareto front of
recall against queries per second across settings (ann-benchmarks style).

Large collections are synthetic: a mixture of *overlapping* anisotropic Gaussian clusters, so
that neighbourhoods mix clusters and recall really trades against speed (well separated blobs
make every ANN index trivially exact).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Callable, Sequence

import faiss
import numpy as np


class IndexKind(StrEnum):
    """The index families. Code compares members, never display text; the values are what a share
    link or preset carries (kept as they were, so old links still open); show :data:`KIND_LABELS`."""

    FLAT = "Flat (exact)"
    IVF_FLAT = "IVF-Flat"
    HNSW = "HNSW"
    IVF_PQ = "IVF-PQ"


KINDS: tuple[IndexKind, ...] = tuple(IndexKind)
KIND_LABELS: dict[IndexKind, str] = {IndexKind.FLAT: "Flat (exact)", IndexKind.IVF_FLAT: "IVF-Flat",
                                     IndexKind.HNSW: "HNSW", IndexKind.IVF_PQ: "IVF-PQ"}
MAX_N = 1_000_000

Progress = Callable[[float, str], None]


# ---- data ------------------------------------------------------------------------------------
def synthetic_vectors(n: int, d: int, seed: int, n_clusters: int | None = None,
                      spread: float = 1.5, chunk: int = 100_000) -> np.ndarray:
    """Vectors from a mixture of overlapping, anisotropic Gaussian clusters (float32).

    Parameters
    ----------
    n : int
        Number of vectors.
    d : int
        Dimension.
    seed : int
        Seed; the same seed gives the same vectors. The clusters depend on ``(d, seed)`` only,
        so queries drawn with :func:`synthetic_queries` come from the same distribution.
    n_clusters : int, optional
        Number of mixture components (default ``max(16, sqrt(n) / 2)`` capped at 1024).
    spread : float
        Within-cluster standard deviation relative to the spread of the cluster centres
        (1.0 and above: neighbourhoods overlap across clusters).
    chunk : int
        Vectors generated per block (bounds temporary memory).

    Returns
    -------
    numpy.ndarray of shape (n, d), float32
    """
    if n < 1 or d < 1:
        raise ValueError("the collection needs at least one vector of at least one dimension")
    centres, scale = _mixture(d, seed, n_clusters or int(min(1024, max(16, np.sqrt(n) / 2))))
    rng = np.random.default_rng([seed, n, 1])
    out = np.empty((n, d), dtype=np.float32)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        label = rng.integers(0, len(centres), stop - start)
        noise = rng.standard_normal((stop - start, d), dtype=np.float32) * np.float32(spread)
        out[start:stop] = (centres[label] + noise) * scale
    return out


def synthetic_queries(nq: int, d: int, seed: int, n_clusters: int, spread: float = 1.5) -> np.ndarray:
    """Queries from the same mixture as :func:`synthetic_vectors` (a different random stream)."""
    centres, scale = _mixture(d, seed, n_clusters)
    rng = np.random.default_rng([seed, nq, 2])
    label = rng.integers(0, len(centres), nq)
    noise = rng.standard_normal((nq, d), dtype=np.float32) * np.float32(spread)
    return ((centres[label] + noise) * scale).astype(np.float32)


def default_clusters(n: int) -> int:
    """The number of mixture components :func:`synthetic_vectors` uses for ``n`` vectors."""
    return int(min(1024, max(16, np.sqrt(n) / 2)))


def _mixture(d: int, seed: int, n_clusters: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, d, 0])
    centres = rng.standard_normal((n_clusters, d), dtype=np.float32)
    # decaying per-dimension scale: a realistic spectrum (low intrinsic dimension)
    scale = (1.0 / np.sqrt(1.0 + np.arange(d, dtype=np.float32))).astype(np.float32)
    return centres, scale


# ---- exact search (the independent reference) ------------------------------------------------
def exact_topk(xb: np.ndarray, xq: np.ndarray, k: int, chunk: int = 65_536) -> np.ndarray:
    """Exact k nearest neighbours by squared L2 distance, brute force in numpy.

    Parameters
    ----------
    xb : (N, d) array
        The collection.
    xq : (nq, d) array
        The queries.
    k : int
        Neighbours per query (``k <= N``).

    Returns
    -------
    (nq, k) int64 array of row indices into ``xb``, nearest first.
    """
    n = len(xb)
    _check_k(k, n)
    xq64 = xq.astype(np.float32)
    best_d = np.full((len(xq), 0), np.inf, dtype=np.float32)
    best_i = np.empty((len(xq), 0), dtype=np.int64)
    q_norm = (xq64 ** 2).sum(1, keepdims=True)
    for start in range(0, n, chunk):
        block = xb[start:start + chunk].astype(np.float32)
        dist = q_norm - 2.0 * xq64 @ block.T + (block ** 2).sum(1)[None, :]
        take = min(k, block.shape[0])
        part = np.argpartition(dist, take - 1, axis=1)[:, :take]
        cand_d = np.concatenate([best_d, np.take_along_axis(dist, part, 1)], axis=1)
        cand_i = np.concatenate([best_i, part + start], axis=1)
        keep = np.argsort(cand_d, axis=1, kind="stable")[:, :k]
        best_d = np.take_along_axis(cand_d, keep, 1)
        best_i = np.take_along_axis(cand_i, keep, 1)
    return best_i


def recall_at_k(found: np.ndarray, truth: np.ndarray, k: int) -> float:
    """Mean over queries of |found[:k] ∩ truth[:k]| / k (recall@k against exact search)."""
    found, truth = np.asarray(found)[:, :k], np.asarray(truth)[:, :k]
    if found.shape != truth.shape:
        raise ValueError("found and truth must have the same number of queries and k")
    hits = [len(np.intersect1d(f[f >= 0], t)) for f, t in zip(found, truth)]
    return float(np.mean(hits) / k)


# ---- index specs and validation --------------------------------------------------------------
@dataclass(frozen=True)
class IndexSpec:
    """One index configuration.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    nlist : int
        IVF: number of k-means cells (inverted lists).
    nprobe : int
        IVF: cells visited per query (search time, no rebuild).
    M : int
        HNSW: neighbours per node in the graph.
    ef_construction : int
        HNSW: candidate list size while building.
    ef_search : int
        HNSW: candidate list size while searching (search time, no rebuild).
    pq_m : int
        IVF-PQ: sub-quantizers; each vector is stored in ``pq_m * nbits / 8`` bytes.
    nbits : int
        IVF-PQ: bits per sub-quantizer code (codebook of ``2**nbits`` centroids).
    """

    kind: IndexKind = IndexKind.HNSW
    nlist: int = 256
    nprobe: int = 8
    M: int = 16
    ef_construction: int = 40
    ef_search: int = 32
    pq_m: int = 16
    nbits: int = 8

    def build_key(self) -> tuple:
        """The parameters that change the built index (search parameters excluded)."""
        if self.kind == IndexKind.IVF_FLAT:
            return (self.kind, self.nlist)
        if self.kind == IndexKind.HNSW:
            return (self.kind, self.M, self.ef_construction)
        if self.kind == IndexKind.IVF_PQ:
            return (self.kind, self.nlist, self.pq_m, self.nbits)
        return (self.kind,)

    def label(self) -> str:
        """Short human-readable description, e.g. ``IVF256,nprobe=8``."""
        if self.kind == IndexKind.IVF_FLAT:
            return f"IVF{self.nlist},nprobe={self.nprobe}"
        if self.kind == IndexKind.HNSW:
            return f"HNSW{self.M},efC={self.ef_construction},efS={self.ef_search}"
        if self.kind == IndexKind.IVF_PQ:
            return f"IVF{self.nlist},PQ{self.pq_m}x{self.nbits},nprobe={self.nprobe}"
        return KIND_LABELS[IndexKind.FLAT]


def _check_k(k: int, n: int) -> None:
    if k < 1:
        raise ValueError(f"k ({k}) must be at least 1")
    if k > n:
        raise ValueError(f"k ({k}) cannot exceed the collection size N ({n}): there are not "
                         f"that many items to return")


def validate(spec: IndexSpec, n: int, d: int, k: int) -> None:
    """Raise ``ValueError`` with a learner-readable sentence if the configuration cannot work."""
    if spec.kind not in KINDS:
        raise ValueError(f"unknown index kind {spec.kind!r}; choose one of {', '.join(KINDS)}")
    if n < 1:
        raise ValueError("the collection is empty")
    if n > MAX_N:
        raise ValueError(f"N ({n:,}) is above this sandbox's limit of {MAX_N:,} vectors")
    _check_k(k, n)
    if spec.kind in (IndexKind.IVF_FLAT, IndexKind.IVF_PQ):
        if spec.nlist < 1:
            raise ValueError(f"nlist ({spec.nlist}) must be at least 1")
        if spec.nlist > n:
            raise ValueError(f"nlist ({spec.nlist}) cannot exceed N ({n}): k-means cannot make "
                             f"more cells than there are vectors")
        if spec.nprobe < 1:
            raise ValueError(f"nprobe ({spec.nprobe}) must be at least 1")
        if spec.nprobe > spec.nlist:
            raise ValueError(f"nprobe ({spec.nprobe}) cannot exceed nlist ({spec.nlist}): there "
                             f"are only {spec.nlist} cells to visit")
    if spec.kind == IndexKind.HNSW:
        if spec.M < 2:
            raise ValueError(f"HNSW M ({spec.M}) must be at least 2")
        if spec.ef_construction < 1 or spec.ef_search < 1:
            raise ValueError("HNSW efConstruction and efSearch must be at least 1")
    if spec.kind == IndexKind.IVF_PQ:
        if spec.pq_m < 1 or d % spec.pq_m:
            raise ValueError(f"PQ m ({spec.pq_m}) must divide the dimension d ({d}): each "
                             f"sub-quantizer encodes d/m = {d / max(spec.pq_m, 1):g} dimensions")
        if not 1 <= spec.nbits <= 16:
            raise ValueError(f"PQ nbits ({spec.nbits}) must be between 1 and 16")
        if 2 ** spec.nbits > n:
            raise ValueError(f"PQ nbits ({spec.nbits}) needs at least 2^{spec.nbits} = "
                             f"{2 ** spec.nbits:,} training vectors; N is {n:,}")


def clamp_nprobe(spec: IndexSpec) -> tuple[IndexSpec, str | None]:
    """Clamp an IVF index's ``nprobe`` to its ``nlist``.

    Visiting more cells than exist is the same search as visiting all of them (FAISS itself caps
    the probes at ``nlist``), so a learner's ``nprobe > nlist`` is clamped rather than refused.

    Returns
    -------
    spec : IndexSpec
        ``spec`` with ``nprobe = min(nprobe, nlist)`` for the IVF kinds (other kinds unchanged).
    note : str or None
        A sentence saying what was clamped, or None when nothing was.
    """
    if spec.kind not in (IndexKind.IVF_FLAT, IndexKind.IVF_PQ) or spec.nprobe <= spec.nlist:
        return spec, None
    return replace(spec, nprobe=spec.nlist), (
        f"nprobe {spec.nprobe} is more cells than the {spec.nlist} the index has: it is clamped to "
        f"nprobe = nlist = {spec.nlist}, which visits every cell (an exhaustive scan of the lists).")


# ---- build and search ----
@contextmanager
def faiss_threads(n: int | None):
    """Run the block with FAISS (OpenMP) limited to ``n`` threads (None: leave as is)."""
    if n is None:
        yield
        return
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(max(1, int(n)))
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


BLAS_FROM = 20
"""FAISS's ``distance_compute_blas_threshold`` while an index trains: exhaustive search computes
distances with one BLAS matrix product unless (queries × dimension) is below it. FAISS 1.15's default,
128,000, is tuned for many threads (facebookresearch/faiss#5022, #5109): on one thread, k-means on
PQ's 4-dimensional sub-vectors compared each point with each centroid pair by pair, and IVF-PQ over
30,000 × 64 (PQ16x8) trained in 9.4 s instead of 0.9 s here, with the same codes and recall."""


@contextmanager
def blas_distances():
    """Run the block with :data:`BLAS_FROM` as FAISS's BLAS threshold (a process-wide setting,
    restored after; it changes the speed of exhaustive search, not which neighbours it finds)."""
    before = faiss.cvar.distance_compute_blas_threshold
    faiss.cvar.distance_compute_blas_threshold = BLAS_FROM
    try:
        yield
    finally:
        faiss.cvar.distance_compute_blas_threshold = before


@dataclass
class Built:
    """A built index with its build time (s) and serialized memory (bytes)."""

    spec: IndexSpec
    index: faiss.Index
    build_s: float
    memory_bytes: int


def index_memory(index: faiss.Index) -> int:
    """Bytes of the index as FAISS serializes it (vectors/codes, graph or lists, quantizers)."""
    return int(faiss.serialize_index(index).nbytes)


def build(spec: IndexSpec, xb: np.ndarray, seed: int = 0, progress: Progress | None = None,
          max_train: int = 100_000) -> Built:
    """Build (train and add) the index described by ``spec`` over ``xb``.

    Training (k-means, PQ codebooks) uses at most ``max_train`` vectors sampled with ``seed``.
    ``progress(fraction, message)`` is called while adding vectors in blocks.
    """
    n, d = xb.shape
    validate(spec, n, d, 1)
    xb = np.ascontiguousarray(xb, dtype=np.float32)
    report = progress or (lambda f, m: None)
    start = time.perf_counter()
    if spec.kind == IndexKind.FLAT:
        index = faiss.IndexFlatL2(d)
    elif spec.kind == IndexKind.HNSW:
        index = faiss.IndexHNSWFlat(d, spec.M)
        index.hnsw.efConstruction = spec.ef_construction
    else:
        quantizer = faiss.IndexFlatL2(d)
        if spec.kind == IndexKind.IVF_FLAT:
            index = faiss.IndexIVFFlat(quantizer, d, spec.nlist)
        else:
            index = faiss.IndexIVFPQ(quantizer, d, spec.nlist, spec.pq_m, spec.nbits)
        index.cp.seed = int(seed)
        if spec.kind == IndexKind.IVF_PQ:
            index.pq.cp.seed = int(seed)
            # PQ k-means in d/m-dim subspaces is the slow part of training: 64 points per centroid
            # and 15 iterations cost little recall and several times less time than the defaults
            index.pq.cp.max_points_per_centroid = 64
            index.pq.cp.niter = 15
        report(0.0, f"training {KIND_LABELS[spec.kind]} (k-means)")
        rng = np.random.default_rng(seed)
        sample = xb if n <= max_train else xb[np.sort(rng.choice(n, max_train, replace=False))]
        with blas_distances():
            index.train(sample)
    blocks = max(1, min(20, n // 20_000))
    edges = np.linspace(0, n, blocks + 1).astype(int)
    for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        report(i / blocks, f"adding vectors {lo:,}–{hi:,} of {n:,}")
        index.add(xb[lo:hi])
    report(1.0, "built")
    build_s = time.perf_counter() - start
    return Built(spec, index, build_s, index_memory(index))


def set_search_params(index: faiss.Index, spec: IndexSpec) -> None:
    """Apply the search-time parameters (nprobe, efSearch) of ``spec`` without rebuilding."""
    if spec.kind in (IndexKind.IVF_FLAT, IndexKind.IVF_PQ):
        index.nprobe = spec.nprobe
    elif spec.kind == IndexKind.HNSW:
        index.hnsw.efSearch = spec.ef_search


@dataclass(frozen=True)
class Measurement:
    """What one index configuration achieves on one query set.

    ``qps`` is queries per wall-clock second of the batch search; ``cpu_qps`` per CPU-second of
    this process (all its threads), which is what a machine shared with other jobs still
    measures faithfully.
    """

    spec: IndexSpec
    recall: float
    qps: float
    latency_ms_p50: float
    latency_ms_p99: float
    build_s: float
    memory_bytes: int
    cpu_qps: float = float("nan")

    @property
    def label(self) -> str:
        return self.spec.label()


def measure(built: Built, spec: IndexSpec, xq: np.ndarray, truth: np.ndarray, k: int,
            n_single: int = 100, repeats: int = 1) -> Measurement:
    """Search ``xq`` with ``built`` at the search parameters of ``spec`` and measure it.

    Parameters
    ----------
    built : Built
        An index built with ``spec.build_key()``.
    xq, truth : arrays
        Queries and their exact top-k (from :func:`exact_topk`).
    k : int
        Neighbours per query.
    n_single : int
        Queries timed one at a time, on one thread, for the latency percentiles (ms).
    repeats : int
        Batch searches timed; QPS is from the fastest.

    Returns
    -------
    Measurement
        recall@k vs exact, batch QPS (wall clock and CPU time), single-query latency p50/p99 (ms), build time (s) and
        index memory (bytes).
    """
    if built.spec.build_key() != spec.build_key():
        raise ValueError(f"index built as {built.spec.label()} cannot be searched as {spec.label()}")
    validate(spec, built.index.ntotal, built.index.d, k)
    set_search_params(built.index, spec)
    xq = np.ascontiguousarray(xq, dtype=np.float32)
    best = best_cpu = np.inf
    for _ in range(max(1, repeats)):
        t0, c0 = time.perf_counter(), time.process_time()
        _, found = built.index.search(xq, k)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    single = []
    with faiss_threads(1):  # one query, one thread: parallelism comes from concurrent requests
        for row in xq[:n_single]:
            t0 = time.perf_counter()
            built.index.search(row[None, :], k)
            single.append(time.perf_counter() - t0)
    single_ms = np.array(single) * 1e3
    return Measurement(spec, recall_at_k(found, truth, k), len(xq) / max(best, 1e-9),
                       float(np.percentile(single_ms, 50)), float(np.percentile(single_ms, 99)),
                       built.build_s, built.memory_bytes, len(xq) / max(best_cpu, 1e-9))


# ---- the Pareto front and the sweep ----------------------------------------------------------
def pareto_front(recall: Sequence[float], qps: Sequence[float]) -> np.ndarray:
    """Boolean mask of the points no other point beats on both recall and QPS (higher is better).

    A point is dominated when another has recall >= and QPS >= with at least one strictly greater.
    """
    r, q = np.asarray(recall, float), np.asarray(qps, float)
    mask = np.ones(len(r), dtype=bool)
    for i in range(len(r)):
        ge = (r >= r[i]) & (q >= q[i])
        gt = (r > r[i]) | (q > q[i])
        mask[i] = not np.any(ge & gt)
    return mask


def sweep_specs(base: IndexSpec, kinds: Sequence[IndexKind] = KINDS) -> list[IndexSpec]:
    """The configurations of the Pareto plot: for each kind, its search parameter swept over
    powers of two (nprobe up to nlist; efSearch 8 … 512), build parameters from ``base``."""
    specs: list[IndexSpec] = []
    for kind in kinds:
        spec = replace(base, kind=kind)
        if kind in (IndexKind.IVF_FLAT, IndexKind.IVF_PQ):
            probes = [p for p in (1, 2, 4, 8, 16, 32, 64, 128, 256) if p <= spec.nlist]
            specs += [replace(spec, nprobe=p) for p in probes]
        elif kind == IndexKind.HNSW:
            specs += [replace(spec, ef_search=e) for e in (8, 16, 32, 64, 128, 256, 512)]
        else:
            specs.append(spec)
    return specs


def valid_sweep(base: IndexSpec, kinds: Sequence[IndexKind], n: int, d: int, k: int) -> tuple[list[IndexSpec], list[str]]:
    """The :func:`sweep_specs` configurations that can work on ``n`` vectors of dimension ``d``
    at this ``k``, and for each one left out, ``"kind: reason"`` (from :func:`validate`)."""
    kept, skipped = [], []
    for spec in sweep_specs(base, kinds):
        try:
            validate(spec, n, d, k)
            kept.append(spec)
        except ValueError as err:
            skipped.append(f"{KIND_LABELS[spec.kind]}: {err}")
    return kept, skipped


def best_at_recall(measurements: Sequence[Measurement], target: float) -> Measurement | None:
    """The fastest (highest QPS) measurement whose recall reaches ``target``, or None."""
    ok = [m for m in measurements if m.recall >= target]
    return max(ok, key=lambda m: m.qps) if ok else None
