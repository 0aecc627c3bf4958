"""Access control in vector search: each filter mode against numpy brute force, on clustered vectors
whose allowed rows come in whole documents (as a user's rights do)."""

import numpy as np
import pytest

from playground.rag import access_filter as af


@pytest.fixture(scope="module")
def collection():
    rng = np.random.default_rng(3)
    centres = rng.standard_normal((40, 24)).astype(np.float32)
    doc = np.repeat(np.arange(40), 25)  # 40 documents of 25 passages, each near its centre
    x = centres[doc] + 0.4 * rng.standard_normal((len(doc), 24)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = centres[rng.integers(0, 40, 60)] + 0.4 * rng.standard_normal((60, 24)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return x, np.array([f"d{i}" for i in doc]), q, af.build(x, seed=0)


def brute(x, allowed, q, k):
    """Cosine top-k over the allowed rows by a full argsort (the reference)."""
    scores = np.where(allowed[None, :], q @ x.T, -np.inf)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return [set(row[np.isfinite(np.take(s, row))].tolist()) for row, s in zip(order, scores)]


def test_allowed_documents_are_a_seeded_share_of_the_documents():
    docs = [f"d{i}" for i in range(200)]
    a = af.allowed_documents(docs, 0.05, seed=1)
    assert len(a) == 10 and a <= set(docs)
    assert a == af.allowed_documents(docs, 0.05, seed=1) != af.allowed_documents(docs, 0.05, seed=2)
    assert len(af.allowed_documents(docs, 0.001, seed=1)) == 1
    with pytest.raises(ValueError, match="allowed fraction"):
        af.allowed_documents(docs, 0.0, seed=1)


def test_exact_filtered_and_prefilter_equal_brute_force(collection):
    x, doc, q, built = collection
    allowed = np.isin(doc, list(af.allowed_documents(doc, 0.1, seed=4)))
    ref = brute(x, allowed, q, 10)
    assert [set(r.tolist()) for r in af.exact_filtered(x, allowed, q, 10)] == ref
    found, scored = af.search(built, x, allowed, q, 10, "pre")
    assert [set(r.tolist()) for r in found] == ref and scored == allowed.sum() == 100
    assert af.evaluate(built, x, allowed, q, 10, "pre").recall == 1.0


def test_postfilter_keeps_only_allowed_ann_results_and_loses_recall_when_few_are_allowed(collection):
    x, doc, q, built = collection
    allowed = np.isin(doc, list(af.allowed_documents(doc, 0.05, seed=4)))  # 2 of 40 documents
    found, _ = af.search(built, x, allowed, q, 10, "post")
    _, unfiltered = built.index.search(q, 10)
    for row, ann_row in zip(found, unfiltered):
        kept = row[row >= 0]
        assert set(kept) == {i for i in ann_row if allowed[i]}  # the ANN top-10, filtered
    post = af.evaluate(built, x, allowed, q, 10, "post")
    assert post.returned < 3 and post.empty > 0.5 and post.recall < 0.3
    assert af.evaluate(built, x, allowed, q, 10, "pre").returned == 10


def test_every_mode_agrees_with_plain_search_when_everything_is_allowed(collection):
    x, doc, q, built = collection
    allowed = np.ones(len(x), bool)
    ref = brute(x, allowed, q, 5)
    for mode in af.MODES:
        result = af.evaluate(built, x, allowed, q, 5, mode)
        assert result.returned == 5 and result.empty == 0
        assert result.recall >= 0.95, mode  # HNSW at efSearch 64 over 1,000 vectors
    found, _ = af.search(built, x, allowed, q, 5, "pre")
    assert [set(r.tolist()) for r in found] == ref


def test_overfetch_searches_deeper_and_returns_more_than_postfilter(collection):
    x, doc, q, built = collection
    allowed = np.isin(doc, list(af.allowed_documents(doc, 0.1, seed=4)))
    post, over = (af.evaluate(built, x, allowed, q, 10, m) for m in ("post", "overfetch"))
    assert over.scored > post.scored and over.returned > post.returned


def test_sweep_covers_every_mode_and_fraction_and_bad_modes_are_refused(collection):
    x, doc, q, built = collection
    out = af.sweep(built, x, doc, q, 5, [0.05, 1.0], seed=2)
    assert set(out) == set(af.MODES) and all(len(v) == 2 for v in out.values())
    assert out["pre"][0].n_allowed == 50 and out["pre"][1].n_allowed == 1000
    with pytest.raises(ValueError, match="unknown filter mode"):
        af.search(built, x, np.ones(len(x), bool), q, 5, "sideways")
