"""Lesson 15: evaluating cross-modal search (recall@k both ways, zero-shot accuracy, the modality gap).

Evaluation counts a retrieved item as relevant when it shows (or describes) exactly the same scene
as the query's pair: the five attributes are equal. Captions of the same scene can be worded
differently, and no metric could tell two such items apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from playground.cases.clip_data import ATTRIBUTES, POSITION_PHRASE

KS = (1, 5, 10)
DEFAULT_TEMPLATE = "a picture of {}"


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


def recall_table(retrieval: Retrieval, untrained: Retrieval, ks=KS) -> pd.DataFrame:
    """recall@k both ways of a trained and an untrained model, and chance (image → text), one row per k."""
    return pd.DataFrame({
        "k": list(ks),
        "image → text": [retrieval.image_to_text[k] for k in ks],
        "text → image": [retrieval.text_to_image[k] for k in ks],
        "untrained i → t": [untrained.image_to_text[k] for k in ks],
        "untrained t → i": [untrained.text_to_image[k] for k in ks],
        "chance": [retrieval.chance_image_to_text[k] for k in ks],
    })


def ranked_captions(query: int, image_emb: np.ndarray, text_emb: np.ndarray, captions: list[str],
                    scene_keys: np.ndarray, k: int) -> pd.DataFrame:
    """The ``k`` captions closest to image ``query``: rank, caption, cosine (3 decimals) and
    whether the caption shows the query's scene ("✓")."""
    idx, scores = top_k(image_emb[query], text_emb, k)
    return pd.DataFrame({"rank": np.arange(1, len(idx) + 1), "caption": [captions[i] for i in idx],
                         "cosine": np.round(scores, 3),
                         "same scene": ["✓" if scene_keys[i] == scene_keys[query] else "" for i in idx]})


def chance_accuracy(attribute: str) -> float:
    """Zero-shot accuracy of a random guess over the attribute's classes: ``1 / classes``."""
    return 1 / len(ATTRIBUTES[attribute])


def zero_shot_by_attribute(image_emb: np.ndarray, labels: np.ndarray, template: str,
                           embed_prompts: Callable[[list[str]], np.ndarray]) -> dict[str, float]:
    """Zero-shot accuracy per attribute (:data:`ATTRIBUTES`, in order; ``labels`` has one column
    each) with the class prompts of ``template``, embedded by ``embed_prompts``."""
    return {attribute: zero_shot_accuracy(image_emb, embed_prompts(class_prompts(attribute, template)),
                                          labels[:, j])[0]
            for j, attribute in enumerate(ATTRIBUTES)}


def weakest_attribute(accuracy: dict[str, float]) -> str:
    """The attribute whose zero-shot accuracy is the least above chance."""
    return min(accuracy, key=lambda a: accuracy[a] - chance_accuracy(a))


def centroids_2d(coords: np.ndarray, n_images: int) -> tuple[list[float], list[float]]:
    """x and y of the image centroid and the caption centroid of 2-d ``coords`` (images first)."""
    img, txt = coords[:n_images].mean(axis=0), coords[n_images:].mean(axis=0)
    return [float(img[0]), float(txt[0])], [float(img[1]), float(txt[1])]
