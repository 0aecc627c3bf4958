"""Lesson 15: training the dual encoder with symmetric InfoNCE (the CLIP loss), and embedding with it."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch.nn import functional as F

from playground.cases.clip_model import DualEncoder, to_pixels, torch_threads

TEMPERATURES = ("0.01", "0.03", "0.07", "0.1", "0.3", "1")  # the page's choices (as link text)


# ---- losses ---------------------------------------------------------------------------------


def info_nce(image_emb: torch.Tensor, text_emb: torch.Tensor, temperature: float | torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Symmetric InfoNCE (the CLIP loss) of a batch of matched pairs.

    Row ``i`` of ``image_emb`` and row ``i`` of ``text_emb`` are a pair; every other row of the
    batch is a negative. Embeddings are expected L2-normalised.

    Parameters
    ----------
    image_emb, text_emb : Tensor, shape (B, d)
    temperature : float or 0-d Tensor
        τ > 0; logits are cosines / τ.

    Returns
    -------
    loss, loss_image_to_text, loss_text_to_image : 0-d Tensors
        ``loss`` is the mean of the two directions (nats per pair).
    """
    if image_emb.shape != text_emb.shape:
        raise ValueError(f"image batch {tuple(image_emb.shape)} and text batch "
                         f"{tuple(text_emb.shape)} differ in shape")
    logits = image_emb @ text_emb.T / temperature
    target = torch.arange(len(logits), device=logits.device)
    i2t = F.cross_entropy(logits, target)
    t2i = F.cross_entropy(logits.T, target)
    return (i2t + t2i) / 2, i2t, t2i


def loss_floor(batch_size: int, temperature: float) -> float:
    """The lowest symmetric InfoNCE a batch of ``B`` pairs can reach at temperature τ.

    Every pair is perfectly aligned (cosine 1) and the ``B`` pairs are spread as a regular simplex
    (cosine ``-1/(B-1)`` between different pairs, which needs ``dim ≥ B - 1``):
    ``ln(1 + (B - 1) · exp(-(1 + 1/(B - 1)) / τ))`` nats. At τ = 1 this stays far above 0: a
    high temperature caps how confidently the model can pick the pair.
    """
    if batch_size < 2:
        raise ValueError(f"a contrastive batch needs at least 2 pairs (got {batch_size})")
    if temperature <= 0:
        raise ValueError(f"temperature must be positive (got {temperature})")
    b = float(batch_size)
    return float(math.log1p((b - 1) * math.exp(-(1 + 1 / (b - 1)) / temperature)))


# ---- training -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainSettings:
    """What a training run depends on (the page's cache key).

    epochs : passes over the training pairs; batch_size : pairs per step (each pair has
    ``batch_size - 1`` in-batch negatives); dim : shared embedding dimension; temperature : τ,
    the initial value when ``learn_temperature``; lr : Adam learning rate; seed : init and order.
    """

    epochs: int = 6
    batch_size: int = 64
    dim: int = 32
    temperature: float = 0.07
    learn_temperature: bool = False
    lr: float = 2e-3
    seed: int = 0

    def check(self, n_train: int) -> None:
        """Raise ``ValueError`` for settings that cannot train."""
        if self.epochs < 1:
            raise ValueError(f"epochs must be at least 1 (got {self.epochs})")
        if self.batch_size < 2:
            raise ValueError(f"a contrastive batch needs at least 2 pairs (got {self.batch_size})")
        if self.batch_size > n_train:
            raise ValueError(f"batch size ({self.batch_size}) cannot exceed the {n_train} training pairs")
        if self.dim < 2:
            raise ValueError(f"the embedding dimension must be at least 2 (got {self.dim})")
        if not 0 < self.temperature <= 10:
            raise ValueError(f"temperature must be in (0, 10] (got {self.temperature})")


@dataclass
class Trained:
    """A trained dual encoder and its training record.

    step_loss : training loss per step (nats); epoch_loss, heldout_loss : per epoch means;
    temperature : τ after each epoch; seconds : wall time of training.
    """

    model: DualEncoder
    settings: TrainSettings
    step_loss: list[float] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)
    heldout_loss: list[float] = field(default_factory=list)
    temperature: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def loss_curves(self) -> dict[str, tuple[np.ndarray, list[float]]]:
        """The loss curves against epochs: ``step`` (each step at its fraction of an epoch),
        ``epoch`` (each epoch's mean at the epoch's middle) and ``heldout`` (at each epoch's end),
        as (x, loss in nats)."""
        steps_per_epoch = len(self.step_loss) // len(self.epoch_loss)
        return {"step": (np.arange(1, len(self.step_loss) + 1) / steps_per_epoch, self.step_loss),
                "epoch": (np.arange(1, len(self.epoch_loss) + 1) - 0.5, self.epoch_loss),
                "heldout": (np.arange(1, len(self.heldout_loss) + 1), self.heldout_loss)}

    def temperature_path(self) -> tuple[np.ndarray, list[float]]:
        """τ at the start (epoch 0) and after each epoch."""
        return np.arange(len(self.temperature) + 1), [self.settings.temperature, *self.temperature]


