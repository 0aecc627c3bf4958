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


def test_token_embeddings_drop_padding_so_a_text_does_not_depend_on_its_batch():
    query = "sleep"
    alone_vec, (alone,) = rr.token_embeddings([query])
    long_text = "how do I pause the execution of a program for a number of seconds in python"
    batch_vecs, (batched, _) = rr.token_embeddings([query, long_text])
    # "sleep" is one word piece: [CLS] sleep [SEP] minus the specials, whatever its batch holds
    assert alone.shape == batched.shape == (1, alone.shape[1])
    np.testing.assert_allclose(alone, batched, atol=1e-5)
    np.testing.assert_allclose(alone_vec[0], batch_vecs[0], atol=1e-5)
    docs = [rr.token_embeddings([t])[1][0] for t in ("time.sleep\nSuspend execution for seconds.",
                                                     "os.getcwd\nReturn the current directory.")]
    assert rr.maxsim_many(alone, docs) == pytest.approx(rr.maxsim_many(batched, docs), abs=1e-5)


def test_real_tokens_uses_the_attention_mask():
    rows = np.arange(12, dtype=float).reshape(6, 2)
    assert rr.real_tokens(rows, np.array([1, 1, 1, 1, 0, 0])).tolist() == [[2, 3], [4, 5]]
    assert rr.real_tokens(rows[:2], np.array([1, 1])).tolist() == [[0, 1], [2, 3]]
