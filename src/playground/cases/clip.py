"""Lesson 15: a CLIP-style dual encoder trained with symmetric InfoNCE, cross-modal search and its
evaluation (recall@k both ways, zero-shot accuracy, the modality gap).

Image tower: a small CNN over 48×48 RGB pixels. Text tower: the packaged all-MiniLM-L6-v2,
frozen, followed by a trained two-layer projection (the MiniLM sentence vectors of the captions
are computed once and cached on disk). Both towers end in an L2-normalised ``dim``-vector; the
similarity of an image and a caption is their cosine, and the training logits are cosines
divided by a temperature τ (fixed, or learned as CLIP does).

Evaluation counts a retrieved item as relevant when it shows (or describes) exactly the same scene
as the query's pair: the five attributes are equal. Captions of the same scene can be worded
differently, and no metric could tell two such items apart.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from playground.cases import clip_data
from playground.cases.clip_data import ATTRIBUTES, POSITION_PHRASE

CACHE_DIR = Path(__file__).resolve().parents[3] / ".cache" / "clip"
TEXT_DIM = 384  # all-MiniLM-L6-v2
MAX_SCALE = 100.0  # CLIP clamps the learned logit scale 1/τ at 100
KS = (1, 5, 10)
DEFAULT_TEMPLATE = "a picture of {}"
TEMPERATURES = ("0.01", "0.03", "0.07", "0.1", "0.3", "1")  # the page's choices (as link text)

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
    optimiser = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=settings.lr)
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


# ---- caption features (frozen MiniLM, cached on disk) ---------------------------------------


def caption_features(texts: list[str], cache: bool = True) -> np.ndarray:
    """MiniLM sentence vectors (unit norm, 384-d) of ``texts``.

    Unique texts are encoded once; with ``cache`` the vectors are kept under ``.cache/clip``
    keyed by a hash of the texts.
    """
    from playground import embeddings

    unique = sorted(set(texts))
    path = CACHE_DIR / (hashlib.sha256("\n".join(unique).encode()).hexdigest()[:24] + ".npy")
    vectors = None
    if cache and path.is_file():
        try:
            vectors = np.load(path)
            if vectors.shape != (len(unique), TEXT_DIM):
                vectors = None
        except (OSError, ValueError):
            vectors = None
    if vectors is None:
        with torch_threads():
            vectors = embeddings.encode(unique) if unique else np.zeros((0, TEXT_DIM), np.float32)
        if cache:
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, vectors)
            os.replace(tmp, path)
    row = {text: i for i, text in enumerate(unique)}
    return vectors[[row[t] for t in texts]] if texts else np.zeros((0, TEXT_DIM), np.float32)


# ---- evaluation -----------------------------------------------------------------------------


def recall_at_k(similarity: np.ndarray, relevant: np.ndarray, ks=KS) -> dict[int, float]:
    """Share of queries with at least one relevant candidate among their top ``k``.

    Parameters
    ----------
    similarity : (n_queries, n_candidates) scores, higher is closer.
    relevant : bool (n_queries, n_candidates).
    ks : iterable of int.
    """
    similarity = np.asarray(similarity)
    relevant = np.asarray(relevant, dtype=bool)
    if similarity.shape != relevant.shape:
        raise ValueError(f"scores {similarity.shape} and relevance {relevant.shape} differ in shape")
    if similarity.shape[0] == 0:
        raise ValueError("no queries to evaluate")
    ks = [int(k) for k in ks]
    if min(ks) < 1:
        raise ValueError("k must be at least 1")
    order = np.argsort(-similarity, axis=1, kind="stable")
    ranked = np.take_along_axis(relevant, order, axis=1)
    first = np.where(ranked.any(axis=1), ranked.argmax(axis=1), np.iinfo(np.int64).max)
    return {k: float(np.mean(first < k)) for k in ks}


def chance_recall(n_candidates: int, n_relevant: np.ndarray, k: int) -> float:
    """Expected recall@k of a random ranking: mean over queries of
    ``1 - C(N - m, k) / C(N, k)`` for ``m`` relevant among ``N`` candidates."""
    m = np.asarray(n_relevant, dtype=float)
    k = min(int(k), n_candidates)
    # C(N-m, k)/C(N, k) = prod_{j<k} (N-m-j)/(N-j)
    j = np.arange(k)
    miss = np.prod(np.clip((n_candidates - m[:, None] - j) / (n_candidates - j), 0, None), axis=1)
    return float(np.mean(1 - miss))


@dataclass(frozen=True)
class Retrieval:
    """recall@k both ways on held-out pairs, with the random-ranking baseline."""

    image_to_text: dict[int, float]
    text_to_image: dict[int, float]
    chance_image_to_text: dict[int, float]
    chance_text_to_image: dict[int, float]
    n: int


def evaluate(image_emb: np.ndarray, text_emb: np.ndarray, scene_keys: np.ndarray, ks=KS) -> Retrieval:
    """recall@k of image→text and text→image search over ``n`` held-out pairs (row ``i`` of each
    is a pair); an item is relevant when its scene equals the query's (same ``scene_keys``)."""
    if len(image_emb) != len(text_emb) or len(image_emb) != len(scene_keys):
        raise ValueError("images, captions and scene keys must have the same length")
    sim = image_emb @ text_emb.T
    relevant = scene_keys[:, None] == scene_keys[None, :]
    n_rel = relevant.sum(axis=1)
    chance = {k: chance_recall(len(scene_keys), n_rel, k) for k in ks}
    return Retrieval(recall_at_k(sim, relevant, ks), recall_at_k(sim.T, relevant.T, ks),
                     chance, dict(chance), len(scene_keys))


