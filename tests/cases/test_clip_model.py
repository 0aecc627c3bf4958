"""Lesson 15 model: the frozen MiniLM caption features behind the text tower."""

from __future__ import annotations

import numpy as np
import pytest

from playground import shipped_vectors
from playground.cases import clip_model

pytestmark = pytest.mark.slow  # loads MiniLM, builds the RAG index or trains (see docs/CONTRIBUTING.md)


def test_caption_features_are_minilm_vectors_and_cached(embedding_cache, monkeypatch):
    from playground import embeddings

    texts = ["two red circles on the left", "a blue square", "two red circles on the left"]
    first = clip_model.caption_features(texts, persist=True)
    np.testing.assert_array_equal(first, shipped_vectors.rounded(embeddings.encode(texts)))
    np.testing.assert_allclose(first, embeddings.encode(texts), atol=2e-4)  # float16 rounding only
    assert len(list(embedding_cache.glob("*.npz"))) == 1
    monkeypatch.setattr(embeddings, "encode", lambda *a, **k: pytest.fail("cache not used"))
    np.testing.assert_array_equal(clip_model.caption_features(texts, persist=True), first)


def test_typed_captions_are_not_written(embedding_cache):
    clip_model.caption_features(["a query a visitor typed"], persist=False)
    assert not embedding_cache.exists()
    assert clip_model.caption_features([], persist=True).shape == (0, clip_model.TEXT_DIM)


def test_the_shipped_vectors_are_the_installed_minilm_vectors_of_every_shipped_text():
    from playground import embeddings

    rows, vectors, _ = clip_model.shipped_features()  # None (a TypeError here) if the model differs
    texts = clip_model.shipped_texts()
    assert set(texts) <= set(rows) and clip_model.DEFAULT_QUERY in rows
    sample = [texts[i] for i in np.random.default_rng(0).choice(len(texts), 24, replace=False)]
    fresh = shipped_vectors.rounded(embeddings.encode(sample + [clip_model.DEFAULT_QUERY]))
    np.testing.assert_allclose(vectors[[rows[t] for t in sample + [clip_model.DEFAULT_QUERY]]], fresh, atol=2e-4)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_shipped_texts_are_looked_up_without_the_model(monkeypatch):
    from playground import embeddings

    monkeypatch.setattr(embeddings, "embed", lambda *a, **k: pytest.fail("the model was used"))
    rows, vectors, _ = clip_model.shipped_features()
    texts = clip_model.shipped_texts()[:5] + [clip_model.DEFAULT_QUERY]
    np.testing.assert_array_equal(clip_model.caption_features(texts, persist=False),
                                  vectors[[rows[t] for t in texts]])


def test_shipped_vectors_of_another_model_are_not_used(tmp_path, monkeypatch):
    from playground import embeddings

    copy = tmp_path / "caption_features.npz"
    copy.write_bytes(clip_model.SHIPPED_FEATURES.read_bytes())
    assert clip_model.shipped_features(copy) is not None
    shipped_vectors.load.cache_clear()
    monkeypatch.setattr(embeddings, "model_digest", lambda path=None: "0" * 64)
    assert clip_model.shipped_features(copy) is None
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    assert clip_model.shipped_features(tmp_path / "broken.npz") is None
    shipped_vectors.load.cache_clear()
