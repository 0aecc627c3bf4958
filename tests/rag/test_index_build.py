"""Cold build of a retrieval index from a clean cache: progress, disk cache, reload, MaxSim."""

import numpy as np
import pytest

from playground.embeddings import encode
from playground.rag import corpus as rc
from playground.rag import rerank as rr
from playground.rag import retrieval as rt


def test_cold_build_reports_progress_caches_on_disk_and_reloads(tmp_path, monkeypatch):
    monkeypatch.setattr(rc, "CACHE", tmp_path)
    passages = rc.load_passages()[:8]
    seen = []
    cold = rt.build_index(passages, progress=lambda f, text: seen.append(f))
    assert seen and seen[-1] == 1.0 and cold.timings["from_cache"] == 0.0
    folder = rt._cache_file(passages, None)
    assert (folder / "tokens.npy").is_file()
    warm = rt.build_index(passages)
    assert warm.timings["from_cache"] == 1.0
    np.testing.assert_array_equal(cold.embeddings, warm.embeddings)
    # the dense vectors are the packaged model's sentence embeddings
    np.testing.assert_allclose(cold.embeddings, encode([p.indexed_text for p in passages]), atol=1e-5)
    hits = warm.search("dense", passages[3].indexed_text, 1)
    assert hits[0].passage_id == passages[3].id


def test_maxsim_against_brute_force():
    rng = np.random.default_rng(1)
    q = rng.normal(size=(4, 8))
    docs = [rng.normal(size=(n, 8)) for n in (3, 1, 6)]
    expected = []
    for d in docs:
        cos = np.array([[a @ b / np.linalg.norm(a) / np.linalg.norm(b) for b in d] for a in q])
        expected.append(cos.max(axis=1).mean())
    assert rr.maxsim_many(q, docs) == pytest.approx(expected)
    assert [rr.maxsim(q, d) for d in docs] == pytest.approx(expected)
    assert rr.maxsim_many(q, [np.zeros((0, 8)), docs[0]])[0] == 0.0
