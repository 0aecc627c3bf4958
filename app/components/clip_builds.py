"""Lesson 15's cached builds: the shipped image–caption set, its frozen MiniLM caption features,
the untrained and the trained dual encoder, and scores of CLIP weights a host supplies."""

from __future__ import annotations

import numpy as np

from components.cache import cached
from playground.cases import clip_data, clip_experiment, clip_model, clip_pretrained, clip_training

REAL_CLIP_IMAGES = 200  # held-out images scored with user-supplied CLIP weights (CPU budget)


@cached("Loading the shipped image–caption set…")
def dataset():
    data = clip_data.load()
    return data.subset("train"), data.subset("test")


@cached("Encoding the captions with the frozen MiniLM (once)…")
def caption_features(_train, _test):
    """MiniLM vectors of the shipped captions (train, test); the arguments are the shipped splits."""
    return (clip_model.caption_features(_train.captions, persist=True),
            clip_model.caption_features(_test.captions, persist=True))


@cached()
def text_features(texts: tuple[str, ...]) -> np.ndarray:
    return clip_model.caption_features(list(texts), persist=False)


@cached()
def untrained(settings: clip_training.TrainSettings, _test, _test_feats) -> tuple:
    """Held-out retrieval and modality gap of the towers before training."""
    return clip_experiment.untrained(_test.images, _test_feats, _test.scene_keys(), settings)


@cached("Training the dual encoder…")
def trained(settings: clip_training.TrainSettings, _train, _test, _features,
            progress=None) -> clip_experiment.ClipExperiment:
    """The model trained with ``settings`` and its held-out measurements (the data arguments are
    the shipped splits and their caption features)."""
    (train_feats, test_feats), report = _features, progress or (lambda fraction, message: None)
    return clip_experiment.run(_train.images, train_feats, _test.images, test_feats, _test.scene_keys(), settings,
                               progress=lambda fraction, message: report(fraction, f"Training: {message}"))


@cached(f"Scoring {REAL_CLIP_IMAGES} held-out images with CLIP…")
def real_clip_scores(folder: str):
    """recall@k both ways, zero-shot colour accuracy and the gap of user-supplied CLIP weights."""
    _, test = dataset()
    n = REAL_CLIP_IMAGES
    return clip_pretrained.heldout_scores(clip_pretrained.RealClip(folder), test.images[:n], test.captions[:n],
                                          test.labels[:n, 0], test.scene_keys()[:n])


def embed_texts(model, texts: list[str]) -> np.ndarray:
    """Texts through the frozen MiniLM (cached per text tuple, never on disk) and ``model``'s text tower."""
    return clip_training.embed(model, text_features=text_features(tuple(texts)))
