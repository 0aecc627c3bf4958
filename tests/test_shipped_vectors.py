"""Shipped vectors of fixed texts: used only for the model that made them, float16 rounded the same
way as computed vectors, float32 kept exact, shipped texts looked up without the model."""

import numpy as np
import pytest

from playground import embeddings
from playground import shipped_vectors as sv


def _unit(n, seed=0, dtype=np.float32):
    v = np.random.default_rng(seed).normal(size=(n, embeddings.DIM))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(dtype)


@pytest.fixture
def digest(monkeypatch):
    """A fixed model digest (no hashing of the real model's files)."""
    monkeypatch.setattr(embeddings, "model_digest", lambda path=None: "a" * 64)
    sv.load.cache_clear()
    yield "a" * 64
    sv.load.cache_clear()


def test_rounded_is_float16_then_unit_length():
    v = _unit(5)
    r = sv.rounded(v)
    assert r.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(r, axis=1), 1.0, atol=1e-6)
    by_hand = v.astype(np.float16).astype(np.float32)
    np.testing.assert_array_equal(r, by_hand / np.linalg.norm(by_hand, axis=1, keepdims=True))
    np.testing.assert_allclose(r, v, atol=2e-3)
    np.testing.assert_array_equal(sv.rounded(v.astype(np.float16)), r)  # rounding twice changes nothing


def test_float16_files_load_rounded_and_float32_files_exact(tmp_path, digest):
    v = _unit(3)
    assert sv.write(tmp_path / "half.npz", ["a", "b", "c"], v.astype(np.float16)) == 3
    assert sv.write(tmp_path / "exact.npz", ["a", "b", "c"], v) == 3
    half, exact = sv.load(tmp_path / "half.npz"), sv.load(tmp_path / "exact.npz")
    assert half.rows == exact.rows == {"a": 0, "b": 1, "c": 2}
    assert half.float16 and not exact.float16
    np.testing.assert_array_equal(half.vectors, sv.rounded(v))
    np.testing.assert_array_equal(exact.vectors, v)
    with pytest.raises(ValueError, match="distinct"):
        sv.write(tmp_path / "dup.npz", ["a", "a", "c"], v)
    with pytest.raises(ValueError, match="shape"):
        sv.write(tmp_path / "short.npz", ["a", "b"], v)


def test_a_file_of_another_model_or_a_broken_file_is_not_used(tmp_path, digest, monkeypatch):
    sv.write(tmp_path / "v.npz", ["a"], _unit(1))
    assert sv.load(tmp_path / "v.npz") is not None
    sv.load.cache_clear()
    monkeypatch.setattr(embeddings, "model_digest", lambda path=None: "b" * 64)
    assert sv.load(tmp_path / "v.npz") is None
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    assert sv.load(tmp_path / "broken.npz") is None
    assert sv.load(tmp_path / "missing.npz") is None


def test_embed_looks_up_shipped_texts_and_rounds_the_others(tmp_path, digest, monkeypatch):
    shipped = _unit(2, seed=1)
    sv.write(tmp_path / "v.npz", ["x", "y"], shipped.astype(np.float16))
    fresh = _unit(1, seed=2)
    calls = []

    def fake_embed(texts, *, persist):
        calls.append((list(texts), persist))
        return fresh[[0] * len(texts)]

    monkeypatch.setattr(embeddings, "embed", fake_embed)
    out = sv.embed(["y", "new", "x", "new"], persist=False, path=tmp_path / "v.npz")
    assert calls == [(["new"], False)]  # only the text that does not ship, once
    np.testing.assert_array_equal(out, sv.rounded(np.stack([shipped[1], fresh[0], shipped[0], fresh[0]])))
    calls.clear()
    np.testing.assert_array_equal(sv.embed(["x", "y"], persist=True, path=tmp_path / "v.npz"), sv.rounded(shipped))
    assert calls == []  # every text ships: the model is not used
    assert sv.embed([], persist=True, path=tmp_path / "v.npz").shape == (0, embeddings.DIM)
    np.testing.assert_array_equal(sv.embed(["x"], persist=True, path=None), sv.rounded(fresh))
    sv.write(tmp_path / "exact.npz", ["x"], shipped[:1])
    with pytest.raises(ValueError, match="float32"):
        sv.embed(["x"], persist=True, path=tmp_path / "exact.npz")
