"""Requirements model against a hand-worked example."""

import pytest

from playground.rag import requirements as rq


def test_hand_worked_defaults():
    s = rq.size(rq.Requirements())
    # ceil((1500 - 32) / (256 - 32)) = ceil(6.55) = 7 chunks per document
    assert s.chunks_per_doc == 7 and s.n_chunks == 7_000_000
    # 6 full windows of 256 starting at 0, 224, ..., 1120 and a last one of 1500 - 1344 = 156:
    # 6 * 256 + 156 = 1692 = 1500 + 6 * 32 tokens per document (not 7 * 256 = 1792)
    assert s.doc_chunk_tokens == 1692
    assert s.vector_gb == pytest.approx(7e6 * 384 * 4 / 1e9)          # 10.752 GB
    assert s.index_gb == pytest.approx(10.752 + 1e6 * 1692 * 4 / 1e9)  # + 6.768 GB of text
    assert s.reindex_hours == pytest.approx(7e6 / 800 / 3600)         # 2.43 h at 4 x 200 chunks/s
    assert s.prompt_tokens == 5 * 256 + 200
    assert s.monthly_llm_cost == pytest.approx(10 * 2_592_000 * (5 * 256 + 200 + 300) / 1e6 * 0.5)
    assert s.monthly_index_cost == pytest.approx((10.752 + 6.768) * 2 * 5)
    assert s.monthly_embed_cost == pytest.approx(1e6 * 0.02 * 30 * 1692 / 1e6 * 0.02)
    assert s.embed_cost_full == pytest.approx(1e6 * 1692 / 1e6 * 0.02)
    assert s.flat_scan_ms == pytest.approx(7e6 * 384 * 2 / 2e10 * 1e3)  # 268.8 ms > 20 % of 300 ms
    assert s.components["ANN index (HNSW / IVF) instead of exact scan"]
    assert s.components["Incremental indexing (a full rebuild misses the freshness target)"]
    assert not s.components["Sharded index"] and s.shards == 1
    assert s.warnings == ()
    assert s.over_budget == pytest.approx(s.monthly_total - 30_000) and s.over_budget < 0
    assert s.shard_gb == pytest.approx(0.7 * 64)


def test_a_short_document_is_one_chunk_of_its_own_length():
    s = rq.size(rq.Requirements(doc_tokens=100, chunk_tokens=256, overlap_tokens=32))
    assert s.chunks_per_doc == 1 and s.doc_chunk_tokens == 100  # not 256: 2.56x less text
    assert s.embed_tokens == 1e6 * 100
    assert s.prompt_tokens == 5 * 100 + 200  # a retrieved chunk holds min(c, T) tokens


@pytest.mark.parametrize("doc,chunk,overlap", [(1500, 256, 32), (256, 256, 0), (257, 256, 0),
                                               (1000, 100, 99), (7, 3, 1), (1, 5, 2), (999, 128, 64)])
def test_chunk_tokens_against_brute_force_windows(doc, chunk, overlap):
    tokens = list(range(doc))
    windows, start = [], 0
    while True:  # slide a window of `chunk` tokens by chunk - overlap until the end is covered
        windows.append(tokens[start:start + chunk])
        if start + chunk >= doc:
            break
        start += chunk - overlap
    assert rq.chunks_per_document(doc, chunk, overlap) == len(windows)
    assert rq.chunk_tokens_per_document(doc, chunk, overlap) == sum(map(len, windows))


def test_small_corpus_needs_less_and_overspend_is_flagged():
    small = rq.size(rq.Requirements(n_docs=1_000, doc_tokens=200, identifiers=False, freshness_hours=24))
    assert small.chunks_per_doc == 1
    assert not small.components["ANN index (HNSW / IVF) instead of exact scan"]
    assert not small.components["BM25 / hybrid retrieval"]
    busy = rq.size(rq.Requirements(qps=200))
    assert busy.warnings and "generation dominates" in busy.warnings[0]
    assert busy.components["Semantic cache in front of the LLM"]
    assert busy.over_budget > 0 and f"by ${busy.over_budget:,.0f};" in busy.warnings[0]
    big = rq.size(rq.Requirements(n_docs=100_000_000))
    assert big.index_gb == pytest.approx(1075.2 + 676.8) and big.shards == 40  # 1752 GB / (0.7 x 64 GB)


def test_bad_inputs():
    with pytest.raises(ValueError, match="overlap"):
        rq.chunks_per_document(1000, 100, 100)
    with pytest.raises(ValueError, match="at least one document"):
        rq.size(rq.Requirements(n_docs=0))
