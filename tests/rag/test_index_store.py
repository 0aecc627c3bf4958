"""The retrieval index: cold build from a clean cache (progress, disk cache, reload), BM25 through the
index against rank-bm25 directly, the search API's input checks, and MaxSim."""

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from playground import disk_cache
from playground.embeddings import encode
from playground.rag import analysis as ra
from playground.rag import corpus as rc
from playground.rag import index_store as ix
from playground.rag import rerank as rr
from playground.rag import retrievers as rv
from playground.rag.corpus import Passage


@pytest.mark.slow  # MiniLM
def test_cold_build_reports_progress_caches_on_disk_and_reloads(rag_cache):
    passages = rc.load_passages()[:8]
    seen = []
    cold = ix.build_index(passages, progress=lambda f, text: seen.append(f))
    assert seen and seen[-1] == 1.0 and cold.source == "computed"
    warm = ix.build_index(passages)
    assert warm.source == "disk cache" and warm.timings["from_cache"] == 1.0
    np.testing.assert_array_equal(cold.embeddings, warm.embeddings)
    # the dense vectors are the packaged model's sentence embeddings, rounded through float16
    np.testing.assert_allclose(cold.embeddings, encode([p.indexed_text for p in passages]), atol=2e-3)
    hits = warm.search("dense", passages[3].indexed_text, 1)
    assert hits[0].passage_id == passages[3].id


@pytest.mark.slow  # MiniLM
def test_the_shipped_vectors_match_the_corpus_and_a_rebuild(rag_cache):
    """The shipped file is current (key = passages + model files) and holds exactly what
    :func:`ix.sentence_vectors` computes (checked on a sample of passages)."""
    passages = rc.load_passages()
    shipped = ix.shipped_vectors(passages)
    assert shipped is not None, "run python scripts/build_rag_embeddings.py"
    assert shipped.shape == (len(passages), 384)
    rows = np.random.default_rng(0).choice(len(passages), 12, replace=False)
    rebuilt = ix.sentence_vectors([passages[i] for i in rows])
    np.testing.assert_allclose(shipped[rows], rebuilt, atol=2e-3)
    # another corpus (or another model) does not match the key: the index embeds it itself
    assert ix.shipped_vectors(passages[:-1]) is None
    assert ix.build_index(passages[:3], use_disk_cache=False).source == "computed"


def _count_token_passes(monkeypatch) -> list[int]:
    """Replace the reranker's token pass by :func:`_fake_tokens`; the list gets each pass's size."""
    calls: list[int] = []

    def counting(texts, model_path=None):
        calls.append(len(texts))
        return _fake_tokens(texts, model_path)

    monkeypatch.setattr(rr, "token_embeddings", counting)
    return calls


def test_a_pass_over_many_passages_is_kept_for_the_next_process(tmp_path, monkeypatch):
    calls = _count_token_passes(monkeypatch)
    texts = [f"passage {i} " + "word " * (i % 7) for i in range(60)]
    folder = tmp_path / "tokens-key-v1"
    first = ix.TokenStore(texts, folder=folder)
    first.ensure(range(15))  # a search's head: memory only
    assert not first.parts.exists()
    first.ensure(range(40), keep=True)  # an evaluation's pass: kept for the next process
    assert sum(calls) == 40 and len(list(first.parts.glob("part-*.npz"))) == 1
    calls.clear()
    second = ix.TokenStore(texts, folder=folder)  # another process: nothing in its memory
    assert second.missing(range(40)) == list(range(15))
    for a, b in zip(second.get(range(15, 40)), first.get(range(15, 40))):
        np.testing.assert_array_equal(a, b)
    assert calls == []
    # a damaged part file is deleted and its rows computed again
    part = next(first.parts.glob("part-*.npz"))
    part.write_bytes(part.read_bytes()[:-16])
    third = ix.TokenStore(texts, folder=folder)
    assert third.missing(range(40)) == list(range(40)) and not part.exists()
    # the complete store replaces the part files and writes none of its own
    second.ensure(range(20, 60), keep=True)
    assert len(list(second.parts.glob("part-*.npz"))) == 1
    assert second.complete() and not second.parts.exists()
    assert ix.TokenStore(texts, folder=folder).missing(range(60)) == []


