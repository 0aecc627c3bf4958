"""The lesson-15 image–caption data set: procedurally drawn scenes with captions generated from
the scene.

Each scene is ``count`` copies of one shape (``shape``, ``colour``, ``size``) drawn in one half of
a dark canvas (``position``). The caption states all five attributes in one of a few sentence
templates, so two captions can describe the same scene in different words. Everything is drawn
with Pillow from a seeded ``numpy`` generator: the same seed gives the same bytes.

The shipped copy (``data/samples/clip/``) is written by ``scripts/build_clip_data.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

IMAGE_SIZE = 48
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 190, 60),
    "blue": (50, 80, 230),
    "yellow": (230, 220, 50),
    "cyan": (50, 210, 220),
    "magenta": (210, 60, 200),
}
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "cross")
SIZES: dict[str, int] = {"small": 3, "large": 6}  # radius in pixels on a 48-pixel canvas
COUNTS: dict[str, int] = {"one": 1, "two": 2, "three": 3}
POSITIONS: tuple[str, ...] = ("left", "right", "top", "bottom")
POSITION_PHRASE = {"left": "on the left", "right": "on the right", "top": "at the top",
                   "bottom": "at the bottom"}
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "colour": tuple(COLOURS),
    "shape": SHAPES,
    "size": tuple(SIZES),
    "count": tuple(COUNTS),
    "position": POSITIONS,
}
TEMPLATES: tuple[str, ...] = (
    "{phrase} {where}",
    "a picture of {phrase} {where}",
    "{where_cap}, {phrase}",
    "an image with {phrase} {where}",
)
DATA_DIR = Path(__file__).resolve().parents[3] / "data" / "samples" / "clip"


@dataclass(frozen=True)
class CaptionedImages:
    """Images with one caption each.

    Attributes
    ----------
    images : ndarray, uint8, shape (n, H, W, 3)
        RGB pixels.
    captions : list of str
        One caption per image.
    labels : ndarray, int, shape (n, 5)
        Index of each attribute's value, columns in the order of :data:`ATTRIBUTES`.
    split : ndarray of str, shape (n,)
        ``"train"`` or ``"test"`` (the held-out pairs).
    """

    images: np.ndarray
    captions: list[str]
    labels: np.ndarray
    split: np.ndarray

    def __len__(self) -> int:
        return len(self.captions)

    def subset(self, which: str) -> "CaptionedImages":
        """The ``"train"`` or ``"test"`` part."""
        mask = self.split == which
        idx = np.flatnonzero(mask)
        return CaptionedImages(self.images[idx], [self.captions[i] for i in idx],
                               self.labels[idx], self.split[idx])

    def scene_keys(self) -> np.ndarray:
        """One integer per scene content: equal keys mean the same five attribute values."""
        key = np.zeros(len(self), dtype=np.int64)
        for col, values in enumerate(ATTRIBUTES.values()):
            key = key * len(values) + self.labels[:, col]
        return key


def phrase(count: str, size: str, colour: str, shape: str) -> str:
    """``"two large red circles"`` / ``"a small blue square"``."""
    noun = shape + ("es" if shape == "cross" else "s") if COUNTS[count] > 1 else shape
    head = "a" if count == "one" else count
    return f"{head} {size} {colour} {noun}"


def caption_for(attrs: dict[str, str], template: int = 0) -> str:
    """The caption of a scene with attribute values ``attrs`` in sentence template ``template``."""
    where = POSITION_PHRASE[attrs["position"]]
    return TEMPLATES[template].format(
        phrase=phrase(attrs["count"], attrs["size"], attrs["colour"], attrs["shape"]),
        where=where, where_cap=where[0].upper() + where[1:],
    )


def _centres(rng: np.random.Generator, count: int, radius: int, position: str,
             size: int) -> list[tuple[int, int]]:
    """Non-overlapping centres inside the requested half of the canvas (rejection sampling)."""
    half = size // 2
    margin = radius + 1
    x_lo, x_hi, y_lo, y_hi = margin, size - margin, margin, size - margin
    if position == "left":  # the whole shape stays inside its half
        x_hi = half - margin
    elif position == "right":
        x_lo = half + margin - 1
    elif position == "top":
        y_hi = half - margin
    else:
        y_lo = half + margin - 1
    lo_x, hi_x = x_lo, max(x_lo, x_hi)
    lo_y, hi_y = y_lo, max(y_lo, y_hi)
    for _ in range(2000):
        points = [(int(rng.integers(lo_x, hi_x + 1)), int(rng.integers(lo_y, hi_y + 1)))
                  for _ in range(count)]
        if all((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 >= (2 * radius + 1) ** 2
               for i, a in enumerate(points) for b in points[i + 1:]):
            return points
    raise RuntimeError("could not place the shapes without overlap")  # pragma: no cover


def _draw_shape(draw: ImageDraw.ImageDraw, shape: str, cx: int, cy: int, r: int, fill) -> None:
    if shape == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif shape == "square":
        s = int(round(r * 0.85))
        draw.rectangle([cx - s, cy - s, cx + s, cy + s], fill=fill)
    elif shape == "triangle":
        draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=fill)
    else:  # cross
        w = max(1, r // 3)
        draw.rectangle([cx - r, cy - w, cx + r, cy + w], fill=fill)
        draw.rectangle([cx - w, cy - r, cx + w, cy + r], fill=fill)


def render(attrs: dict[str, str], rng: np.random.Generator, size: int = IMAGE_SIZE) -> np.ndarray:
    """Draw one scene with attribute values ``attrs``; returns uint8 ``(size, size, 3)``."""
    shade = rng.integers(10, 50)
    background = tuple(int(shade + d) for d in rng.integers(-8, 9, size=3))
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    base = np.array(COLOURS[attrs["colour"]])
    radius = SIZES[attrs["size"]] * size // IMAGE_SIZE
    for cx, cy in _centres(rng, COUNTS[attrs["count"]], radius, attrs["position"], size):
        fill = tuple(int(v) for v in np.clip(base + rng.integers(-25, 26, size=3), 0, 255))
        _draw_shape(draw, attrs["shape"], cx, cy, radius, fill)
    return np.asarray(image, dtype=np.uint8)


def generate(n: int, seed: int = 0, test_share: float = 0.2, size: int = IMAGE_SIZE) -> CaptionedImages:
    """Draw ``n`` random scenes and their captions.

    Parameters
    ----------
    n : int
        Number of image–caption pairs (at least 10).
    seed : int
        Seed of the generator; the same seed gives identical images, captions and split.
    test_share : float
        Share of pairs held out for evaluation (0 < share < 1).
    size : int
        Image side in pixels.
    """
    if n < 10:
        raise ValueError(f"the data set needs at least 10 pairs (got {n})")
    if not 0 < test_share < 1:
        raise ValueError(f"the held-out share must be between 0 and 1 (got {test_share})")
    rng = np.random.default_rng(seed)
    names = list(ATTRIBUTES)
    images = np.zeros((n, size, size, 3), dtype=np.uint8)
    labels = np.zeros((n, len(names)), dtype=np.int64)
    captions: list[str] = []
    for i in range(n):
        labels[i] = [rng.integers(len(values)) for values in ATTRIBUTES.values()]
        attrs = {name: ATTRIBUTES[name][labels[i, j]] for j, name in enumerate(names)}
        images[i] = render(attrs, rng, size)
        captions.append(caption_for(attrs, int(rng.integers(len(TEMPLATES)))))
    split = np.full(n, "train", dtype=object)
    split[rng.permutation(n)[: int(round(n * test_share))]] = "test"
    return CaptionedImages(images, captions, labels, split.astype(str))


def save(data: CaptionedImages, folder: Path) -> None:
    """Write ``images.npz`` (pixels, labels, split) and ``captions.jsonl`` under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / "images.npz", images=data.images, labels=data.labels,
                        split=data.split)
    names = list(ATTRIBUTES)
    with open(folder / "captions.jsonl", "w", encoding="utf-8") as out:
        for i, caption in enumerate(data.captions):
            attrs = {name: ATTRIBUTES[name][data.labels[i, j]] for j, name in enumerate(names)}
            out.write(json.dumps({"id": i, "caption": caption, "split": str(data.split[i]), **attrs})
                      + "\n")


def load(folder: Path | None = None) -> CaptionedImages:
    """Read the shipped data set (default ``data/samples/clip``)."""
    folder = DATA_DIR if folder is None else Path(folder)
    if not (folder / "images.npz").is_file() or not (folder / "captions.jsonl").is_file():
        raise ValueError(f"no image–caption data set in {folder} (run scripts/build_clip_data.py)")
    with np.load(folder / "images.npz") as arrays:
        images, labels, split = arrays["images"], arrays["labels"], arrays["split"]
    with open(folder / "captions.jsonl", encoding="utf-8") as lines:
        captions = [json.loads(line)["caption"] for line in lines if line.strip()]
    if len(captions) != len(images):
        raise ValueError(f"{folder}: {len(images)} images but {len(captions)} captions")
    return CaptionedImages(images, captions, labels, split.astype(str))


def enlarge(image: np.ndarray, factor: int = 2) -> np.ndarray:
    """An RGB image (height, width, 3) scaled up ``factor`` times by repeating pixels."""
    return np.kron(image, np.ones((factor, factor, 1), dtype=np.uint8))
