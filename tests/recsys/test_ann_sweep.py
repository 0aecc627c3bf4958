"""Lesson 3's sweep of ANN settings (playground.recsys.ann_sweep): measured against a brute-force
scipy/numpy reference on a small collection, and every number read off the sweep by hand."""

import math

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from playground.recsys import ann
from playground.recsys import ann_sweep as sw
from playground.recsys.ann import IndexKind, IndexSpec, Measurement

N, D, K = 3000, 16, 5


def _m(spec: IndexSpec, recall: float, qps: float, memory: int = 1_000_000, build_s: float = 0.5,
       p50: float = 0.1, p99: float = 0.2) -> Measurement:
    return Measurement(spec, recall, qps, p50, p99, build_s, memory)


def test_synthetic_collection_draws_fewer_queries_above_the_sweep_limit():
    xb, xq = sw.synthetic_collection(2000, 8, seed=4)
    assert xb.shape == (2000, 8) and xq.shape == (300, 8)
    np.testing.assert_array_equal(xb, ann.synthetic_vectors(2000, 8, 4))
    big, few = sw.synthetic_collection(sw.SWEEP_ALL_MAX + 1, 2, seed=4)
    assert big.shape == (100_001, 2) and few.shape == (100, 2)


def test_sweep_kinds_by_hand():
    assert sw.sweep_kinds(IndexKind.HNSW, 100_000) == list(ann.KINDS)
    assert sw.sweep_kinds(IndexKind.HNSW, 100_001) == [IndexKind.FLAT, IndexKind.HNSW]
    assert sw.sweep_kinds(IndexKind.FLAT, 300_000) == [IndexKind.FLAT]


@pytest.fixture(scope="module")
def collection():
    xb = ann.synthetic_vectors(N, D, seed=1)
    xq = ann.synthetic_queries(60, D, seed=1, n_clusters=ann.default_clusters(N))
    # independent reference: scipy's float64 distances, fully sorted
    truth = np.argsort(cdist(xq.astype(np.float64), xb.astype(np.float64), "sqeuclidean"), axis=1, kind="stable")[:, :K]
    return xb, xq, truth


def test_measure_sweep_measures_every_valid_setting_against_brute_force(collection):
    xb, xq, truth = collection
    builds, reports = {}, []

    def measure_one(spec):
        key = spec.build_key()
        builds.setdefault(key, ann.build(spec, xb, seed=0))
        return ann.measure(builds[key], spec, xq, truth, K, n_single=3)

    base = IndexSpec(kind=IndexKind.IVF_FLAT, nlist=16, pq_m=12)  # 12 does not divide 16: no IVF-PQ
    result = sw.measure_sweep(base, (IndexKind.IVF_FLAT, IndexKind.IVF_PQ), N, D, K, measure_one,
                              progress=lambda f, msg: reports.append(f))
    assert [m.spec.kind for m in result.measurements] == [IndexKind.FLAT] + [IndexKind.IVF_FLAT] * 5
    assert [m.spec.nprobe for m in result.measurements[1:]] == [1, 2, 4, 8, 16]
    assert result.exact is result.measurements[0]
    assert result.exact.recall == pytest.approx(1.0, abs=0.01)  # float32 ties may swap at the k-th place
    assert result.measurements[-1].recall == pytest.approx(1.0, abs=0.01)  # nprobe = nlist: every cell
    assert result.measurements[1].recall < result.measurements[-1].recall
    assert len(result.skipped) == 5 and all(s.startswith("IVF-PQ: PQ m (12) must divide") for s in result.skipped)
    assert reports == pytest.approx([i / 6 for i in range(1, 7)])
    with pytest.raises(ValueError, match="cannot exceed the collection size"):
        sw.measure_sweep(base, ann.KINDS, 10, D, 11, measure_one)