@pytest.mark.slow  # MiniLM
def test_token_vectors_are_computed_only_for_the_reranked_passages(rag_cache, monkeypatch):
    calls = _count_token_passes(monkeypatch)
    passages = rc.load_passages()[:40]
    index = ix.build_index(passages)
    assert index.tokens.ready == 0
    index.encode_queries(["json"])
    calls.clear()
    hits = index.search("rerank", "json", 5, rerank_n=7)
    assert len(hits) == 5 and sum(calls) == 7 and index.tokens.ready == 7
    index.search("rerank", "json", 5, rerank_n=7)
    assert sum(calls) == 7  # the same head again: nothing recomputed
    computed = index.prepare("rerank", ["json", "os path"], 10, rerank_n=7)
    assert index.tokens.ready == 7 + computed <= 14
    assert not index.tokens.parts.exists()  # searches and a prepare without persist keep nothing on disk
    assert index.tokens.complete() and index.tokens.ready == len(passages)
    again = ix.build_index(passages)  # a complete store is memory-mapped from disk
    calls.clear()
    assert again.tokens.ready == len(passages) and again.tokens.missing(range(len(passages))) == []
    again.encode_queries(["json"])
    calls.clear()
    assert [h.passage_id for h in again.search("rerank", "json", 5, rerank_n=7)] == [h.passage_id for h in hits]
    assert calls == []


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


@pytest.mark.slow  # MiniLM
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


TEXTS = ["the quick brown fox jumps over the lazy dog", "json dumps serialize an object",
         "json loads parse a string", "shutil copytree dirs_exist_ok copies a directory tree",
         "the dog sleeps", "a fox and a dog and a cat", "copy a file with shutil copyfile",
         "ZeroDivisionError division by zero", "parse command line arguments with argparse"]


def _toy_index():
    passages = [Passage(f"p{i}", f"t{i}", text, "toy") for i, text in enumerate(TEXTS)]
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(len(TEXTS), 8)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return ix.RetrievalIndex(passages, emb, ix.TokenStore([p.indexed_text for p in passages]))


@pytest.mark.parametrize("analyzer", ra.ANALYZERS)
@pytest.mark.parametrize("k1,b", [(1.2, 0.75), (0.1, 0.0), (3.0, 1.0), (0.5, 0.3)])
@pytest.mark.parametrize("query", ["dog fox", "json parse", "shutil copytree", "ZeroDivisionError"])
def test_bm25_matches_rank_bm25_directly(k1, b, query, analyzer):
    index = _toy_index()
    reference = BM25Okapi([ra.analyse(p.indexed_text, analyzer) for p in index.passages], k1=k1, b=b)
    expected = reference.get_scores(ra.analyse(query, analyzer))
    got = index.bm25_scores(query, k1, b, analyzer)
    np.testing.assert_allclose(got, expected)
    hits = index.search("bm25", query, 5, k1=k1, b=b, analyzer=analyzer)
    order = [i for i in sorted(range(len(TEXTS)), key=lambda i: (-expected[i], i))[:5] if expected[i] > 0]
    assert [h.passage_id for h in hits] == [f"p{i}" for i in order]


def test_search_rejects_bad_input():
    index = _toy_index()
    with pytest.raises(ValueError, match="empty"):
        index.search("bm25", "   ", 3)
    with pytest.raises(ValueError, match="cannot exceed"):
        index.search("bm25", "dog", 100)
    with pytest.raises(ValueError, match="characters long"):
        index.search("bm25", "dog " * 1000, 3)
    with pytest.raises(ValueError, match="unknown method"):
        index.search("magic", "dog", 3)
    with pytest.raises(ValueError, match="k1 > 0"):
        index.search("bm25", "dog", 3, k1=0)
    with pytest.raises(ValueError, match="unknown search parameter"):
        index.search("bm25", "dog", 3, k2=1)
    with pytest.raises(ValueError, match="unknown analyser"):
        index.search("bm25", "dog", 3, analyzer="magic")


def test_bm25_returns_only_matching_passages():
    index = _toy_index()
    hits = index.search("bm25", "argparse", 5)
    assert [h.passage_id for h in hits] == ["p8"]
    assert index.search("bm25", "nothingmatches", 5) == []


def _fake_tokens(texts, model_path=None):
    """A fast stand-in for the model's forward pass (unit sentence rows, one token row per word)."""
    rng = np.random.default_rng(len(texts))
    sent = rng.normal(size=(len(texts), 384)).astype(np.float32)
    sent /= np.linalg.norm(sent, axis=1, keepdims=True)
    return sent, [np.ones((max(len(t.split()), 1), 8), np.float32) for t in texts]


