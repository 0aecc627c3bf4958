"""Whole encoder calls shipped for lesson 10's default grounded answers (data/samples/rag/grounded_vectors.npz)."""

import numpy as np
import pytest

from playground import embeddings
from playground.rag import generation as gen
from playground.rag import index_store as ix
from playground.rag import llm_serving as ls
from playground.rag import shipped_batches as sb


def _refuse(texts):
    pytest.fail(f"the model was asked for {len(texts)} texts")


def test_the_default_answers_score_their_evidence_without_the_model(monkeypatch):
    monkeypatch.setattr(sb.embeddings, "encode", sb.encoder(_refuse))  # only shipped batches allowed
    monkeypatch.setattr(embeddings, "load_model", lambda *a, **k: pytest.fail("the model was loaded"))
    assert sb.default_batches(ix.get_index()) == [list(batch) for batch in sb.load()]
    answer = gen.extractive_answer(ls.DEFAULT_QUESTION, gen.retrieve(ix.get_index(), ls.DEFAULT_QUESTION,
                                                                     **ls.GROUNDED_DEFAULTS), sb.encoder(_refuse))
    probe = gen.extractive_answer(ls.OFF_TOPIC, gen.retrieve(ix.get_index(), ls.OFF_TOPIC, **ls.GROUNDED_DEFAULTS),
                                  sb.encoder(_refuse))
    assert not answer.refused and probe.refused  # the lesson's point, at its defaults


def test_only_an_exact_batch_is_looked_up(tmp_path):
    path = tmp_path / "batches.npz"
    vectors = {("a", "b"): np.full((2, embeddings.DIM), 0.5, np.float32), ("c",): np.ones((1, embeddings.DIM), np.float32)}
    assert sb.write(path, [["a", "b"], ["c"], ["a", "b"], []], lambda texts: vectors[tuple(texts)]) == 2
    computed = []
    encode = sb.encoder(lambda texts: computed.append(texts) or np.zeros((len(texts), embeddings.DIM), np.float32), path)
    np.testing.assert_array_equal(encode(["a", "b"]), vectors[("a", "b")])
    encode(["b", "a"])
    encode(["a"])
    assert computed == [["b", "a"], ["a"]]  # another order or a part of a batch is computed


def test_a_file_of_another_model_or_a_broken_file_ships_nothing(tmp_path, monkeypatch):
    path = tmp_path / "batches.npz"
    sb.write(path, [["a"]], lambda texts: np.ones((1, embeddings.DIM), np.float32))
    assert sb.load(path)
    monkeypatch.setattr(sb.embeddings, "model_digest", lambda path=None: "another model")
    sb.load.cache_clear()
    assert sb.load(path) == {}
    monkeypatch.undo()
    sb.load.cache_clear()
    path.write_bytes(b"not a zip file")
    assert sb.load(path) == {} and sb.load(tmp_path / "missing.npz") == {}
    sb.load.cache_clear()


@pytest.mark.slow  # MiniLM
def test_the_shipped_batches_are_what_the_installed_model_computes():
    batches = sb.load()
    assert len(batches) == 2
    for texts, shipped in batches.items():  # up to ~1e-7 apart with another BLAS thread count
        np.testing.assert_allclose(embeddings.encode(list(texts)), shipped, rtol=0, atol=1e-6)
