"""Lesson 15's experiment in one call: train the dual encoder, embed the held-out pairs with the
trained and with the untrained (random-init) model, and measure what the page shows: retrieval
both ways, the modality gap, a 2-D PCA map and the image share of a mixed index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from playground.cases import clip_metrics, clip_training


@dataclass
class ClipExperiment:
    """A trained dual encoder and its held-out measurements.

    Attributes
    ----------
    record : clip_training.Trained
        The model and its training curves.
    images, texts : numpy.ndarray
        Held-out image and caption embeddings of the trained model (unit rows, same order).
    retrieval, init_retrieval : clip_metrics.Retrieval
        Held-out recall@k both ways of the trained and of the untrained model.
    init_gap : float
        Modality gap (centroid distance) of the untrained model.
    pca : tuple of numpy.ndarray
        2-D coordinates of ``[images; texts]`` and the share of variance of the two components.
    mixed : dict
        ``{close_gap: share of images among each caption's top 10 in one mixed index}``.
    """

    record: clip_training.Trained
    images: np.ndarray
    texts: np.ndarray
    retrieval: clip_metrics.Retrieval
    init_retrieval: clip_metrics.Retrieval
    init_gap: float
    pca: tuple[np.ndarray, np.ndarray]
    mixed: dict[bool, float]


def run(train_images: np.ndarray, train_features: np.ndarray, test_images: np.ndarray,
        test_features: np.ndarray, scene_keys: np.ndarray, settings: clip_training.TrainSettings,
        progress: Callable[[float, str], None] | None = None) -> ClipExperiment:
    """Train on the training pairs (held-out loss per epoch) and measure on the held-out pairs.

    ``train_features`` / ``test_features`` are the frozen caption features; ``scene_keys`` marks
    held-out pairs showing the same scene (any of them counts as a hit); ``progress(fraction,
    text)`` follows training."""
    record = clip_training.train(train_images, train_features, settings,
                                 heldout=(test_images, test_features), progress=progress)
    images = clip_training.embed(record.model, images=test_images)
    texts = clip_training.embed(record.model, text_features=test_features)
    start = clip_training.init_model(settings)
    init_images = clip_training.embed(start, images=test_images)
    init_texts = clip_training.embed(start, text_features=test_features)
    return ClipExperiment(
        record=record, images=images, texts=texts,
        retrieval=clip_metrics.evaluate(images, texts, scene_keys),
        init_retrieval=clip_metrics.evaluate(init_images, init_texts, scene_keys),
        init_gap=clip_metrics.modality_gap(init_images, init_texts),
        pca=clip_metrics.pca_2d(np.vstack([images, texts])),
        mixed={closed: clip_metrics.mixed_index_image_share(images, texts, k=10, close_gap=closed)
               for closed in (False, True)})
