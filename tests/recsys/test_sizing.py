import math

import pytest

from playground.recsys import ann, sizing


def test_bytes_per_vector_by_hand():
    assert sizing.bytes_per_vector(128, "fp32") == 512
    assert sizing.bytes_per_vector(128, "fp16") == 256
    assert sizing.bytes_per_vector(128, "int8") == 128
    assert sizing.bytes_per_vector(128, "PQ", pq_m=16, nbits=8) == 16
    assert sizing.bytes_per_vector(64, "PQ", pq_m=8, nbits=4) == 4
    with pytest.raises(ValueError, match="divide"):
        sizing.bytes_per_vector(100, "PQ", pq_m=16)
    with pytest.raises(ValueError):
        sizing.bytes_per_vector(64, "bf12")


def test_one_billion_items_by_hand():
    # 1e9 × 128 × 4 B = 512 GB per replica; 256 GB machines at 70 % → 179.2 GB each → 3 shards
    s = sizing.size_store(1_000_000_000, 128, "fp32", replicas=3, ram_gb=256, usable_fraction=0.7)
    assert s.replica_bytes == 512e9
    assert s.total_bytes == 3 * 512e9
    assert s.shards == 3 and s.machines == 9
    pq = sizing.size_store(1_000_000_000, 128, "PQ", replicas=3, ram_gb=256, pq_m=16)
    assert pq.replica_bytes == 16e9 and pq.shards == 1 and pq.machines == 3


def test_shards_round_up_and_overheads():
    s = sizing.size_store(1000, 10, "fp32", ram_gb=40e-9, usable_fraction=1.0)
    assert s.replica_bytes == 40_000 and s.shards == 1000
    hnsw = sizing.overhead_per_vector("HNSW graph", 32)
    assert hnsw == pytest.approx(4 * (64 + 32 / 31) + 12)
    assert sizing.overhead_per_vector("IVF lists") == 8
    with pytest.raises(ValueError):
        sizing.size_store(0, 64)
    with pytest.raises(ValueError):
        sizing.size_store(10, 64, replicas=0)


@pytest.mark.parametrize("spec,overhead,dtype", [
    (ann.IndexSpec(kind="Flat (exact)"), "none", "fp32"),
    (ann.IndexSpec(kind="IVF-Flat", nlist=32), "IVF lists", "fp32"),
    (ann.IndexSpec(kind="HNSW", M=16, ef_construction=16), "HNSW graph", "fp32"),
    (ann.IndexSpec(kind="IVF-PQ", nlist=32, pq_m=8, nbits=8), "IVF lists", "PQ"),
])
def test_formula_matches_faiss_serialized_size(spec, overhead, dtype):
    n, d = 10_000, 32
    built = ann.build(spec, ann.synthetic_vectors(n, d, seed=1))
    est = sizing.size_store(n, d, dtype, overhead=overhead, pq_m=spec.pq_m, nbits=spec.nbits,
                            M=spec.M).replica_bytes
    # FAISS adds headers, coarse centroids and PQ codebooks on top of the per-vector bytes
    fixed = 4 * d * spec.nlist + (4 * d * 2 ** spec.nbits if dtype == "PQ" else 0) + 1000
    assert 0.99 * est <= built.memory_bytes <= est + fixed + 0.01 * est


def test_scan_seconds_and_human_bytes():
    assert sizing.scan_seconds(1_000_000, 64, 1.28e10) == pytest.approx(0.01)
    assert sizing.human_bytes(512e9) == "512 GB"
    assert sizing.human_bytes(1.5e12) == "1.5 TB"
    assert math.isclose(sizing.GB, 1e9)


def test_enums_keep_the_strings_old_links_carry():
    assert [d.value for d in sizing.DTYPES] == ["fp32", "fp16", "int8", "PQ"]
    assert [o.value for o in sizing.OVERHEADS] == ["none", "IVF lists", "HNSW graph"]
    assert sizing.Overhead("HNSW graph") is sizing.Overhead.HNSW_GRAPH and sizing.Dtype("PQ") is sizing.Dtype.PQ
    assert set(sizing.DTYPE_LABELS) == set(sizing.Dtype) and set(sizing.OVERHEAD_LABELS) == set(sizing.Overhead)
    # an old link's plain string still selects the same arithmetic as the member
    assert sizing.overhead_per_vector("IVF lists") == sizing.overhead_per_vector(sizing.Overhead.IVF_LISTS) == 8.0
    assert sizing.bytes_per_vector(64, "fp16") == sizing.bytes_per_vector(64, sizing.Dtype.FP16) == 128.0


def test_exact_scan_scaled_from_a_measured_search_by_hand():
    # 1,000 queries/s over 30,000 × 64: 2 · 30,000 · 64 · 1,000 = 3.84e9 flop/s
    scan = sizing.exact_scan(30_000, 64, 1000.0, 1_000_000_000, 128, shards=3)
    assert scan.flops_per_s == pytest.approx(3.84e9) and scan.gflops == pytest.approx(3.84)
    assert scan.seconds == pytest.approx(2 * 1e9 * 128 / 3.84e9)  # 66.7 s per query
    assert scan.shard_ms == pytest.approx(1000 * 2 * 1e9 * 128 / 3.84e9 / 3)
    assert scan.too_slow
    fast = sizing.exact_scan(30_000, 64, 1000.0, 1_000_000, 64, shards=1)  # 2e6 · 64 / 3.84e9 = 33 ms
    assert fast.seconds == pytest.approx(2 * 1e6 * 64 / 3.84e9) and not fast.too_slow


def test_replica_bars_by_hand():
    rows = sizing.size_by_dtype(1_000_000_000, 128, replicas=2, ram_gb=256, usable_fraction=0.7, pq_m=16)
    bars = sizing.replica_bars(rows, 256, 0.7)
    assert bars.dtypes == ["fp32", "fp16", "int8", "PQ"]
    assert bars.replica_gb == pytest.approx([512, 256, 128, 16])
    assert bars.usable_gb == pytest.approx(179.2)
    assert bars.log_range == pytest.approx((math.log10(16) - 0.5, math.log10(512) + 0.7))
    # the RAM line below every bar sets the bottom of the axis
    low = sizing.replica_bars(sizing.size_by_dtype(10 ** 10, 1024, ram_gb=16, pq_m=16), 16, 0.5)
    assert low.log_range[0] == pytest.approx(math.log10(8) - 0.5)


def test_power_of_ten_by_hand():
    assert [sizing.power_of_ten(n) for n in (10 ** 6, 10 ** 9, 3e9, 5e9, 10 ** 10)] == [6, 9, 9, 10, 10]
    with pytest.raises(ValueError):
        sizing.power_of_ten(0)
