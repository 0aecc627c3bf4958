"""The shipped MaxSim scores of the labelled queries (playground.rag.shipped_maxsim)."""

from __future__ import annotations

import numpy as np
import pytest

from playground import embeddings
from playground.rag import corpus as rc
from playground.rag import index_store as ix
from playground.rag import rerank as rr
from playground.rag import shipped_maxsim as sm


def test_the_shipped_scores_match_the_corpus_and_model_and_cover_every_labelled_query(rag_cache):
    index = ix.build_index()
    table = index.maxsim_table
    assert table is not None, "stale: run python scripts/build_rag_embeddings.py --maxsim"
    assert set(table.rows) == {q.text for q in rc.load_queries()}
    assert table.scores.shape == (len(table.rows), len(index)) and table.scores.dtype == np.float32
    assert np.isfinite(table.scores).all() and np.abs(table.scores).max() <= 1.0 + 1e-6  # means of cosines


def test_a_stale_or_foreign_table_is_ignored(tmp_path):
    path = tmp_path / "maxsim.npz"
    np.savez(path, queries=np.array(["q"]), scores=np.zeros((1, 3), np.float32), key=np.array("k"),
             version=np.array(rr.TOKENS_VERSION))
    assert sm.load(path, "k", 3) is not None
    assert sm.load(path, "another corpus or model", 3) is None
    assert sm.load(path, "k", 4) is None  # another number of passages
    assert sm.load(tmp_path / "missing.npz", "k", 3) is None
    np.savez(path, queries=np.array(["q"]), scores=np.zeros((1, 3), np.float32), key=np.array("k"),
             version=np.array(rr.TOKENS_VERSION - 1))
    assert sm.load(path, "k", 3) is None  # an older token format


def test_a_labelled_rerank_computes_nothing_and_a_visitor_query_only_its_head(rag_cache, monkeypatch):
    index = ix.build_index()
    labelled = next(q.text for q in rc.load_queries() if q.text in ix.shipped_queries().rows)
    monkeypatch.setattr(embeddings, "embed", lambda *a, **k: pytest.fail("the model was used"))
    monkeypatch.setattr(rr, "token_embeddings", lambda *a, **k: pytest.fail("token vectors were computed"))
    hits = index.search("rerank", labelled, 10, rerank_n=50)
    table = index.maxsim_table
    head = [h.passage_id for h in hits]
    expected = table.scores[table.rows[labelled], [index.position[p] for p in head]]
    assert [h.score for h in hits] == expected.tolist() and list(expected) == sorted(expected, reverse=True)
    assert index.prepare("rerank", [labelled], 10, rerank_n=50) == 0 and index.tokens.ready == 0
    assert not index.needs_tokens(labelled) and index.needs_tokens("a question nobody labelled")


@pytest.mark.slow  # MiniLM: the token vectors of 24 passages and 3 queries
def test_shipped_scores_agree_with_a_live_computation(rag_cache):
    index = ix.build_index()
    table = index.maxsim_table
    rng = np.random.default_rng(0)
    queries = [rc.load_queries()[i].text for i in rng.choice(len(table.rows), 3, replace=False)]
    rows = sorted(rng.choice(len(index), 24, replace=False).tolist())
    docs = index.tokens.get(rows)
    for text in queries:
        live = np.array(rr.maxsim_many(index.query_tokens(text), docs), dtype=np.float32)
        shipped = table.scores[table.rows[text], rows]
        # another CPU's kernels move a score by up to 2.2e-6 (AVX-512 here, AVX2 where the table was written)
        np.testing.assert_allclose(shipped, live, rtol=0, atol=1e-5)
        assert np.argsort(-shipped, kind="stable").tolist() == np.argsort(-live, kind="stable").tolist()
