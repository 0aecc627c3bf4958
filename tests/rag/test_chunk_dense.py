"""Chunking's effect on dense retrieval: the pool, recall@k against a hand-worked case and against
lesson 8's BM25 chunking evaluation, and the shipped grid against the corpus, the model and a
recomputation."""

import numpy as np
import pytest

from playground.rag import chunk_dense as cd
from playground.rag import chunking as ch
from playground.rag import corpus as rc
from playground.rag.corpus import Document, Passage, Query


@pytest.fixture(scope="module")
def corpus():
    return rc.load_documents(), rc.load_passages(), rc.load_queries()


def test_the_pool_is_seeded_bounded_and_holds_every_kept_querys_answers(corpus):
    documents, passages, queries = corpus
    pool = cd.pool(documents, passages, queries, seed=cd.SEED, max_words=20_000)
    assert pool == cd.pool(documents, passages, queries, seed=cd.SEED, max_words=20_000)
    words = {d.id: len(d.text.split()) for d in documents}
    assert sum(words[d] for d in pool.doc_ids) <= 20_000
    by_id = {p.id: p for p in passages}
    for q in queries:
        inside = all(by_id[p].doc_id in pool.doc_ids for p, g in q.relevant.items() if g > 0)
        assert (q.id in pool.query_ids) == inside
    with pytest.raises(ValueError, match="no labelled query"):
        cd.pool(documents, passages, queries, max_words=10)


def test_recall_at_k_hand_worked():
    doc = Document("d", "s", "aaaa bbbb cccc dddd")
    passages = [Passage("p0", "t", "aaaa", "s", "d", 0, 4), Passage("p1", "t", "cccc", "s", "d", 10, 14)]
    chunks = [("d", ch.Chunk(doc.text[a:b], a, b)) for a, b in ((0, 9), (10, 19))]  # covers p0, p1
    queries = [Query("q", "x", "general", {"p0": 2, "p1": 1}), Query("r", "y", "general", {"p1": 2})]
    scores = np.array([[0.2, 0.9], [0.5, 0.5]])  # q ranks chunk 1 first; r ties: chunk order wins
    out = cd.recall_at(scores, chunks, queries, passages, ks=(1, 2))
    np.testing.assert_array_equal(out, [[0.5, 1.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="cannot exceed"):
        cd.recall_at(scores, chunks, queries, passages, ks=(3,))


def test_bm25_recall_on_the_pool_equals_lesson_8s_chunking_evaluation(corpus):
    documents, passages, queries = corpus
    pool = cd.pool(documents, passages, queries, max_words=15_000)
    docs = [d for d in documents if d.id in pool.doc_ids]
    qs = [q for q in queries if q.id in pool.query_ids]
    chunks = cd.chunk_pool(documents, pool.doc_ids, "recursive", 80, 20)
    ours = cd.recall_at(cd.bm25_scores([c.text for _, c in chunks], [q.text for q in qs]), chunks, qs,
                        passages, ks=(5,))[:, 0]
    ref = ch.evaluate_chunking(docs, passages, qs, "recursive", 80, 20, k=5)
    np.testing.assert_allclose(ours, [ref.per_query[q.id] for q in qs])


def test_dense_scores_are_cosines_of_the_embedder():
    vec = {"a": [1.0, 0.0], "b": [0.6, 0.8], "q": [0.0, 1.0]}
    scores = cd.dense_scores(["a", "b"], ["q"], embed=lambda ts: np.array([vec[t] for t in ts]))
    np.testing.assert_allclose(scores, [[0.0, 0.8]])


def test_grid_and_summary_on_a_fake_embedder(corpus):
    documents, passages, queries = corpus
    pool = cd.pool(documents, passages, queries, max_words=8_000)
    table = cd.grid(documents, passages, queries, pool, sizes=(40, 200), overlaps=(0, 20), ks=(1, 5),
                    scorers={"bm25": cd.bm25_scores, "dense": lambda c, q: cd.bm25_scores(c, q)[:, ::-1]},
                    count=lambda ts: np.array([len(t.split()) * 2 for t in ts]))
    assert [(p["size"], p["overlap"]) for p in table["points"]] == [(40, 0), (40, 20), (200, 0), (200, 20)]
    small, big = table["points"][0], table["points"][2]
    assert small["n_chunks"] > big["n_chunks"] and small["over_window"] == 0 < big["over_window"]
    points = cd.summarise(table, 5)
    assert all(0 <= p.recall["bm25"] <= 1 for p in points)
    for p, raw in zip(points, table["points"]):
        col = np.asarray(raw["recall"]["dense"])[:, 1] - np.asarray(raw["recall"]["bm25"])[:, 1]
        assert p.gap == pytest.approx(col.mean()) and p.gap_ci[0] <= p.gap <= p.gap_ci[1]
        assert p.prompt_tokens == pytest.approx(5 * raw["mean_tokens"])
    with pytest.raises(ValueError, match="k must be one of"):
        cd.summarise(table, 3)


def test_the_shipped_grid_matches_the_corpus_and_the_model(corpus):
    documents, passages, queries = corpus
    pool = cd.pool(documents, passages, queries)
    table = cd.shipped_grid(passages, pool)
    assert table is not None, "run python scripts/build_chunking_dense.py"
    assert len(table["points"]) == sum(o < s for s in cd.SIZES for o in cd.OVERLAPS)
    assert table["query_ids"] == list(pool.query_ids)
    assert cd.shipped_grid(passages[:-1], pool) is None


@pytest.mark.slow  # MiniLM over ~60 chunks of 480 words
def test_the_shipped_grid_agrees_with_a_recomputation(corpus, embedding_cache):
    documents, passages, queries = corpus
    pool = cd.pool(documents, passages, queries)
    table = cd.shipped_grid(passages, pool)
    fresh = cd.grid(documents, passages, queries, pool, sizes=(max(cd.SIZES),), overlaps=(0,))
    stored = next(p for p in table["points"] if p["size"] == max(cd.SIZES) and p["overlap"] == 0)
    assert fresh["points"][0]["n_chunks"] == stored["n_chunks"]
    for name in ("bm25", "dense"):
        np.testing.assert_allclose(fresh["points"][0]["recall"][name], stored["recall"][name], atol=1e-3)