def top_k(query: np.ndarray, candidates: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and cosine scores of the ``k`` candidates closest to one query vector."""
    if len(candidates) == 0:
        raise ValueError("there is nothing to search")
    k = max(1, min(int(k), len(candidates)))
    scores = candidates @ query
    idx = np.argsort(-scores, kind="stable")[:k]
    return idx, scores[idx]


def class_prompts(attribute: str, template: str = DEFAULT_TEMPLATE) -> list[str]:
    """Zero-shot prompts for the classes of one attribute, e.g. ``"a picture of red shapes"``."""
    if attribute not in ATTRIBUTES:
        raise ValueError(f"unknown attribute {attribute!r}; choose from {', '.join(ATTRIBUTES)}")
    if template.count("{}") != 1:
        raise ValueError("the prompt template must contain exactly one {} where the class goes, "
                         "e.g. 'a picture of {}'")
    values = ATTRIBUTES[attribute]
    if attribute == "shape":
        names = [v + ("es" if v == "cross" else "s") for v in values]
    elif attribute == "position":
        names = [f"shapes {POSITION_PHRASE[v]}" for v in values]
    else:
        names = [f"{v} shapes" for v in values]
    return [template.replace("{}", name) for name in names]


def zero_shot_accuracy(image_emb: np.ndarray, prompt_emb: np.ndarray, labels: np.ndarray
                       ) -> tuple[float, np.ndarray]:
    """Classify each image as the prompt with the highest cosine; return (accuracy, predictions)."""
    if len(image_emb) == 0:
        raise ValueError("no images to classify")
    predictions = np.argmax(image_emb @ prompt_emb.T, axis=1)
    return float(np.mean(predictions == labels)), predictions


def modality_gap(image_emb: np.ndarray, text_emb: np.ndarray) -> float:
    """Euclidean distance between the image centroid and the text centroid (unit-norm vectors)."""
    return float(np.linalg.norm(image_emb.mean(axis=0) - text_emb.mean(axis=0)))


def pca_2d(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project rows onto their first two principal components; return (coords, explained share)."""
    centred = points - points.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    var = s ** 2
    return centred @ vt[:2].T, var[:2] / var.sum()


def mixed_index_image_share(image_emb: np.ndarray, text_emb: np.ndarray, k: int = 10,
                            close_gap: bool = False) -> float:
    """Put images and captions in one index and search it with every caption (itself excluded):
    the share of the top ``k`` hits that are images. With ``close_gap`` each modality's centroid
    is subtracted first (and vectors renormalised)."""
    if close_gap:
        image_emb = _unit(image_emb - image_emb.mean(axis=0))
        text_emb = _unit(text_emb - text_emb.mean(axis=0))
    index = np.vstack([image_emb, text_emb])
    n_img = len(image_emb)
    scores = text_emb @ index.T
    scores[np.arange(len(text_emb)), n_img + np.arange(len(text_emb))] = -np.inf
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return float(np.mean(top < n_img))


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


# ---- real CLIP weights on disk --------------------------------------------------------------

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "open_clip_pytorch_model.bin",
                "open_clip_model.safetensors")
CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def check_clip_path(path: str) -> tuple[Path, str]:
    """Validate a folder of real CLIP weights; return (folder, ``"transformers"`` or ``"open_clip"``).

    Raises ``ValueError`` saying what is wrong: empty path, no folder, no weight file, or a
    config that is not a CLIP model.
    """
    typed = str(path).strip()
    if not typed:
        raise ValueError("the CLIP weights path is empty")
    folder = Path(typed).expanduser()
    typed = typed[:200]  # messages repeat what was typed, never the expanded path or file content
    try:
        weights = [name for name in WEIGHT_FILES if (folder / name).is_file()]
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        weights = []
    if not weights:  # the same message whether the folder is missing or has no weights
        raise ValueError(f"no CLIP weights folder at {typed} (expected one of {', '.join(WEIGHT_FILES)})")
    if (folder / "open_clip_config.json").is_file() or weights[0].startswith("open_clip"):
        return folder, "open_clip"
    try:
        model_type = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("model_type", "")
    except (OSError, ValueError, AttributeError):
        raise ValueError(f"{typed} has CLIP weights but no readable config.json") from None
    if model_type != "clip":
        raise ValueError(f"{typed}: config.json does not declare a CLIP model (model_type clip)")
    return folder, "transformers"


class RealClip:
    """Real CLIP weights (transformers or open_clip format) behind the same two encode calls."""

    def __init__(self, path: str) -> None:
        folder, kind = check_clip_path(path)
        self.folder, self.kind = folder, kind
        if kind == "transformers":
            from transformers import AutoTokenizer, CLIPModel

            try:
                self.model = CLIPModel.from_pretrained(str(folder), local_files_only=True).eval()
                self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            except Exception as err:  # noqa: BLE001 - any loader failure (corrupt weights, no tokenizer) becomes a message
                raise ValueError(f"could not load CLIP from {folder.name} ({type(err).__name__}): its weights "
                                 "or tokenizer files are missing, truncated or not safe to load") from None
            self.image_size = int(self.model.config.vision_config.image_size)
        else:
            try:
                import open_clip
            except ImportError as err:
                raise ValueError(f"{folder} holds open_clip weights, but the open_clip_torch package "
                                 "is not installed (pip install open_clip_torch)") from err
            try:
                self.model, _ = open_clip.create_model_from_pretrained(f"local-dir:{folder}")
                self.tokenizer = open_clip.get_tokenizer(f"local-dir:{folder}")
            except Exception as err:  # noqa: BLE001 - any loader failure becomes a message
                raise ValueError(f"could not load open_clip weights from {folder.name} ({type(err).__name__}): "
                                 "its files are missing, truncated or not safe to load") from None
            self.model.eval()
            self.image_size = int(self.model.visual.image_size[0]
                                  if isinstance(self.model.visual.image_size, (tuple, list))
                                  else self.model.visual.image_size)

    def _pixels(self, images: np.ndarray) -> torch.Tensor:
        from PIL import Image

        size = self.image_size
        resized = np.stack([np.asarray(Image.fromarray(img).resize((size, size), Image.BICUBIC))
                            for img in images]).astype(np.float32) / 255.0
        return torch.from_numpy((resized - CLIP_MEAN) / CLIP_STD).permute(0, 3, 1, 2).contiguous()

    def encode_images(self, images: np.ndarray, batch: int = 32) -> np.ndarray:
        """Unit-norm image embeddings of uint8 ``(n, H, W, 3)`` images."""
        out = []
        with torch.no_grad():
            for start in range(0, len(images), batch):
                pixels = self._pixels(images[start:start + batch])
                if self.kind == "transformers":
                    vec = self.model.get_image_features(pixel_values=pixels)
                else:
                    vec = self.model.encode_image(pixels)
                out.append(F.normalize(_tensor(vec), dim=-1))
        return torch.cat(out).numpy().astype(np.float32)

    def encode_texts(self, texts: list[str], batch: int = 64) -> np.ndarray:
        """Unit-norm text embeddings."""
        out = []
        with torch.no_grad():
            for start in range(0, len(texts), batch):
                chunk = list(texts[start:start + batch])
                if self.kind == "transformers":
                    tokens = self.tokenizer(chunk, padding=True, truncation=True, return_tensors="pt",
                                            max_length=self.model.config.text_config.max_position_embeddings)
                    vec = self.model.get_text_features(**tokens)
                else:
                    vec = self.model.encode_text(self.tokenizer(chunk))
                out.append(F.normalize(_tensor(vec), dim=-1))
        return torch.cat(out).numpy().astype(np.float32)


def _tensor(output) -> torch.Tensor:
    """transformers may return a tensor or a model output holding the pooled embeddings."""
    if isinstance(output, torch.Tensor):
        return output
    for name in ("image_embeds", "text_embeds", "pooler_output"):
        value = getattr(output, name, None)
        if isinstance(value, torch.Tensor):
            return value
    raise ValueError("the CLIP model returned no embeddings")
