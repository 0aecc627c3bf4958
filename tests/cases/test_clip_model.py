"""Lesson 15 model: the frozen MiniLM caption features behind the text tower."""

from __future__ import annotations

import numpy as np
import pytest

from playground.cases import clip_model


def test_caption_features_are_minilm_vectors_and_cached(tmp_path, monkeypatch):
    from playground import embeddings

    monkeypatch.setattr(clip_model, "CACHE_DIR", tmp_path)
    texts = ["two red circles on the left", "a blue square", "two red circles on the left"]
    first = clip_model.caption_features(texts)
    np.testing.assert_allclose(first, embeddings.encode(texts), atol=1e-5)
    assert len(list(tmp_path.glob("*.npy"))) == 1
    monkeypatch.setattr(embeddings, "encode", lambda *a, **k: pytest.fail("cache not used"))
    np.testing.assert_array_equal(clip_model.caption_features(texts), first)
