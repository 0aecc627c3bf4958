"""Lesson 11's run: its default view needs no model (its vectors ship), and the shipped vectors are
what the installed MiniLM computes (to the last bits that a BLAS thread count or another CPU's
kernels change), so both paths give the same retrieval, the same verdicts and the same scores to
the digits a page shows."""

import numpy as np
import pytest

from playground import embeddings
from playground import shipped_vectors as sv
from playground.rag import corpus as rc
from playground.rag import eval_run as er
from playground.rag import evaluation as ev
from playground.rag import index_store as ix

THREADS_ATOL = 1e-6
"""How far a float32 vector computed with another number of BLAS threads or on another CPU may be
from the shipped one (2.5e-7 on an AVX-512 machine, against vectors written on an AVX2 one)."""
FLOAT16_RTOL = float(np.finfo(np.float16).eps)
"""A float16 vector may also round to the neighbouring float16 (one step, at most 2**-10 of its
value): 0.6 % of the components of lesson 11's answer vectors did on the AVX-512 machine."""
SCORE_ATOL = 1e-5
"""How far a relevance score from those vectors may move (4e-6 on the AVX-512 machine): five
decimals, two more than a page shows."""

DEFAULT = (er.DEFAULT["method"], er.DEFAULT["k"], er.DEFAULT["n"], er.DEFAULT["seed"], 0.7, 0.8)


def _default_records(index, encode, fluency):
    evals = er.run(index, *DEFAULT, encode, fluency)
    return [e.context_ids for e in evals], ev.answer_records(evals)


def test_the_default_view_needs_no_model(monkeypatch):
    for name in ("embed", "encode", "load_model"):
        monkeypatch.setattr(embeddings, name, lambda *a, _name=name, **k: pytest.fail(f"embeddings.{_name} was called"))
    index = ix.build_index(use_disk_cache=False)  # a fresh index: no query vector remembered
    steps = []
    evals = er.run(index, *DEFAULT, er.encoder(persist=False), lambda text: 0.5, lambda f, text: steps.append(f))
    assert len(evals) == er.DEFAULT["n"] and all(len(e.context_ids) == er.DEFAULT["k"] for e in evals)
    assert steps == sorted(steps) and len(steps) == 5
    # another setting embeds what does not ship
    with pytest.raises(pytest.fail.Exception, match="embeddings.embed"):
        er.run(index, "rrf", 3, 16, 0, 0.7, 0.8, er.encoder(persist=False), lambda text: 0.5)


@pytest.mark.slow  # MiniLM
def test_shipped_vectors_are_what_the_installed_model_computes(tmp_path):
    assert er.write_shipped(tmp_path / "queries.npz", tmp_path / "eval.npz") == (len(rc.load_queries()) + 2,
                                                                               len(sv.load(er.SHIPPED_EVAL).rows))
    for fresh, shipped in ((tmp_path / "queries.npz", ix.SHIPPED_QUERIES), (tmp_path / "eval.npz", er.SHIPPED_EVAL)):
        with np.load(fresh) as a, np.load(shipped) as b:
            assert a["texts"].tolist() == b["texts"].tolist()
            assert a["vectors"].dtype == b["vectors"].dtype
            # written by a 2-thread process on an AVX2 machine; this test process runs one BLAS thread,
            # which changes the last bits of a few vectors (the off-topic probe's by up to 9e-8)
            rtol = FLOAT16_RTOL if a["vectors"].dtype == np.float16 else 0
            np.testing.assert_allclose(a["vectors"], b["vectors"], rtol=rtol, atol=THREADS_ATOL)
            assert str(a["model"]) == str(b["model"]) == embeddings.model_digest()


@pytest.mark.slow  # MiniLM
def test_shipped_and_computed_vectors_give_the_same_numbers(monkeypatch):
    fluency = ev.fluency_scale([p.text for p in rc.load_passages()])
    shipped = _default_records(ix.build_index(use_disk_cache=False), er.encoder(persist=False), fluency)
    monkeypatch.setattr(ix, "shipped_queries", lambda model_path=None: None)
    computed = _default_records(ix.build_index(use_disk_cache=False), er.encoder(persist=False, path=None), fluency)
    assert computed[0] == shipped[0]  # the same passages retrieved for every question
    assert len(computed[1]) == len(shipped[1])
    for got, want in zip(computed[1], shipped[1]):
        scores = {key for key, value in want.items() if isinstance(value, float)}
        assert {k: v for k, v in got.items() if k not in scores} == {k: v for k, v in want.items() if k not in scores}
        assert [got[k] for k in sorted(scores)] == pytest.approx([want[k] for k in sorted(scores)], rel=0, abs=SCORE_ATOL)
    # a run at another setting mixes shipped and computed vectors: still rounded the same way
    mixed = er.encoder(persist=False)
    texts = [q.text for q in ev.sample_queries(rc.load_queries(), 16, 1)]
    np.testing.assert_allclose(mixed(texts), er.encoder(persist=False, path=None)(texts), rtol=FLOAT16_RTOL,
                               atol=THREADS_ATOL)
