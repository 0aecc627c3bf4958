"""Tables lesson pages 3 and 5 show: the batching table, the valid ANN sweep and the store size per
storage type, against hand-worked numbers and brute-force loops over the core's single-point calls."""

import math

import numpy as np
import pytest

from playground.recsys import ann
from playground.recsys import queueing as qu
from playground.recsys import sizing as sz


def test_batching_table_by_hand():
    lam, s1, c, f, budget = 400.0, 0.02, 5, 0.6, 0.1
    table = qu.batching_table(lam, s1, c, f, budget, [1, 4, 16], seed=0)
    assert list(table["batch B"]) == [1, 4, 16]
    # s_B = s1 (f + (1 - f) B): 20 ms, 20 (0.6 + 1.6) = 44 ms, 20 (0.6 + 6.4) = 140 ms
    assert table["batch time (ms)"].tolist() == pytest.approx([20.0, 44.0, 140.0])
    assert table["throughput / replica (req/s)"].tolist() == pytest.approx([50.0, 4 / 0.044, 16 / 0.14])
    # utilisation = lam s_B / (B c): 400 * 0.02 / 5 = 1.6 (unstable), 400 * 0.044 / 20 = 0.88, 400 * 0.14 / 80 = 0.7
    assert table[f"utilisation at {c}"].tolist() == pytest.approx([1.6, 0.88, 0.7])
    p99 = table[f"p99 at {c} (ms)"]
    assert math.isinf(p99.iloc[0])  # 8 busy servers' worth of work on 5 replicas: no steady state
    assert p99.iloc[1] == pytest.approx(qu.batched(lam, s1, c, 4, f, seed=0).p99 * 1e3)
    needed = [qu.batched_replicas_needed(lam, s1, b, f, budget, seed=0, n=20_000) for b in (1, 4, 16)]
    assert table["replicas for budget"].tolist() == ["none" if n is None else str(n) for n in needed]
    # B = 1 is M/M/c: the count it needs is the smallest c whose Erlang-C p99 fits the budget
    first = next(k for k in range(9, 100) if qu.response_quantile(0.99, lam, 1 / s1, k) <= budget)
    assert table["replicas for budget"].iloc[0] == str(first)


def test_valid_sweep_keeps_what_validates_and_says_why_the_rest_is_left_out():
    base = ann.IndexSpec(kind="IVF-Flat", nlist=128, pq_m=12)
    kept, skipped = ann.valid_sweep(base, list(ann.KINDS), n=100, d=32, k=10)
    everything = ann.sweep_specs(base, list(ann.KINDS))
    brute_kept = []
    for spec in everything:
        try:
            ann.validate(spec, 100, 32, 10)
            brute_kept.append(spec)
        except ValueError:
            pass
    assert kept == brute_kept and len(kept) + len(skipped) == len(everything)
    assert any(s.startswith("IVF-Flat:") for s in skipped)  # 128 cells for 100 vectors
    assert any(s.startswith("IVF-PQ:") for s in skipped)  # 12 sub-quantizers do not divide 32
    assert {s.kind for s in kept} == {"Flat (exact)", "HNSW"}


def test_size_by_dtype_by_hand():
    rows = dict(sz.size_by_dtype(10 ** 9, 128, replicas=2, ram_gb=256, usable_fraction=0.5, pq_m=16))
    assert list(rows) == list(sz.DTYPES)
    assert [rows[t].bytes_per_item for t in ("fp32", "fp16", "int8", "PQ")] == [512, 256, 128, 16]
    assert rows["fp32"].replica_bytes == 512e9
    assert rows["fp32"].shards == math.ceil(512e9 / (256e9 * 0.5)) == 4
    assert rows["fp32"].machines == 8
    assert rows["PQ"].shards == 1  # 16 GB fits in 128 GB usable
    assert [t for t, _ in sz.size_by_dtype(1000, 8, pq_m=16)] == ["fp32", "fp16", "int8"]  # m > d: no PQ
    assert np.isclose(rows["int8"].total_bytes, 2 * 128e9)
