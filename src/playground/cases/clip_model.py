"""Lesson 15: the CLIP-style dual encoder's towers and its frozen text features.

Image tower: a small CNN over 48×48 RGB pixels. Text tower: the packaged all-MiniLM-L6-v2,
frozen, followed by a trained two-layer projection. The MiniLM sentence vectors of the shipped
captions (and of the page's default query and zero-shot prompts) ship in
``data/samples/clip/caption_features.npz`` (:data:`SHIPPED_FEATURES`, float16, checked against the
installed model's files); any other text is embedded and cached on disk by
:func:`playground.embeddings.embed`. Both towers end in an L2-normalised ``dim``-vector; the
similarity of an image and a caption is their cosine, and the training logits are cosines
divided by a temperature τ (fixed, or learned as CLIP does).
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from playground import embeddings, shipped_vectors
from playground.cases import clip_data, clip_metrics

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


# ---- caption features (frozen MiniLM: shipped for the shipped texts, else cached on disk) -------

SHIPPED_FEATURES = clip_data.DATA_DIR / "caption_features.npz"
"""float16 MiniLM vectors of :func:`shipped_texts`, with the digest of the model that made them
(written by ``scripts/build_clip_data.py --features``; see data/samples/clip/README.md)."""
DEFAULT_QUERY = "two large red circles on the left"
"""The lesson page's default free-text query."""


def shipped_texts(data: clip_data.CaptionedImages | None = None) -> list[str]:
    """The texts whose vectors ship: every caption of the shipped set, the default query and
    the zero-shot prompts of every attribute with the default template (distinct, in order)."""
    data = clip_data.load() if data is None else data
    prompts = [p for attribute in clip_data.ATTRIBUTES for p in clip_metrics.class_prompts(attribute)]
    return list(dict.fromkeys([*data.captions, DEFAULT_QUERY, *prompts]))


def shipped_features(path: Path = SHIPPED_FEATURES) -> shipped_vectors.Table | None:
    """The shipped caption vectors (:func:`playground.shipped_vectors.load`) when the installed
    MiniLM is the model that made them, else ``None``."""
    return shipped_vectors.load(path)


def write_shipped_features(path: Path = SHIPPED_FEATURES, texts: list[str] | None = None) -> int:
    """Embed :func:`shipped_texts` (or ``texts``) with the installed MiniLM and write them to
    ``path`` as float16 with the model's digest; returns the number of texts."""
    texts = shipped_texts() if texts is None else list(dict.fromkeys(texts))
    with torch_threads():
        vectors = embeddings.encode(texts)
    return shipped_vectors.write(path, texts, vectors.astype(np.float16))


def caption_features(texts: list[str], persist: bool) -> np.ndarray:
    """MiniLM sentence vectors (unit norm, 384-d, rounded through float16) of ``texts``.

    Shipped texts (:func:`shipped_features`) are looked up without loading the model; the others
    are encoded once and, with ``persist``, kept in the shared embedding cache
    (:func:`playground.shipped_vectors.embed`); pass ``False`` for text a visitor typed.
    """
    with torch_threads():
        return shipped_vectors.embed(texts, persist=persist, path=SHIPPED_FEATURES)
