"""Lesson 15 core: InfoNCE, retrieval metrics, zero-shot, modality gap, the data generator and the
trained dual encoder (against direct computations and brute force)."""

from __future__ import annotations

import json
import math
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from playground.cases import clip, clip_data

# ---- InfoNCE --------------------------------------------------------------------------------


def _unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _info_nce_loops(u, v, tau):
    """Symmetric InfoNCE with explicit log-sum-exp loops over python floats."""
    n = len(u)
    sim = [[sum(a * b for a, b in zip(u[i], v[j])) / tau for j in range(n)] for i in range(n)]
    i2t = t2i = 0.0
    for i in range(n):
        i2t -= sim[i][i] - math.log(sum(math.exp(sim[i][j]) for j in range(n)))
        t2i -= sim[i][i] - math.log(sum(math.exp(sim[j][i]) for j in range(n)))
    return (i2t / n + t2i / n) / 2, i2t / n, t2i / n


@pytest.mark.parametrize("tau", [0.05, 0.3, 1.0])
def test_info_nce_matches_explicit_loops(tau):
    rng = np.random.default_rng(1)
    u, v = _unit(rng.normal(size=(7, 5))), _unit(rng.normal(size=(7, 5)))
    loss, i2t, t2i = clip.info_nce(torch.tensor(u), torch.tensor(v), tau)
    ref = _info_nce_loops(u.tolist(), v.tolist(), tau)
    assert float(loss) == pytest.approx(ref[0], rel=1e-9)
    assert float(i2t) == pytest.approx(ref[1], rel=1e-9)
    assert float(t2i) == pytest.approx(ref[2], rel=1e-9)
    assert float(i2t) != pytest.approx(float(t2i))  # the two directions really differ


def test_info_nce_limits():
    # identical random embeddings with a tiny temperature: the pair wins every softmax
    rng = np.random.default_rng(2)
    u = torch.tensor(_unit(rng.normal(size=(16, 32))))
    assert float(clip.info_nce(u, u, 0.01)[0]) < 1e-3
    # all embeddings equal: every logit ties, loss is exactly ln B
    same = torch.ones(8, 4) / 2
    assert float(clip.info_nce(same, same, 0.07)[0]) == pytest.approx(math.log(8))
    with pytest.raises(ValueError, match="differ in shape"):
        clip.info_nce(torch.zeros(4, 3), torch.zeros(5, 3), 0.1)


@pytest.mark.parametrize("batch,tau", [(2, 0.5), (6, 1.0), (16, 0.07), (64, 1.0)])
def test_loss_floor_is_the_loss_of_aligned_pairs_on_a_simplex(batch, tau):
    simplex = np.eye(batch) - 1.0 / batch  # centred basis: cosine -1/(B-1) between different rows
    simplex = torch.tensor(_unit(simplex))
    assert float(clip.info_nce(simplex, simplex, tau)[0]) == pytest.approx(clip.loss_floor(batch, tau), rel=1e-9)
    rng = np.random.default_rng(batch)
    for _ in range(20):  # any other aligned batch does no better
        u = torch.tensor(_unit(rng.normal(size=(batch, batch))))
        assert float(clip.info_nce(u, u, tau)[0]) >= clip.loss_floor(batch, tau) - 1e-12
    with pytest.raises(ValueError):
        clip.loss_floor(1, tau)


# ---- retrieval metrics ----------------------------------------------------------------------


def _recall_brute(sim, rel, k):
    hits = 0
    for q in range(len(sim)):
        ranked = sorted(range(sim.shape[1]), key=lambda c: -sim[q, c])[:k]
        hits += any(rel[q, c] for c in ranked)
    return hits / len(sim)


def test_recall_at_k_matches_brute_force():
    rng = np.random.default_rng(3)
    sim = rng.normal(size=(40, 60))
    rel = rng.random((40, 60)) < 0.04
    got = clip.recall_at_k(sim, rel, ks=(1, 3, 5, 10, 60))
    for k, value in got.items():
        assert value == pytest.approx(_recall_brute(sim, rel, k))
    assert got[60] == pytest.approx(np.mean(rel.any(axis=1)))


