from dataclasses import replace

import numpy as np
import pytest

from playground.recsys import ann

N, D, K = 8_000, 32, 10


@pytest.fixture(scope="module")
def data():
    xb = ann.synthetic_vectors(N, D, seed=3)
    xq = ann.synthetic_queries(200, D, seed=3, n_clusters=ann.default_clusters(N))
    return xb, xq, ann.exact_topk(xb, xq, K)


def _loop_topk(xb, xq, k):
    """Independent reference: one query at a time, full sort of exact float64 distances."""
    out = []
    for q in xq.astype(np.float64):
        dist = ((xb.astype(np.float64) - q) ** 2).sum(1)
        out.append(np.argsort(dist, kind="stable")[:k])
    return np.array(out)


def test_exact_topk_matches_a_per_query_full_sort():
    xb = ann.synthetic_vectors(3000, 16, seed=0)
    xq = ann.synthetic_queries(40, 16, seed=0, n_clusters=ann.default_clusters(3000))
    fast = ann.exact_topk(xb, xq, 7, chunk=500)  # several chunks exercise the merge
    ref = _loop_topk(xb, xq, 7)
    assert ann.recall_at_k(fast, ref, 7) == 1.0
    assert fast.shape == (40, 7)


def test_recall_at_k_by_hand():
    truth = np.array([[0, 1, 2], [3, 4, 5]])
    found = np.array([[2, 9, 0], [8, 7, -1]])
    assert ann.recall_at_k(found, truth, 3) == pytest.approx((2 / 3 + 0) / 2)
    assert ann.recall_at_k(truth, truth, 2) == 1.0


def test_synthetic_data_is_seeded_and_overlapping(data):
    xb, _, truth = data
    np.testing.assert_array_equal(xb, ann.synthetic_vectors(N, D, seed=3))
    assert not np.array_equal(xb, ann.synthetic_vectors(N, D, seed=4))
    assert xb.dtype == np.float32 and xb.shape == (N, D)


def test_flat_index_is_exact(data):
    xb, xq, truth = data
    built = ann.build(ann.IndexSpec(kind="Flat (exact)"), xb)
    m = ann.measure(built, built.spec, xq, truth, K, n_single=5)
    assert m.recall == pytest.approx(1.0, abs=0.002)  # float ties may swap at the k-th place
    assert m.qps > 0 and m.cpu_qps > 0 and m.latency_ms_p50 <= m.latency_ms_p99
    assert built.memory_bytes >= N * D * 4


def test_recall_trades_against_speed_on_overlapping_data(data):
    """The lesson's point: few probes miss neighbours; more probes recover them (monotone)."""
    xb, xq, truth = data
    base = ann.IndexSpec(kind="IVF-Flat", nlist=64)
    built = ann.build(base, xb, seed=0)
    recalls = [ann.measure(built, replace(base, nprobe=p), xq, truth, K, n_single=5).recall
               for p in (1, 4, 16, 64)]
    assert recalls[0] < 0.8, "one probe should miss neighbours on overlapping clusters"
    assert all(a <= b + 1e-9 for a, b in zip(recalls, recalls[1:]))
    assert recalls[-1] == pytest.approx(1.0, abs=0.002)  # nprobe = nlist visits every cell


def test_nprobe_above_nlist_is_clamped_and_searches_like_faiss_does(data):
    """FAISS caps the probes at nlist itself: the clamped spec must give the same neighbours as the
    raw index asked for more probes than cells, and recall 1 against brute force."""
    xb, xq, truth = data
    asked = ann.IndexSpec(kind="IVF-Flat", nlist=16, nprobe=64)
    spec, note = ann.clamp_nprobe(asked)
    assert spec == replace(asked, nprobe=16)
    assert "nprobe 64" in note and "16" in note and "clamped" in note
    ann.validate(spec, N, D, K)  # the clamped spec is valid; the asked one is not
    with pytest.raises(ValueError):
        ann.validate(asked, N, D, K)
    built = ann.build(spec, xb, seed=0)
    built.index.nprobe = 64
    _, raw = built.index.search(xq, K)
    ann.set_search_params(built.index, spec)
    _, clamped = built.index.search(xq, K)
    np.testing.assert_array_equal(raw, clamped)
    assert ann.recall_at_k(clamped, truth, K) == pytest.approx(1.0, abs=0.002)


@pytest.mark.parametrize("spec", [ann.IndexSpec(kind="IVF-PQ", nlist=64, nprobe=64),
                                  ann.IndexSpec(kind="IVF-Flat", nlist=64, nprobe=8),
                                  ann.IndexSpec(kind="HNSW", nlist=16, nprobe=64)])
def test_nothing_to_clamp(spec):
    assert ann.clamp_nprobe(spec) == (spec, None)


