"""Lesson 15 model: the frozen MiniLM caption features behind the text tower."""

from __future__ import annotations

import numpy as np
import pytest

from playground.cases import clip_model

pytestmark = pytest.mark.slow  # loads MiniLM, builds the RAG index or trains (see docs/CONTRIBUTING.md)


def test_caption_features_are_minilm_vectors_and_cached(embedding_cache, monkeypatch):
    from playground import embeddings

    texts = ["two red circles on the left", "a blue square", "two red circles on the left"]
    first = clip_model.caption_features(texts, persist=True)
    np.testing.assert_allclose(first, embeddings.encode(texts), atol=1e-5)
    assert len(list(embedding_cache.glob("*.npz"))) == 1
    monkeypatch.setattr(embeddings, "encode", lambda *a, **k: pytest.fail("cache not used"))
    np.testing.assert_array_equal(clip_model.caption_features(texts, persist=True), first)


def test_typed_captions_are_not_written(embedding_cache):
    clip_model.caption_features(["a query a visitor typed"], persist=False)
    assert not embedding_cache.exists()
    assert clip_model.caption_features([], persist=True).shape == (0, clip_model.TEXT_DIM)