def chance_loss(batch_size: int) -> float:
    """Symmetric InfoNCE of a model that scores every pair of the batch alike: ``ln B`` nats."""
    if batch_size < 2:
        raise ValueError(f"a batch needs at least 2 pairs (got {batch_size})")
    return math.log(batch_size)


def init_model(settings: TrainSettings) -> DualEncoder:
    """The dual encoder exactly as :func:`train` starts it (random weights from ``settings.seed``)."""
    with torch.random.fork_rng():
        torch.manual_seed(settings.seed)
        model = DualEncoder(settings.dim, settings.temperature, settings.learn_temperature)
    return model.eval()


def _batches(n: int, size: int, generator: torch.Generator | None) -> list[torch.Tensor]:
    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    return [order[i:i + size] for i in range(0, n - size + 1, size)]  # full batches only


def _mean_loss(model: DualEncoder, pixels: torch.Tensor, feats: torch.Tensor, batch: int) -> float:
    losses = []
    with torch.no_grad():
        for idx in _batches(len(pixels), min(batch, len(pixels)), None):
            loss, _, _ = info_nce(model.encode_images(pixels[idx]), model.encode_texts(feats[idx]),
                                  model.temperature())
            losses.append(float(loss))
    return float(np.mean(losses))


def train(images: np.ndarray, text_features: np.ndarray, settings: TrainSettings,
          heldout: tuple[np.ndarray, np.ndarray] | None = None,
          progress: Callable[[float, str], None] | None = None) -> Trained:
    """Train a dual encoder on matched (image, caption-feature) pairs with symmetric InfoNCE.

    Parameters
    ----------
    images : uint8 array (n, H, W, 3)
    text_features : float array (n, 384)
        Frozen MiniLM vectors of the paired captions.
    settings : TrainSettings
    heldout : (images, text_features), optional
        Pairs on which the loss is also reported after each epoch.
    progress : callable(fraction, message), optional
        Called after every step.
    """
    if len(images) != len(text_features):
        raise ValueError(f"{len(images)} images but {len(text_features)} captions")
    settings.check(len(images))
    with torch_threads():
        return _train(images, text_features, settings, heldout, progress)


def _train(images, text_features, settings, heldout, progress) -> Trained:
    started = time.perf_counter()
    generator = torch.Generator().manual_seed(settings.seed)
    model = init_model(settings)
    # foreach: the same weights bit for bit as the per-parameter loop, in about half the time here
    optimiser = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=settings.lr, foreach=True)
    pixels = to_pixels(images)
    feats = torch.from_numpy(np.asarray(text_features, dtype=np.float32))
    held = None if heldout is None else (to_pixels(heldout[0]),
                                         torch.from_numpy(np.asarray(heldout[1], dtype=np.float32)))
    record = Trained(model, settings)
    steps_per_epoch = len(images) // settings.batch_size
    total = steps_per_epoch * settings.epochs
    done = 0
    for epoch in range(settings.epochs):
        model.train()
        epoch_losses = []
        for idx in _batches(len(images), settings.batch_size, generator):
            loss, _, _ = info_nce(model.encode_images(pixels[idx]), model.encode_texts(feats[idx]),
                                  model.temperature())
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            value = float(loss.detach())
            record.step_loss.append(value)
            epoch_losses.append(value)
            done += 1
            if progress is not None:
                progress(done / total, f"epoch {epoch + 1}/{settings.epochs}, step {done}/{total}, "
                                       f"loss {value:.3f}")
        model.eval()
        record.epoch_loss.append(float(np.mean(epoch_losses)))
        record.temperature.append(float(model.temperature().detach()))
        if held is not None:
            record.heldout_loss.append(_mean_loss(model, *held, settings.batch_size))
    record.seconds = time.perf_counter() - started
    return record


def embed(model: DualEncoder, images: np.ndarray | None = None,
          text_features: np.ndarray | None = None, batch: int = 512) -> np.ndarray:
    """Unit-norm embeddings of images (uint8) or of caption features, as float32 numpy."""
    if (images is None) == (text_features is None):
        raise ValueError("pass exactly one of images or text_features")
    out = []
    with torch.no_grad():
        if images is not None:
            for start in range(0, len(images), batch):
                out.append(model.encode_images(to_pixels(images[start:start + batch])))
        else:
            feats = torch.from_numpy(np.asarray(text_features, dtype=np.float32))
            for start in range(0, len(feats), batch):
                out.append(model.encode_texts(feats[start:start + batch]))
    if not out:
        return np.zeros((0, model.text.net[-1].out_features), dtype=np.float32)
    return torch.cat(out).numpy().astype(np.float32)
