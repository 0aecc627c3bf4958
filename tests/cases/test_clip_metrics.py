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


def _retrieval(i2t, t2i, chance):
    ks = clip_metrics.KS
    return clip_metrics.Retrieval(dict(zip(ks, i2t)), dict(zip(ks, t2i)), dict(zip(ks, chance)),
                                  dict(zip(ks, chance)), 100)


def test_recall_table_lays_out_both_models_by_k():
    table = clip_metrics.recall_table(_retrieval([0.3, 0.6, 0.8], [0.2, 0.5, 0.7], [0.01, 0.05, 0.1]),
                                      _retrieval([0.01, 0.04, 0.1], [0.02, 0.05, 0.09], [0.01, 0.05, 0.1]))
    assert table.k.tolist() == [1, 5, 10]
    assert table.iloc[2].tolist() == [10, 0.8, 0.7, 0.1, 0.09, 0.1]


def test_ranked_captions_by_brute_force():
    rng = np.random.default_rng(0)
    img, txt = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    captions, keys = [f"c{i}" for i in range(6)], np.array([0, 1, 0, 1, 2, 0])
    table = clip_metrics.ranked_captions(2, img, txt, captions, keys, 3)
    order = np.argsort(-(txt @ img[2]))[:3]
    assert table.caption.tolist() == [captions[i] for i in order]
    assert table["rank"].tolist() == [1, 2, 3]
    np.testing.assert_allclose(table.cosine, np.round((txt @ img[2])[order], 3))
    assert table["same scene"].tolist() == ["✓" if keys[i] == keys[2] else "" for i in order]


def test_zero_shot_by_attribute_chance_and_the_weakest_attribute():
    labels = np.zeros((3, len(clip_metrics.ATTRIBUTES)), dtype=int)
    labels[:, 0] = [0, 1, 1]
    images = np.eye(3)
    # every prompt set embeds as the first basis vectors: images 0, 1 pick class 0, 1; image 2 class 0
    accuracy = clip_metrics.zero_shot_by_attribute(images, labels, "a {}",
                                                   lambda prompts: np.eye(len(prompts), 3))
    assert list(accuracy) == list(clip_metrics.ATTRIBUTES)
    first = list(clip_metrics.ATTRIBUTES)[0]
    assert accuracy[first] == pytest.approx(2 / 3)
    assert clip_metrics.chance_accuracy(first) == 1 / len(clip_metrics.ATTRIBUTES[first])
    lifts = {a: accuracy[a] - 1 / len(v) for a, v in clip_metrics.ATTRIBUTES.items()}
    assert clip_metrics.weakest_attribute(accuracy) == min(lifts, key=lifts.get)


def test_centroids_2d_by_hand():
    coords = np.array([[0.0, 0.0], [2.0, 2.0], [10.0, 0.0], [10.0, 4.0], [10.0, 2.0]])
    assert clip_metrics.centroids_2d(coords, 2) == ([1.0, 10.0], [1.0, 2.0])
