"""Lesson 15's train → embed → evaluate → PCA chain against brute force, scikit-learn's PCA and a
direct call of the training function."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA

from playground.cases import clip_data, clip_experiment, clip_model, clip_training


@pytest.fixture(scope="module")
def experiment():
    data = clip_data.load()
    train, test = data.subset("train"), data.subset("test")
    ftr = clip_model.caption_features(train.captions, persist=True)
    fte = clip_model.caption_features(test.captions, persist=True)
    settings = clip_training.TrainSettings(epochs=1, batch_size=64, dim=16, temperature=0.07, seed=3)
    fractions = []
    run = clip_experiment.run(train.images, ftr, test.images, fte, test.scene_keys(), settings,
                              progress=lambda f, _: fractions.append(f))
    return run, (train, test, ftr, fte, settings), fractions


def test_training_is_the_plain_training_run(experiment):
    run, (train, test, ftr, fte, settings), fractions = experiment
    direct = clip_training.train(train.images, ftr, settings, heldout=(test.images, fte))
    assert run.record.epoch_loss == pytest.approx(direct.epoch_loss)
    assert run.record.heldout_loss == pytest.approx(direct.heldout_loss)
    assert fractions and fractions[-1] == pytest.approx(1.0)


def test_recall_is_brute_force_recall_on_the_held_out_embeddings(experiment):
    run, (_, test, *_), _ = experiment
    keys = np.asarray(test.scene_keys())
    sim = run.images @ run.texts.T
    for k in (1, 10):
        hits = [np.any(keys[np.argsort(-sim[i], kind="stable")[:k]] == keys[i]) for i in range(len(keys))]
        assert run.retrieval.image_to_text[k] == pytest.approx(np.mean(hits))
    assert np.allclose(np.linalg.norm(run.images, axis=1), 1, atol=1e-5)


def test_pca_matches_scikit_learn(experiment):
    run, *_ = experiment
    points = np.vstack([run.images, run.texts])
    reference = PCA(n_components=2).fit(points)
    coords, share = run.pca
    assert share == pytest.approx(reference.explained_variance_ratio_, rel=1e-4)
    assert np.allclose(np.abs(coords), np.abs(reference.transform(points)), atol=1e-4)


def test_untrained_gap_and_mixed_index_by_hand(experiment):
    run, (_, test, _, fte, settings), _ = experiment
    start = clip_training.init_model(settings)
    images = clip_training.embed(start, images=test.images)
    texts = clip_training.embed(start, text_features=fte)
    assert run.init_gap == pytest.approx(np.linalg.norm(images.mean(0) - texts.mean(0)))
    n = len(run.images)
    index = np.vstack([run.images, run.texts])
    shares = []
    for j in range(n):  # every caption searched by brute force, itself excluded
        scores = run.texts[j] @ index.T
        scores[n + j] = -np.inf
        shares.append(np.mean(np.argsort(-scores, kind="stable")[:10] < n))
    assert run.mixed[False] == pytest.approx(np.mean(shares))