def test_recall_at_k_rejects_bad_input():
    with pytest.raises(ValueError, match="differ in shape"):
        clip.recall_at_k(np.zeros((2, 3)), np.zeros((3, 2), bool))
    with pytest.raises(ValueError, match="no queries"):
        clip.recall_at_k(np.zeros((0, 3)), np.zeros((0, 3), bool))


def test_chance_recall_matches_combinatorics_and_simulation():
    rel_counts = np.array([1, 2, 5])
    for count in rel_counts:
        exact = 1 - math.comb(30 - count, 4) / math.comb(30, 4)
        assert clip.chance_recall(30, np.array([count]), 4) == pytest.approx(exact)
    rng = np.random.default_rng(4)
    sim = rng.random((20000, 30))
    rel = np.zeros((20000, 30), bool)
    rel[:, :3] = True
    assert clip.recall_at_k(sim, rel, ks=(4,))[4] == pytest.approx(
        clip.chance_recall(30, np.full(20000, 3), 4), abs=0.01)


def test_evaluate_uses_scene_equality_both_ways():
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 15, size=50)
    img, txt = _unit(rng.normal(size=(50, 8))), _unit(rng.normal(size=(50, 8)))
    result = clip.evaluate(img, txt, keys)
    rel = keys[:, None] == keys[None, :]
    sim = img @ txt.T
    for k in clip.KS:
        assert result.image_to_text[k] == pytest.approx(_recall_brute(sim, rel, k))
        assert result.text_to_image[k] == pytest.approx(_recall_brute(sim.T, rel.T, k))
    # perfectly aligned embeddings find their pair first
    perfect = clip.evaluate(img, img, np.arange(50))
    assert perfect.image_to_text[1] == perfect.text_to_image[1] == 1.0


def test_top_k():
    cands = _unit(np.random.default_rng(6).normal(size=(30, 4)))
    idx, scores = clip.top_k(cands[7], cands, 5)
    assert idx[0] == 7 and scores[0] == pytest.approx(1.0)
    assert list(idx) == list(np.argsort(-(cands @ cands[7]))[:5])
    assert len(clip.top_k(cands[0], cands, 100)[0]) == 30
    with pytest.raises(ValueError, match="nothing to search"):
        clip.top_k(cands[0], cands[:0], 3)


def test_zero_shot_accuracy_matches_loop():
    rng = np.random.default_rng(7)
    img, prompts = _unit(rng.normal(size=(25, 6))), _unit(rng.normal(size=(4, 6)))
    labels = rng.integers(0, 4, size=25)
    acc, pred = clip.zero_shot_accuracy(img, prompts, labels)
    loop = [max(range(4), key=lambda c: float(img[i] @ prompts[c])) for i in range(25)]
    assert list(pred) == loop
    assert acc == pytest.approx(np.mean(np.array(loop) == labels))


def test_class_prompts():
    assert clip.class_prompts("colour")[0] == "a picture of red shapes"
    assert clip.class_prompts("shape", "{}")[3] == "crosses"
    assert len(clip.class_prompts("position", "photo: {}")) == 4
    with pytest.raises(ValueError, match="exactly one"):
        clip.class_prompts("colour", "no placeholder")
    with pytest.raises(ValueError, match="unknown attribute"):
        clip.class_prompts("texture")


def test_modality_gap_and_pca():
    rng = np.random.default_rng(8)
    img = _unit(rng.normal(size=(40, 5)) + 2.0)
    txt = _unit(rng.normal(size=(30, 5)) - 1.0)
    assert clip.modality_gap(img, txt) == pytest.approx(
        math.dist(img.mean(axis=0).tolist(), txt.mean(axis=0).tolist()))
    assert clip.modality_gap(img, img) == pytest.approx(0.0, abs=1e-12)
    points = np.vstack([img, txt])
    coords, share = clip.pca_2d(points)
    ref = PCA(n_components=2).fit(points)
    expected = ref.transform(points)
    for c in range(2):
        sign = np.sign(coords[:, c] @ expected[:, c])
        np.testing.assert_allclose(sign * coords[:, c], expected[:, c], atol=1e-8)
    np.testing.assert_allclose(share, ref.explained_variance_ratio_, rtol=1e-8)


