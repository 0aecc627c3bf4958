"""Sizing an embedding store: N items × d dims × bytes per value × replicas, and its shards.

All sizes are in bytes; GB means 10^9 bytes (the unit of the back-of-the-envelope answer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum



class Dtype(StrEnum):
    """How a vector is stored (values: what share links and presets carry; show :data:`DTYPE_LABELS`)."""

    FP32 = "fp32"
    FP16 = "fp16"
    INT8 = "int8"
    PQ = "PQ"


class Overhead(StrEnum):
    """The index structure stored beside the vectors (values: what share links and presets carry,
    kept as they were so old links still open; show :data:`OVERHEAD_LABELS`)."""

    NONE = "none"
    IVF_LISTS = "IVF lists"
    HNSW_GRAPH = "HNSW graph"


DTYPES: tuple[Dtype, ...] = tuple(Dtype)
OVERHEADS: tuple[Overhead, ...] = tuple(Overhead)
DTYPE_LABELS: dict[Dtype, str] = {Dtype.FP32: "fp32", Dtype.FP16: "fp16", Dtype.INT8: "int8", Dtype.PQ: "PQ"}
OVERHEAD_LABELS: dict[Overhead, str] = {Overhead.NONE: "none", Overhead.IVF_LISTS: "IVF lists",
                                        Overhead.HNSW_GRAPH: "HNSW graph"}
GB = 1e9


def bytes_per_vector(d: int, dtype: str, pq_m: int = 16, nbits: int = 8) -> float:
    """Bytes to store one d-dimensional vector.

    fp32: 4d, fp16: 2d, int8 (scalar quantizer with per-dimension ranges): d,
    PQ: ceil(m · nbits / 8) (m sub-quantizer codes of nbits each; ``pq_m`` must divide ``d``).
    """
    if d < 1:
        raise ValueError(f"dimension d ({d}) must be at least 1")
    if dtype == Dtype.FP32:
        return 4.0 * d
    if dtype == Dtype.FP16:
        return 2.0 * d
    if dtype == Dtype.INT8:
        return 1.0 * d
    if dtype == Dtype.PQ:
        if pq_m < 1 or d % pq_m:
            raise ValueError(f"PQ m ({pq_m}) must divide the dimension d ({d})")
        if not 1 <= nbits <= 16:
            raise ValueError(f"PQ nbits ({nbits}) must be between 1 and 16")
        return float(math.ceil(pq_m * nbits / 8))
    raise ValueError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}")


def overhead_per_vector(kind: str, M: int = 32) -> float:
    """Index structure bytes per vector on top of the stored vector.

    "IVF lists": an int64 id per vector in its inverted list (8 bytes).
    "HNSW graph" (FAISS layout): 2M int32 neighbours on level 0, M on each upper level with
    P(level >= l) = M^-l, so 4·(2M + M/(M-1)) bytes, plus a 4-byte level and an 8-byte offset.
    """
    if kind == Overhead.NONE:
        return 0.0
    if kind == Overhead.IVF_LISTS:
        return 8.0
    if kind == Overhead.HNSW_GRAPH:
        if M < 2:
            raise ValueError(f"HNSW M ({M}) must be at least 2")
        return 4.0 * (2 * M + M / (M - 1)) + 4.0 + 8.0
    raise ValueError(f"unknown index overhead {kind!r}; choose one of {', '.join(OVERHEADS)}")


@dataclass(frozen=True)
class StoreSize:
    """The size of an embedding store and how it is sharded.

    Attributes
    ----------
    bytes_per_item : float
        Vector plus index overhead, bytes.
    replica_bytes : float
        One full copy of the store (N × bytes_per_item).
    total_bytes : float
        All replicas.
    shards : int
        Machines one replica is split over, at ``usable_fraction`` of each machine's RAM.
    machines : int
        shards × replicas.
    """

    bytes_per_item: float
    replica_bytes: float
    total_bytes: float
    shards: int
    machines: int


def size_store(n: int, d: int, dtype: str = "fp32", replicas: int = 1,
               ram_gb: float = 256.0, usable_fraction: float = 0.7, overhead: str = "none",
               pq_m: int = 16, nbits: int = 8, M: int = 32) -> StoreSize:
    """Memory of N embeddings and the shards/machines needed to hold them in RAM.

    Parameters
    ----------
    n : int
        Items.
    d : int
        Dimension.
    dtype : str
        One of :data:`DTYPES`.
    replicas : int
        Full copies (for QPS and availability).
    ram_gb : float
        RAM per machine, GB.
    usable_fraction : float
        Share of that RAM the index may use (the rest: OS, serving process, headroom).
    overhead : str
        Index structure, one of :data:`OVERHEADS`.
    pq_m, nbits, M : int
        PQ code shape and HNSW M, used when relevant.
    """
    if n < 1:
        raise ValueError(f"the number of items ({n}) must be at least 1")
    if replicas < 1:
        raise ValueError(f"replicas ({replicas}) must be at least 1")
    if ram_gb <= 0:
        raise ValueError("RAM per machine must be positive")
    if not 0 < usable_fraction <= 1:
        raise ValueError(f"usable RAM fraction ({usable_fraction}) must be in (0, 1]")
    per_item = bytes_per_vector(d, dtype, pq_m, nbits) + overhead_per_vector(overhead, M)
    replica = float(n) * per_item
    shards = max(1, math.ceil(replica / (ram_gb * GB * usable_fraction)))
    return StoreSize(per_item, replica, replica * replicas, shards, shards * replicas)


def size_by_dtype(n: int, d: int, replicas: int = 1, ram_gb: float = 256.0,
                  usable_fraction: float = 0.7, overhead: str = "none", pq_m: int = 16,
                  M: int = 32) -> list[tuple[str, StoreSize]]:
    """:func:`size_store` at every storage type of :data:`DTYPES` (8-bit PQ codes), in that order;
    a type that cannot store these vectors (e.g. more PQ sub-quantizers than dimensions) is left out."""
    rows = []
    for dtype in DTYPES:
        try:
            rows.append((dtype, size_store(n, d, dtype, replicas, ram_gb, usable_fraction, overhead, pq_m=pq_m, M=M)))
        except ValueError:
            continue
    return rows


def scan_seconds(n: int, d: int, flops_per_s: float) -> float:
    """Time for one exact (brute-force) query over n vectors: 2·n·d floating-point operations
    at ``flops_per_s``."""
    if flops_per_s <= 0:
        raise ValueError("throughput must be positive")
    return 2.0 * n * d / flops_per_s


SCAN_BUDGET_S = 0.05
"""Seconds per query above which an exact scan cannot serve candidate generation (a budget of a
few tens of ms)."""


@dataclass(frozen=True)
class ExactScan:
    """An exact scan of the store, at the throughput this machine measured.

    Attributes
    ----------
    flops_per_s : float
        Measured brute-force throughput: 2·n·d flops per query × measured QPS (flop/s).
    gflops : float
        The same in GFLOP/s (10^9 flop/s).
    seconds : float
        One query over the store's N × d vectors, s (:func:`scan_seconds`).
    shard_ms : float
        The slice each shard scans when the store is split over ``shards`` machines, ms.
    too_slow : bool
        ``seconds`` above :data:`SCAN_BUDGET_S`.
    """

    flops_per_s: float
    gflops: float
    seconds: float
    shard_ms: float
    too_slow: bool


def exact_scan(measured_n: int, measured_d: int, measured_qps: float, n: int, d: int,
               shards: int) -> ExactScan:
    """Scale a measured exact search (``measured_qps`` queries/s over ``measured_n`` vectors of
    ``measured_d`` dims) to a store of ``n`` × ``d`` split over ``shards`` shards."""
    flops = 2.0 * measured_n * measured_d * measured_qps
    seconds = scan_seconds(n, d, flops)
    return ExactScan(flops, flops / 1e9, seconds, 1000 * seconds / shards, seconds > SCAN_BUDGET_S)


@dataclass(frozen=True)
class ReplicaBars:
    """One replica's size per storage type against one machine's usable RAM (a log-axis chart).

    Attributes
    ----------
    dtypes : list of str
        Storage types, in :data:`DTYPES` order (those that can store the vectors).
    replica_gb : list of float
        One replica per type, GB.
    usable_gb : float
        RAM one machine gives the index, GB.
    log_range : tuple of float
        log10(GB) axis range: half a decade below the smallest bar (or the RAM line) and 0.7 of a
        decade above the largest (room for the bar labels).
    """

    dtypes: list[str]
    replica_gb: list[float]
    usable_gb: float
    log_range: tuple[float, float]


def replica_bars(rows: list[tuple[str, StoreSize]], ram_gb: float, usable_fraction: float) -> ReplicaBars:
    """The chart numbers of :func:`size_by_dtype`'s ``rows`` on machines with ``ram_gb`` GB of
    which ``usable_fraction`` holds the index."""
    gbs = [size.replica_bytes / GB for _, size in rows]
    usable = ram_gb * usable_fraction
    every = gbs + [usable]
    return ReplicaBars([dtype for dtype, _ in rows], gbs, usable,
                       (math.log10(min(every)) - 0.5, math.log10(max(every)) + 0.7))


def power_of_ten(n: float) -> int:
    """The exponent e of the power of ten nearest ``n`` on a log scale (round(log10 n))."""
    if n <= 0:
        raise ValueError(f"{n} has no decimal exponent: it must be positive")
    return round(math.log10(n))


def human_bytes(b: float) -> str:
    """Bytes in the largest decimal unit that keeps the number >= 1 (B, KB, MB, GB, TB, PB)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(b) < 1000:
            return f"{b:.3g} {unit}"
        b /= 1000
    return f"{b:.3g} PB"
