"""The one embedding function: disk cache keyed by model and texts, checked on load, healed when
bad, bounded, never written for visitor text, and memory-only on a disk that cannot be written."""

import warnings

import numpy as np
import pytest

from playground import disk_cache, embeddings
from playground.rag import rerank as rr


@pytest.fixture
def fake_model(monkeypatch, embedding_cache):
    """Count calls of a fast stand-in for MiniLM (sentences) and its token pass."""
    calls = []

    def vectors(texts):
        v = np.array([[len(t), t.count("a"), 1.0] for t in texts], np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def encode(texts, path=None, batch_size=64):
        calls.append(list(texts))
        return vectors(texts)

    def token_embeddings(texts, model_path=None):
        calls.append(list(texts))
        return vectors(texts), [np.ones((len(t.split()), 3), np.float32) * i for i, t in enumerate(texts)]

    monkeypatch.setattr(embeddings, "encode", encode)
    monkeypatch.setattr(rr, "token_embeddings", token_embeddings)
    monkeypatch.setattr(embeddings, "model_key", lambda path=None: "fake-model")
    return calls


def _files(folder):
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def test_vectors_are_cached_on_disk_and_reused(fake_model, embedding_cache):
    texts = ["a cat", "a dog", "a cat"]
    first = embeddings.embed(texts, persist=True)
    assert first.shape == (3, 3) and np.array_equal(first[0], first[2])
    assert fake_model == [["a cat", "a dog"]] and len(_files(embedding_cache)) == 1
    np.testing.assert_array_equal(embeddings.embed(texts, persist=True), first)
    assert len(fake_model) == 1  # the second call read the file


def test_token_vectors_round_trip(fake_model, embedding_cache):
    sentences, tokens = embeddings.embed(["one two", "three"], persist=True, tokens=True)
    again_s, again_t = embeddings.embed(["one two", "three"], persist=True, tokens=True)
    assert len(fake_model) == 1
    np.testing.assert_array_equal(sentences, again_s)
    assert [t.shape for t in again_t] == [(2, 3), (1, 3)] and again_t[1][0, 0] == 1.0


def test_visitor_text_never_reaches_the_disk(fake_model, embedding_cache):
    embeddings.embed(["my secret answer"], persist=False)
    embeddings.embed(["my secret answer"], persist=False, tokens=True)
    assert _files(embedding_cache) == []


@pytest.mark.parametrize("tokens", [False, True])
@pytest.mark.parametrize("damage", ["truncated", "empty", "wrong shape"])
def test_a_corrupt_cache_file_is_rebuilt(fake_model, embedding_cache, tokens, damage):
    texts = ["alpha beta", "gamma"]
    good = embeddings.embed(texts, persist=True, tokens=tokens)
    (path,) = embedding_cache.glob("*.npz")
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a valid file for another shape, under this file's name
        with np.load(path) as data:
            arrays = {name: data[name] for name in data.files if name != "_checksum"}
        arrays["sentences"] = arrays["sentences"][:1]
        disk_cache.save_npz(path, **arrays)
    healed = embeddings.embed(texts, persist=True, tokens=tokens)
    assert len(fake_model) == 2  # recomputed once ...
    np.testing.assert_array_equal(healed[0] if tokens else healed, good[0] if tokens else good)
    embeddings.embed(texts, persist=True, tokens=tokens)
    assert len(fake_model) == 2  # ... and the rewritten file is good again


def test_the_cache_is_bounded(fake_model, embedding_cache, monkeypatch):
    monkeypatch.setattr(embeddings, "MAX_CACHE_FILES", 3)
    for i in range(6):  # e.g. evaluate() on six different query sets
        embeddings.embed([f"query set {i}"], persist=True)
    assert len(_files(embedding_cache)) == 3


def test_a_read_only_cache_falls_back_to_memory_with_one_warning(fake_model, embedding_cache,
                                                                 failing_disk, read_only_dir):
    read_only_dir(embedding_cache)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = embeddings.embed(["a cat"], persist=True)
        second = embeddings.embed(["a dog"], persist=True)
    assert first.shape == second.shape == (1, 3)
    assert [w.category for w in caught] == [disk_cache.CacheWarning]
    assert disk_cache.disk_problem() and _files(embedding_cache) == []


def test_offline_settings_are_made_in_one_place(monkeypatch):
    for name in embeddings.OFFLINE_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # an explicit choice is kept
    embeddings.offline()
    import os

    assert os.environ["TRANSFORMERS_OFFLINE"] == "1" and os.environ["HF_HUB_OFFLINE"] == "0"