def _mixed_brute(img, txt, k):
    items = [("img", v) for v in img] + [("txt", v) for v in txt]
    shares = []
    for q, query in enumerate(txt):
        scored = [(-float(query @ v), i, kind) for i, (kind, v) in enumerate(items)
                  if i != len(img) + q]
        shares.append(np.mean([kind == "img" for _, _, kind in sorted(scored)[:k]]))
    return float(np.mean(shares))


def test_mixed_index_share_matches_brute_force_and_gap_matters():
    rng = np.random.default_rng(9)
    base = rng.normal(size=(30, 6))
    img = _unit(base + rng.normal(scale=0.3, size=base.shape) + [3, 0, 0, 0, 0, 0])
    txt = _unit(base + rng.normal(scale=0.3, size=base.shape) - [3, 0, 0, 0, 0, 0])
    assert clip.mixed_index_image_share(img, txt, k=5) == pytest.approx(_mixed_brute(img, txt, 5))
    centred = clip._unit(img - img.mean(axis=0)), clip._unit(txt - txt.mean(axis=0))
    assert clip.mixed_index_image_share(img, txt, k=5, close_gap=True) == pytest.approx(
        _mixed_brute(*centred, 5))
    # a big gap keeps text queries among texts; closing it lets images in
    assert clip.mixed_index_image_share(img, txt, k=5) < 0.1
    assert clip.mixed_index_image_share(img, txt, k=5, close_gap=True) > 0.3


# ---- data -----------------------------------------------------------------------------------


def test_generator_is_deterministic_by_seed():
    a, b, c = clip_data.generate(40, seed=3), clip_data.generate(40, seed=3), clip_data.generate(40, seed=4)
    assert np.array_equal(a.images, b.images) and a.captions == b.captions
    assert np.array_equal(a.labels, b.labels) and np.array_equal(a.split, b.split)
    assert not np.array_equal(a.images, c.images)


def test_captions_state_the_drawn_attributes():
    data = clip_data.generate(60, seed=5)
    names = list(clip_data.ATTRIBUTES)
    for i, caption in enumerate(data.captions):
        attrs = {n: clip_data.ATTRIBUTES[n][data.labels[i, j]] for j, n in enumerate(names)}
        words = caption.lower().replace(",", "").split()
        assert attrs["colour"] in words and attrs["size"] in words
        assert clip_data.POSITION_PHRASE[attrs["position"]] in caption.lower()
        assert ("a" if attrs["count"] == "one" else attrs["count"]) in words
        img = data.images[i].astype(int)
        # the named colour is present: some pixel is within the jitter of the base colour
        base = np.array(clip_data.COLOURS[attrs["colour"]])
        assert (np.abs(img - base).max(axis=-1) <= 25).any()
        # and it is drawn in the named half of the canvas only
        ys, xs = np.nonzero((np.abs(img - base).max(axis=-1) <= 25))
        half = clip_data.IMAGE_SIZE // 2
        inside = {"left": xs < half, "right": xs >= half, "top": ys < half, "bottom": ys >= half}
        assert inside[attrs["position"]].all()


def test_shipped_data_regenerates_from_its_seed():
    shipped = clip_data.load()
    again = clip_data.generate(len(shipped), seed=0)
    assert np.array_equal(shipped.images, again.images)
    assert shipped.captions == again.captions
    assert np.array_equal(shipped.labels, again.labels) and np.array_equal(shipped.split, again.split)
    lines = [json.loads(x) for x in (clip_data.DATA_DIR / "captions.jsonl").read_text().splitlines()]
    assert [x["caption"] for x in lines] == shipped.captions
    assert lines[5]["colour"] == clip_data.ATTRIBUTES["colour"][shipped.labels[5, 0]]
    assert (shipped.split == "test").sum() == 600