def test_ratios_against_exact_by_hand():
    exact = _m(IndexSpec(kind=IndexKind.FLAT), 1.0, 200.0, memory=4_000_000)
    ivf = _m(IndexSpec(kind=IndexKind.IVF_FLAT), 0.8, 3000.0, memory=5_000_000)
    vs = sw.against_exact(ivf, exact)
    assert (vs.speedup, vs.memory_ratio, vs.missed, vs.low_recall) == pytest.approx((15.0, 1.25, 0.2, True))
    assert not sw.against_exact(_m(IndexSpec(kind=IndexKind.HNSW), 0.9, 1.0), exact).low_recall
    assert not sw.against_exact(_m(IndexSpec(kind=IndexKind.FLAT), 0.5, 1.0), exact).low_recall  # exact is exact


def test_fastest_ann_leaves_exact_search_out():
    exact = _m(IndexSpec(kind=IndexKind.FLAT), 1.0, 5000.0)
    slow, fast = _m(IndexSpec(kind=IndexKind.HNSW), 0.99, 400.0), _m(IndexSpec(kind=IndexKind.IVF_FLAT), 0.96, 1000.0)
    low = _m(IndexSpec(kind=IndexKind.IVF_PQ), 0.5, 9000.0)
    best, speedup = sw.fastest_ann(sw.Sweep([exact, slow, fast, low], exact, []))
    assert best is fast and speedup == pytest.approx(0.2)
    assert sw.fastest_ann(sw.Sweep([exact, low], exact, [])) is None


def test_pareto_front_in_recall_order_by_hand():
    spec = IndexSpec()
    ms = [_m(spec, r, q) for r, q in zip([0.5, 0.9, 0.9, 0.99, 0.4, 1.0], [1000, 500, 400, 100, 900, 100])]
    mask, front = sw.pareto(ms)
    assert mask == [True, True, False, False, False, True]
    assert [m.recall for m in front] == [0.5, 0.9, 1.0]


def test_one_bar_per_built_index_and_the_table_by_hand():
    ivf = IndexSpec(kind=IndexKind.IVF_FLAT, nlist=64, nprobe=1)
    ms = [_m(IndexSpec(kind=IndexKind.FLAT), 1.0, 100.0, memory=2_048_000, build_s=0.01),
          _m(ivf, 0.6, 900.0, memory=2_500_000, build_s=0.3),
          _m(IndexSpec(kind=IndexKind.IVF_FLAT, nlist=64, nprobe=8), 0.9, 400.0, memory=2_500_000, build_s=0.3),
          _m(IndexSpec(kind=IndexKind.HNSW, M=16, ef_construction=40), 0.97, 800.0, memory=3_000_000, build_s=1.2)]
    bars = sw.built_indexes(ms)
    assert [b.label for b in bars] == ["Flat (exact)", "IVF-Flat ((64,))", "HNSW ((16, 40))"]
    assert [b.memory_mb for b in bars] == pytest.approx([2.048, 2.5, 3.0])
    assert [b.kind for b in bars] == [IndexKind.FLAT, IndexKind.IVF_FLAT, IndexKind.HNSW]
    rows = sw.table_rows(ms)
    assert rows[1] == {"setting": "IVF64,nprobe=1", "recall@k": 0.6, "QPS": 900, "p50 ms": 0.1, "p99 ms": 0.2,
                       "memory MB": 2.5, "build s": 0.3, "Pareto": True}
    assert [r["Pareto"] for r in rows] == [True, True, False, True]  # IVF nprobe 8 is beaten by HNSW


def test_search_cost_by_hand():
    spec = IndexSpec(kind=IndexKind.HNSW, nlist=128, nprobe=8, M=16, ef_search=32, pq_m=16, nbits=8)
    cost = sw.search_cost(spec, 30_000, 64)
    assert cost.ivf_scanned == 1875.0  # 8 / 128 × 30,000
    assert cost.hnsw_distances == pytest.approx(32 * 16 * np.log(30_000))  # ≈ 5,278
    assert cost.pq_code_bytes == 16.0 and cost.fp32_bytes == 256
    assert sw.search_cost(IndexSpec(pq_m=1, nbits=4), 100, 8).pq_code_bytes == 0.5
    assert math.isclose(sw.search_cost(IndexSpec(M=2, ef_search=1), 1, 8).hnsw_distances, 0.0)