@pytest.mark.slow  # MiniLM
@pytest.mark.parametrize("name", ["sentences", "tokens", "offsets"])
@pytest.mark.parametrize("damage", ["truncated", "empty", "wrong shape"])
def test_a_corrupt_index_cache_is_deleted_and_rebuilt(rag_cache, monkeypatch, name, damage):
    monkeypatch.setattr(rr, "token_embeddings", _fake_tokens)
    passages = rc.load_passages()[:5]
    good = ix.build_index(passages)
    assert good.tokens.complete()
    if name == "sentences":
        target = next(rag_cache.glob("sentences-*.npz"))
    else:
        target = next(rag_cache.glob("tokens-*")) / f"{name}.npy"
    if damage == "truncated":
        target.write_bytes(target.read_bytes()[:-16])
    elif damage == "empty":
        target.write_bytes(b"")
    elif name == "sentences":
        np.savez(target, sentences=np.zeros((2, 3), np.float32))
    else:
        array = np.load(target)
        np.save(target, array[:-1])
    healed = ix.build_index(passages)
    if name == "sentences":
        assert healed.source == "computed"  # rebuilt, not loaded
        np.testing.assert_array_equal(healed.embeddings, good.embeddings)
        assert ix.build_index(passages).source == "disk cache"  # the rewritten cache is good
    else:
        assert healed.tokens.ready == 0  # the bad store was dropped: computed on demand again
        assert healed.tokens.complete()
        assert ix.build_index(passages).tokens.ready == len(passages)


@pytest.mark.slow  # MiniLM
def test_a_read_only_cache_builds_the_index_in_memory(rag_cache, monkeypatch, failing_disk, read_only_dir):
    read_only_dir(rag_cache)
    monkeypatch.setattr(rr, "token_embeddings", _fake_tokens)
    passages = rc.load_passages()[:5]
    with pytest.warns(disk_cache.CacheWarning):
        index = ix.build_index(passages)
    assert len(index) == 5 and index.search("bm25", passages[0].title, 1)
    assert list(rag_cache.iterdir()) == []
    ix.build_index(passages)  # no second attempt at the disk, no second warning


def test_every_labelled_query_vector_ships(monkeypatch):
    """Lessons 8 and 9 evaluate all the labelled queries at their defaults, lesson 10 searches for
    its default question and its off-topic probe: none needs the model."""
    from playground import embeddings
    from playground.rag.llm_serving import DEFAULT_QUESTION, OFF_TOPIC

    table = ix.shipped_queries()
    texts = [q.text for q in rc.load_queries()] + [DEFAULT_QUESTION, OFF_TOPIC]
    assert set(table.rows) == set(texts)
    passages = [Passage(f"p{i}", f"t{i}", text, "toy") for i, text in enumerate(TEXTS)]
    emb = np.random.default_rng(0).normal(size=(len(TEXTS), 384)).astype(np.float32)
    index = ix.RetrievalIndex(passages, rr.normalise_rows(emb), ix.TokenStore([p.indexed_text for p in passages]))
    monkeypatch.setattr(embeddings, "embed", lambda *a, **k: pytest.fail("the model was used"))
    matrix = index.query_matrix(texts[::-1])
    np.testing.assert_array_equal(matrix, np.stack([table.vectors[table.rows[t]] for t in texts[::-1]]))
    assert index.query_matrix([]).shape == (0, 384)


def test_shipped_query_vectors_are_looked_up_and_kept_when_tokens_are_computed(monkeypatch):
    from playground import embeddings

    table = ix.shipped_queries()
    assert table is not None and not table.float16  # the exact float32 vectors, for the packaged model only
    assert ix.shipped_queries("/some/other/model") is None
    shipped = next(iter(table.rows))
    passages = [Passage(f"p{i}", f"t{i}", text, "toy") for i, text in enumerate(TEXTS)]
    emb = np.random.default_rng(0).normal(size=(len(TEXTS), 384)).astype(np.float32)
    index = ix.RetrievalIndex(passages, rr.normalise_rows(emb), ix.TokenStore([p.indexed_text for p in passages]))
    monkeypatch.setattr(embeddings, "embed", lambda *a, **k: pytest.fail("the model was used"))
    hits = index.search("dense", shipped, 3)
    expected = rr.normalise_rows(emb) @ table.vectors[table.rows[shipped]]
    assert [h.passage_id for h in hits] == [f"p{i}" for i in np.argsort(-expected, kind="stable")[:3]]
    calls = []

    def fake_embed(texts, *, persist, model_path=None, tokens=False):
        calls.append(list(texts))
        return _fake_tokens(texts)

    monkeypatch.setattr(embeddings, "embed", fake_embed)
    monkeypatch.setattr(rr, "token_embeddings", _fake_tokens)  # the passages' token vectors
    index.encode_queries([shipped, "a query that does not ship"], tokens=False)
    assert calls == [["a query that does not ship"]]  # computed with its token vectors, in one pass
    index.maxsim(shipped, ["p0"])  # the reranker needs the shipped query's token vectors: computed
    assert calls[-1] == [shipped]
    np.testing.assert_array_equal(index.query_vector(shipped), table.vectors[table.rows[shipped]])  # vector kept
