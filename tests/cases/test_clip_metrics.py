"""Lesson 15 metrics: recall@k, chance, zero-shot, the modality gap and the mixed index
(against direct computations and brute force)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.decomposition import PCA

from playground.cases import clip_metrics


def _unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _recall_brute(sim, rel, k):
    hits = 0
    for q in range(len(sim)):
        ranked = sorted(range(sim.shape[1]), key=lambda c: -sim[q, c])[:k]
        hits += any(rel[q, c] for c in ranked)
    return hits / len(sim)


def _mixed_brute(img, txt, k):
    items = [("img", v) for v in img] + [("txt", v) for v in txt]
    shares = []
    for q, query in enumerate(txt):
        scored = [(-float(query @ v), i, kind) for i, (kind, v) in enumerate(items)
                  if i != len(img) + q]
        shares.append(np.mean([kind == "img" for _, _, kind in sorted(scored)[:k]]))
    return float(np.mean(shares))


def test_recall_at_k_matches_brute_force():
    rng = np.random.default_rng(3)
    sim = rng.normal(size=(40, 60))
    rel = rng.random((40, 60)) < 0.04
    got = clip_metrics.recall_at_k(sim, rel, ks=(1, 3, 5, 10, 60))
    for k, value in got.items():
        assert value == pytest.approx(_recall_brute(sim, rel, k))
    assert got[60] == pytest.approx(np.mean(rel.any(axis=1)))


def test_recall_at_k_rejects_bad_input():
    with pytest.raises(ValueError, match="differ in shape"):
        clip_metrics.recall_at_k(np.zeros((2, 3)), np.zeros((3, 2), bool))
    with pytest.raises(ValueError, match="no queries"):
        clip_metrics.recall_at_k(np.zeros((0, 3)), np.zeros((0, 3), bool))


def test_chance_recall_matches_combinatorics_and_simulation():
    rel_counts = np.array([1, 2, 5])
    for count in rel_counts:
        exact = 1 - math.comb(30 - count, 4) / math.comb(30, 4)
        assert clip_metrics.chance_recall(30, np.array([count]), 4) == pytest.approx(exact)
    rng = np.random.default_rng(4)
    sim = rng.random((20000, 30))
    rel = np.zeros((20000, 30), bool)
    rel[:, :3] = True
    assert clip_metrics.recall_at_k(sim, rel, ks=(4,))[4] == pytest.approx(
        clip_metrics.chance_recall(30, np.full(20000, 3), 4), abs=0.01)


def test_evaluate_uses_scene_equality_both_ways():
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 15, size=50)
    img, txt = _unit(rng.normal(size=(50, 8))), _unit(rng.normal(size=(50, 8)))
    result = clip_metrics.evaluate(img, txt, keys)
    rel = keys[:, None] == keys[None, :]
    sim = img @ txt.T
    for k in clip_metrics.KS:
        assert result.image_to_text[k] == pytest.approx(_recall_brute(sim, rel, k))
        assert result.text_to_image[k] == pytest.approx(_recall_brute(sim.T, rel.T, k))
    # perfectly aligned embeddings find their pair first
    perfect = clip_metrics.evaluate(img, img, np.arange(50))
    assert perfect.image_to_text[1] == perfect.text_to_image[1] == 1.0


def test_top_k():
    cands = _unit(np.random.default_rng(6).normal(size=(30, 4)))
    idx, scores = clip_metrics.top_k(cands[7], cands, 5)
    assert idx[0] == 7 and scores[0] == pytest.approx(1.0)
    assert list(idx) == list(np.argsort(-(cands @ cands[7]))[:5])
    assert len(clip_metrics.top_k(cands[0], cands, 100)[0]) == 30
    with pytest.raises(ValueError, match="nothing to search"):
        clip_metrics.top_k(cands[0], cands[:0], 3)


def test_zero_shot_accuracy_matches_loop():
    rng = np.random.default_rng(7)
    img, prompts = _unit(rng.normal(size=(25, 6))), _unit(rng.normal(size=(4, 6)))
    labels = rng.integers(0, 4, size=25)
    acc, pred = clip_metrics.zero_shot_accuracy(img, prompts, labels)
    loop = [max(range(4), key=lambda c: float(img[i] @ prompts[c])) for i in range(25)]
    assert list(pred) == loop
    assert acc == pytest.approx(np.mean(np.array(loop) == labels))


def test_class_prompts():
    assert clip_metrics.class_prompts("colour")[0] == "a picture of red shapes"
    assert clip_metrics.class_prompts("shape", "{}")[3] == "crosses"
    assert len(clip_metrics.class_prompts("position", "photo: {}")) == 4
    with pytest.raises(ValueError, match="exactly one"):
        clip_metrics.class_prompts("colour", "no placeholder")
    with pytest.raises(ValueError, match="unknown attribute"):
        clip_metrics.class_prompts("texture")


def test_modality_gap_and_pca():
    rng = np.random.default_rng(8)
    img = _unit(rng.normal(size=(40, 5)) + 2.0)
    txt = _unit(rng.normal(size=(30, 5)) - 1.0)
    assert clip_metrics.modality_gap(img, txt) == pytest.approx(
        math.dist(img.mean(axis=0).tolist(), txt.mean(axis=0).tolist()))
    assert clip_metrics.modality_gap(img, img) == pytest.approx(0.0, abs=1e-12)
    points = np.vstack([img, txt])
    coords, share = clip_metrics.pca_2d(points)
    ref = PCA(n_components=2).fit(points)
    expected = ref.transform(points)
    for c in range(2):
        sign = np.sign(coords[:, c] @ expected[:, c])
        np.testing.assert_allclose(sign * coords[:, c], expected[:, c], atol=1e-8)
    np.testing.assert_allclose(share, ref.explained_variance_ratio_, rtol=1e-8)


def test_mixed_index_share_matches_brute_force_and_gap_matters():
    rng = np.random.default_rng(9)
    base = rng.normal(size=(30, 6))
    img = _unit(base + rng.normal(scale=0.3, size=base.shape) + [3, 0, 0, 0, 0, 0])
    txt = _unit(base + rng.normal(scale=0.3, size=base.shape) - [3, 0, 0, 0, 0, 0])
    assert clip_metrics.mixed_index_image_share(img, txt, k=5) == pytest.approx(_mixed_brute(img, txt, 5))
    centred = clip_metrics._unit(img - img.mean(axis=0)), clip_metrics._unit(txt - txt.mean(axis=0))
    assert clip_metrics.mixed_index_image_share(img, txt, k=5, close_gap=True) == pytest.approx(
        _mixed_brute(*centred, 5))
    # a big gap keeps text queries among texts; closing it lets images in
    assert clip_metrics.mixed_index_image_share(img, txt, k=5) < 0.1
    assert clip_metrics.mixed_index_image_share(img, txt, k=5, close_gap=True) > 0.3