def test_generator_and_loader_reject_bad_input(tmp_path):
    with pytest.raises(ValueError, match="at least 10"):
        clip_data.generate(3)
    with pytest.raises(ValueError, match="between 0 and 1"):
        clip_data.generate(20, test_share=1.0)
    with pytest.raises(ValueError, match="no image"):
        clip_data.load(tmp_path)


def test_scene_keys_equal_iff_attributes_equal():
    data = clip_data.generate(80, seed=6)
    keys = data.scene_keys()
    for i, j in combinations(range(80), 2):
        assert (keys[i] == keys[j]) == bool((data.labels[i] == data.labels[j]).all())


# ---- training -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    data = clip_data.load()
    train, test = data.subset("train"), data.subset("test")
    return train, test, clip.caption_features(train.captions), clip.caption_features(test.captions)


@pytest.fixture(scope="module")
def trained(shipped):
    train, test, ftr, fte = shipped
    settings = clip.TrainSettings(epochs=3, batch_size=64, dim=32, temperature=0.07, seed=0)
    return clip.train(train.images, ftr, settings, heldout=(test.images, fte))


@pytest.mark.slow
def test_trained_dual_encoder_recall_is_far_above_chance_both_ways(shipped, trained):
    _, test, _, fte = shipped
    img = clip.embed(trained.model, images=test.images)
    txt = clip.embed(trained.model, text_features=fte)
    np.testing.assert_allclose(np.linalg.norm(img, axis=1), 1, atol=1e-5)
    result = clip.evaluate(img, txt, test.scene_keys())
    assert result.chance_image_to_text[10] < 0.05
    assert result.image_to_text[10] > 10 * result.chance_image_to_text[10]
    assert result.text_to_image[10] > 10 * result.chance_text_to_image[10]
    assert result.image_to_text[1] > 10 * result.chance_image_to_text[1]
    # the loss fell well below ln B, on training and held-out pairs
    assert trained.epoch_loss[-1] < trained.epoch_loss[0] < math.log(64) + 0.5
    assert trained.heldout_loss[-1] < 0.5 * math.log(64)
    # zero-shot colour from prompts the model never saw as captions
    prompts = clip.embed(trained.model, text_features=clip.caption_features(clip.class_prompts("colour")))
    acc, _ = clip.zero_shot_accuracy(img, prompts, test.labels[:, 0])
    assert acc > 3 / len(clip_data.COLOURS)


def test_training_is_deterministic_by_seed_and_reports_progress(shipped):
    train, _, ftr, _ = shipped
    settings = clip.TrainSettings(epochs=1, batch_size=32, dim=8, seed=3)
    calls = []
    a = clip.train(train.images[:128], ftr[:128], settings, progress=lambda f, m: calls.append(f))
    b = clip.train(train.images[:128], ftr[:128], settings)
    c = clip.train(train.images[:128], ftr[:128], clip.TrainSettings(epochs=1, batch_size=32, dim=8, seed=4))
    assert a.step_loss == b.step_loss and a.step_loss != c.step_loss
    assert calls[-1] == pytest.approx(1.0) and len(calls) == 4


def test_learned_temperature_moves_and_fixed_does_not(shipped):
    train, _, ftr, _ = shipped
    fixed = clip.train(train.images[:256], ftr[:256], clip.TrainSettings(epochs=1, batch_size=64, temperature=0.3))
    learned = clip.train(train.images[:256], ftr[:256],
                         clip.TrainSettings(epochs=1, batch_size=64, temperature=0.3, learn_temperature=True))
    assert fixed.temperature == [pytest.approx(0.3)]
    assert learned.temperature[0] != pytest.approx(0.3, abs=1e-4)


@pytest.mark.parametrize("kwargs,message", [
    ({"batch_size": 1}, "at least 2 pairs"),
    ({"batch_size": 5000}, "cannot exceed"),
    ({"epochs": 0}, "at least 1"),
    ({"dim": 1}, "at least 2"),
    ({"temperature": 0.0}, "temperature"),
])
def test_bad_settings_raise_value_error(kwargs, message):
    images = np.zeros((100, 48, 48, 3), np.uint8)
    with pytest.raises(ValueError, match=message):
        clip.train(images, np.zeros((100, clip.TEXT_DIM), np.float32), clip.TrainSettings(**kwargs))