def test_hnsw_and_pq_recall_against_brute_force(data):
    xb, xq, truth = data
    hnsw = ann.IndexSpec(kind="HNSW", M=16, ef_construction=40)
    built = ann.build(hnsw, xb)
    low = ann.measure(built, replace(hnsw, ef_search=4), xq, truth, K, n_single=5).recall
    high = ann.measure(built, replace(hnsw, ef_search=256), xq, truth, K, n_single=5).recall
    assert low < high and high > 0.95
    pq = ann.IndexSpec(kind="IVF-PQ", nlist=32, nprobe=32, pq_m=4, nbits=8)
    m = ann.measure(ann.build(pq, xb), pq, xq, truth, K, n_single=5)
    assert m.recall < 0.9  # 4-byte codes lose the fine ranking even when every cell is visited
    assert m.memory_bytes < N * D * 4 / 4


@pytest.mark.parametrize("spec,n,d,k,match", [
    (ann.IndexSpec(kind="IVF-Flat", nlist=16, nprobe=64), 1000, 32, 10, r"nprobe \(64\) cannot exceed nlist \(16\)"),
    (ann.IndexSpec(kind="IVF-PQ", nlist=16, nprobe=4, pq_m=12), 1000, 32, 10, r"PQ m \(12\) must divide"),
    (ann.IndexSpec(kind="Flat (exact)"), 100, 32, 101, r"k \(101\) cannot exceed the collection size N \(100\)"),
    (ann.IndexSpec(kind="IVF-Flat", nlist=200), 100, 32, 10, r"nlist \(200\) cannot exceed N \(100\)"),
    (ann.IndexSpec(kind="IVF-PQ", nlist=4, nprobe=1, pq_m=4, nbits=12), 1000, 32, 10, r"2\^12"),
    (ann.IndexSpec(kind="HNSW", M=1), 100, 32, 10, r"M \(1\)"),
    (ann.IndexSpec(kind="LSH"), 100, 32, 10, r"unknown index kind"),
    (ann.IndexSpec(), ann.MAX_N + 1, 32, 10, r"limit"),
])
def test_bad_parameters_raise_a_readable_error(spec, n, d, k, match):
    with pytest.raises(ValueError, match=match):
        ann.validate(spec, n, d, k)


def test_build_key_ignores_search_parameters():
    a = ann.IndexSpec(kind="HNSW", ef_search=8)
    assert a.build_key() == replace(a, ef_search=512, nprobe=3).build_key()
    assert a.build_key() != replace(a, M=32).build_key()
    ivf = ann.IndexSpec(kind="IVF-Flat", nlist=64, nprobe=1)
    assert ivf.build_key() == replace(ivf, nprobe=64).build_key()


def test_pareto_front_by_hand():
    recall = [0.5, 0.9, 0.9, 0.99, 0.4, 1.0]
    qps = [1000, 500, 400, 100, 900, 100]
    assert ann.pareto_front(recall, qps).tolist() == [True, True, False, False, False, True]


def test_sweep_specs_and_best_at_recall():
    specs = ann.sweep_specs(ann.IndexSpec(nlist=16))
    ivf = [s.nprobe for s in specs if s.kind == "IVF-Flat"]
    assert ivf == [1, 2, 4, 8, 16]
    assert sum(s.kind == "Flat (exact)" for s in specs) == 1
    ms = [ann.Measurement(s, r, q, 0, 0, 0, 0) for s, r, q in
          zip(specs[:3], [0.96, 0.99, 0.5], [100, 50, 1000])]
    assert ann.best_at_recall(ms, 0.95).qps == 100
    assert ann.best_at_recall(ms, 0.999) is None


def test_measure_refuses_an_index_built_differently(data):
    xb, xq, truth = data
    built = ann.build(ann.IndexSpec(kind="IVF-Flat", nlist=8), xb[:2000])
    with pytest.raises(ValueError, match="cannot be searched"):
        ann.measure(built, ann.IndexSpec(kind="IVF-Flat", nlist=16), xq, truth, K)


def test_ivfpq_trained_with_blas_distances_equals_the_default_path_and_restores_it(data, monkeypatch):
    import faiss

    xb, xq, _ = data
    spec = ann.IndexSpec(kind="IVF-PQ", nlist=16, nprobe=4, pq_m=8, nbits=8)  # 4-dim sub-vectors
    before = faiss.cvar.distance_compute_blas_threshold
    fast = ann.build(spec, xb, seed=0)
    assert faiss.cvar.distance_compute_blas_threshold == before
    monkeypatch.setattr(ann, "BLAS_FROM", before)  # train as FAISS would by default
    slow = ann.build(spec, xb, seed=0)
    for built in (fast, slow):
        ann.set_search_params(built.index, spec)
    d_fast, i_fast = fast.index.search(xq, K)
    d_slow, i_slow = slow.index.search(xq, K)
    assert (i_fast == i_slow).all() and np.allclose(d_fast, d_slow, rtol=1e-4)
