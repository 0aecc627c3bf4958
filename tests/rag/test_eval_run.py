"""Lesson 11's run: its default view needs no model (its vectors ship), and the shipped vectors are
what the installed MiniLM computes (to the last bits a BLAS thread count changes), so both paths
give the same numbers."""

import numpy as np
import pytest

from playground import embeddings
from playground import shipped_vectors as sv
from playground.rag import corpus as rc
from playground.rag import eval_run as er
from playground.rag import evaluation as ev
from playground.rag import index_store as ix

THREADS_ATOL = 1e-6
"""How far a vector computed with another number of BLAS threads may be from the shipped one."""

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
            # written by a 2-thread process; this test process runs one BLAS thread, which changes
            # the last bits of a few vectors (the off-topic probe's by up to 9e-8)
            np.testing.assert_allclose(a["vectors"], b["vectors"], rtol=0, atol=THREADS_ATOL)
            assert str(a["model"]) == str(b["model"]) == embeddings.model_digest()


@pytest.mark.slow  # MiniLM
def test_shipped_and_computed_vectors_give_identical_numbers(monkeypatch):
    fluency = ev.fluency_scale([p.text for p in rc.load_passages()])
    shipped = _default_records(ix.build_index(use_disk_cache=False), er.encoder(persist=False), fluency)
    monkeypatch.setattr(ix, "shipped_queries", lambda model_path=None: None)
    computed = _default_records(ix.build_index(use_disk_cache=False), er.encoder(persist=False, path=None), fluency)
    assert computed == shipped
    # a run at another setting mixes shipped and computed vectors: still rounded the same way
    mixed = er.encoder(persist=False)
    texts = [q.text for q in ev.sample_queries(rc.load_queries(), 16, 1)]
    np.testing.assert_array_equal(mixed(texts), er.encoder(persist=False, path=None)(texts))
