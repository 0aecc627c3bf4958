"""Lesson 15: the CLIP-style dual encoder's towers and its frozen text features.

Image tower: a small CNN over 48×48 RGB pixels. Text tower: the packaged all-MiniLM-L6-v2,
frozen, followed by a trained two-layer projection (the MiniLM sentence vectors of the captions
are computed once and cached on disk by :func:`playground.embeddings.embed`). Both towers end in an L2-normalised ``dim``-vector; the
similarity of an image and a caption is their cosine, and the training logits are cosines
divided by a temperature τ (fixed, or learned as CLIP does).
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from playground import embeddings
from playground.cases import clip_data

TEXT_DIM = 384  # all-MiniLM-L6-v2
MAX_SCALE = 100.0  # CLIP clamps the learned logit scale 1/τ at 100

TORCH_THREADS = 1  # on a shared 2-core box one thread trains ~4x faster than two (measured)


@contextmanager
def torch_threads(n: int = TORCH_THREADS):
    """Run torch with ``n`` intra-op threads, then restore the previous setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, int(n)))
    try:
        yield
    finally:
        torch.set_num_threads(before)


# ---- towers ---------------------------------------------------------------------------------


class ImageTower(nn.Module):
    """Three stride-2 conv layers (16, 24, 32 channels: 48 → 24 → 12 → 6 pixels), flattened so
    the head still knows *where* things are, then projected to ``dim``."""

    def __init__(self, dim: int, size: int = clip_data.IMAGE_SIZE) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 4, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 24, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(24, 32, 3, stride=2, padding=1), nn.ReLU(),
        )
        side = size // 8
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * side * side, 128), nn.ReLU(),
                                  nn.Linear(128, dim))

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(pixels))


class TextTower(nn.Module):
    """A trained projection of frozen MiniLM sentence vectors (384 → 256 → ``dim``)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(TEXT_DIM, 256), nn.ReLU(), nn.Linear(256, dim))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(features)


class DualEncoder(nn.Module):
    """Image tower + text tower + logit scale ``log(1/τ)`` (a parameter when learned)."""

    def __init__(self, dim: int, temperature: float, learn_temperature: bool) -> None:
        super().__init__()
        self.image = ImageTower(dim)
        self.text = TextTower(dim)
        self.log_scale = nn.Parameter(torch.tensor(math.log(1.0 / temperature)),
                                      requires_grad=learn_temperature)

    def temperature(self) -> torch.Tensor:
        """Current τ = 1 / min(exp(log_scale), 100)."""
        return 1.0 / self.log_scale.exp().clamp(max=MAX_SCALE)

    def encode_images(self, pixels: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.image(pixels), dim=-1)

    def encode_texts(self, features: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.text(features), dim=-1)


def to_pixels(images: np.ndarray) -> torch.Tensor:
    """uint8 ``(n, H, W, 3)`` → float ``(n, 3, H, W)`` scaled to about [-1, 1]."""
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"images must have shape (n, H, W, 3), got {images.shape}")
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 127.5 - 1.0


# ---- caption features (frozen MiniLM, cached on disk) ---------------------------------------


def caption_features(texts: list[str], persist: bool) -> np.ndarray:
    """MiniLM sentence vectors (unit norm, 384-d) of ``texts``.

    Unique texts are encoded once; with ``persist`` the vectors are kept in the shared embedding
    cache (:func:`playground.embeddings.embed`); pass ``False`` for text a visitor typed.
    """
    if not texts:
        return np.zeros((0, TEXT_DIM), np.float32)
    with torch_threads():
        return embeddings.embed(texts, persist=persist)
