"""Lesson 15 training: InfoNCE against explicit loops, the loss floor, and the trained dual encoder."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from playground.cases import clip_data, clip_metrics, clip_model, clip_training

pytestmark = pytest.mark.slow  # loads MiniLM, builds the RAG index or trains (see docs/CONTRIBUTING.md)


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


@pytest.fixture(scope="module")
def shipped():
    data = clip_data.load()
    train, test = data.subset("train"), data.subset("test")
    return (train, test, clip_model.caption_features(train.captions, persist=True),
            clip_model.caption_features(test.captions, persist=True))


@pytest.fixture(scope="module")
def trained(shipped):
    train, test, ftr, fte = shipped
    settings = clip_training.TrainSettings(epochs=3, batch_size=64, dim=32, temperature=0.07, seed=0)
    return clip_training.train(train.images, ftr, settings, heldout=(test.images, fte))


@pytest.mark.parametrize("tau", [0.05, 0.3, 1.0])
def test_info_nce_matches_explicit_loops(tau):
    rng = np.random.default_rng(1)
    u, v = _unit(rng.normal(size=(7, 5))), _unit(rng.normal(size=(7, 5)))
    loss, i2t, t2i = clip_training.info_nce(torch.tensor(u), torch.tensor(v), tau)
    ref = _info_nce_loops(u.tolist(), v.tolist(), tau)
    assert float(loss) == pytest.approx(ref[0], rel=1e-9)
    assert float(i2t) == pytest.approx(ref[1], rel=1e-9)
    assert float(t2i) == pytest.approx(ref[2], rel=1e-9)
    assert float(i2t) != pytest.approx(float(t2i))  # the two directions really differ


def test_info_nce_limits():
    # identical random embeddings with a tiny temperature: the pair wins every softmax
    rng = np.random.default_rng(2)
    u = torch.tensor(_unit(rng.normal(size=(16, 32))))
    assert float(clip_training.info_nce(u, u, 0.01)[0]) < 1e-3
    # all embeddings equal: every logit ties, loss is exactly ln B
    same = torch.ones(8, 4) / 2
    assert float(clip_training.info_nce(same, same, 0.07)[0]) == pytest.approx(math.log(8))
    with pytest.raises(ValueError, match="differ in shape"):
        clip_training.info_nce(torch.zeros(4, 3), torch.zeros(5, 3), 0.1)


@pytest.mark.parametrize("batch,tau", [(2, 0.5), (6, 1.0), (16, 0.07), (64, 1.0)])
def test_loss_floor_is_the_loss_of_aligned_pairs_on_a_simplex(batch, tau):
    simplex = np.eye(batch) - 1.0 / batch  # centred basis: cosine -1/(B-1) between different rows
    simplex = torch.tensor(_unit(simplex))
    floor = clip_training.loss_floor(batch, tau)
    assert float(clip_training.info_nce(simplex, simplex, tau)[0]) == pytest.approx(floor, rel=1e-9)
    rng = np.random.default_rng(batch)
    for _ in range(20):  # any other aligned batch does no better
        u = torch.tensor(_unit(rng.normal(size=(batch, batch))))
        assert float(clip_training.info_nce(u, u, tau)[0]) >= clip_training.loss_floor(batch, tau) - 1e-12
    with pytest.raises(ValueError):
        clip_training.loss_floor(1, tau)


@pytest.mark.slow
def test_trained_dual_encoder_recall_is_far_above_chance_both_ways(shipped, trained):
    _, test, _, fte = shipped
    img = clip_training.embed(trained.model, images=test.images)
    txt = clip_training.embed(trained.model, text_features=fte)
    np.testing.assert_allclose(np.linalg.norm(img, axis=1), 1, atol=1e-5)
    result = clip_metrics.evaluate(img, txt, test.scene_keys())
    assert result.chance_image_to_text[10] < 0.05
    assert result.image_to_text[10] > 10 * result.chance_image_to_text[10]
    assert result.text_to_image[10] > 10 * result.chance_text_to_image[10]
    assert result.image_to_text[1] > 10 * result.chance_image_to_text[1]
    # the loss fell well below ln B, on training and held-out pairs
    assert trained.epoch_loss[-1] < trained.epoch_loss[0] < math.log(64) + 0.5
    assert trained.heldout_loss[-1] < 0.5 * math.log(64)
    # zero-shot colour from prompts the model never saw as captions
    prompt_features = clip_model.caption_features(clip_metrics.class_prompts("colour"), persist=True)
    prompts = clip_training.embed(trained.model, text_features=prompt_features)
    acc, _ = clip_metrics.zero_shot_accuracy(img, prompts, test.labels[:, 0])
    assert acc > 3 / len(clip_data.COLOURS)


def test_training_is_deterministic_by_seed_and_reports_progress(shipped):
    train, _, ftr, _ = shipped
    settings = clip_training.TrainSettings(epochs=1, batch_size=32, dim=8, seed=3)
    calls = []
    a = clip_training.train(train.images[:128], ftr[:128], settings, progress=lambda f, m: calls.append(f))
    b = clip_training.train(train.images[:128], ftr[:128], settings)
    c = clip_training.train(train.images[:128], ftr[:128],
                            clip_training.TrainSettings(epochs=1, batch_size=32, dim=8, seed=4))
    assert a.step_loss == b.step_loss and a.step_loss != c.step_loss
    assert calls[-1] == pytest.approx(1.0) and len(calls) == 4


def test_learned_temperature_moves_and_fixed_does_not(shipped):
    train, _, ftr, _ = shipped
    fixed = clip_training.train(train.images[:256], ftr[:256],
                                clip_training.TrainSettings(epochs=1, batch_size=64, temperature=0.3))
    learned = clip_training.train(train.images[:256], ftr[:256],
                                  clip_training.TrainSettings(epochs=1, batch_size=64, temperature=0.3,
                                                              learn_temperature=True))
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
        clip_training.train(images, np.zeros((100, clip_model.TEXT_DIM), np.float32),
                            clip_training.TrainSettings(**kwargs))


def test_loss_curves_temperature_path_and_chance_loss_by_hand():
    settings = clip_training.TrainSettings(epochs=2, temperature=0.07, learn_temperature=True)
    record = clip_training.Trained(None, settings, step_loss=[4.0, 3.0, 2.0, 1.0], epoch_loss=[3.5, 1.5],
                                   heldout_loss=[3.0, 2.0], temperature=[0.06, 0.05])
    curves = record.loss_curves()
    np.testing.assert_allclose(curves["step"][0], [0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(curves["epoch"][0], [0.5, 1.5])
    np.testing.assert_allclose(curves["heldout"][0], [1, 2])
    assert curves["heldout"][1] == [3.0, 2.0]
    epochs, taus = record.temperature_path()
    assert epochs.tolist() == [0, 1, 2] and taus == [0.07, 0.06, 0.05]
    assert clip_training.chance_loss(64) == pytest.approx(math.log(64))
    with pytest.raises(ValueError):
        clip_training.chance_loss(1)