def test_caption_features_are_minilm_vectors_and_cached(tmp_path, monkeypatch):
    from playground import embeddings

    monkeypatch.setattr(clip, "CACHE_DIR", tmp_path)
    texts = ["two red circles on the left", "a blue square", "two red circles on the left"]
    first = clip.caption_features(texts)
    np.testing.assert_allclose(first, embeddings.encode(texts), atol=1e-5)
    assert len(list(tmp_path.glob("*.npy"))) == 1
    monkeypatch.setattr(embeddings, "encode", lambda *a, **k: pytest.fail("cache not used"))
    np.testing.assert_array_equal(clip.caption_features(texts), first)


# ---- real CLIP weights ----------------------------------------------------------------------


def test_clip_path_validation(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        clip.check_clip_path("  ")
    # a missing folder, an impossible name and a folder without weights: one message, so the
    # check does not tell which folders exist on the server
    messages = set()
    for path in (tmp_path / "missing", "x" * 500, tmp_path, "a\x00b"):
        with pytest.raises(ValueError, match="no CLIP weights folder at") as err:
            clip.check_clip_path(str(path))
        messages.add(str(err.value).replace(str(path)[:200], "PATH"))
    assert len(messages) == 1
    with pytest.raises(ValueError, match="no CLIP weights folder at ~/x") as err:
        clip.check_clip_path("~/x")  # the typed text, not the expanded home directory
    assert str(Path.home()) not in str(err.value)
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(ValueError, match="no readable config.json"):
        clip.check_clip_path(str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "secret-token-123"}))
    with pytest.raises(ValueError, match="does not declare a CLIP model") as err:
        clip.check_clip_path(str(tmp_path))
    assert "secret-token-123" not in str(err.value)  # never echoes the file's content
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "clip"}))
    assert clip.check_clip_path(str(tmp_path)) == (tmp_path, "transformers")
    with pytest.raises(ValueError, match="could not load CLIP"):
        clip.RealClip(str(tmp_path))  # empty weights file


def tiny_clip_folder(folder):
    """A randomly initialised, tiny transformers CLIP with a character-level tokenizer."""
    from transformers import CLIPConfig, CLIPModel, CLIPTokenizer

    chars = [chr(c) for c in range(ord("a"), ord("z") + 1)] + list(",.'0123456789")
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({c + "</w>": len(chars) + i for i, c in enumerate(chars)})
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = len(vocab), len(vocab) + 1
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(vocab=str(folder / "vocab.json"), merges=str(folder / "merges.txt"))
    text = dict(vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                num_attention_heads=2, max_position_embeddings=77,
                bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"],
                pad_token_id=vocab["<|endoftext|>"])
    vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                  image_size=32, patch_size=8)
    torch.manual_seed(0)
    CLIPModel(CLIPConfig(text_config=text, vision_config=vision, projection_dim=16)).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_real_clip_transformers_folder_encodes_both_modalities(tmp_path):
    from transformers import CLIPModel

    folder = tiny_clip_folder(tmp_path)
    model = clip.RealClip(str(folder))
    data = clip_data.generate(12, seed=1)
    img, txt = model.encode_images(data.images), model.encode_texts(data.captions)
    assert img.shape == txt.shape == (12, 16)
    np.testing.assert_allclose(np.linalg.norm(txt, axis=1), 1, atol=1e-5)
    # same text vectors as calling the transformers model directly
    direct = CLIPModel.from_pretrained(str(folder)).eval()
    tokens = model.tokenizer(data.captions, padding=True, return_tensors="pt")
    with torch.no_grad():
        ref = torch.nn.functional.normalize(clip._tensor(direct.get_text_features(**tokens)), dim=-1)
    np.testing.assert_allclose(txt, ref.numpy(), atol=1e-5)
