"""MiniLM vectors of whole encoder calls shipped in the repository: lesson 10's grounded answers at
its defaults (the default question and the off-topic probe, hybrid RRF retrieval, 3 passages) score
their evidence without loading the model.

A vector's last bits depend on the batch it was computed in, so what ships is each call's batch as
a whole: a call with exactly those texts, in that order, gets the shipped vectors (the model's
exact float32 output on the machine that wrote them; another BLAS thread count changes their last
bits, by up to ~1e-7), any other call is computed. The file holds
``texts`` (every batch, one after another), ``sizes`` (the batches' lengths), ``vectors`` and
``model`` (:func:`playground.embeddings.model_digest`); it is used only for that model. Written by
``python scripts/build_rag_embeddings.py --eval`` (:func:`write`), provenance in
data/samples/rag/README.md.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from playground import embeddings
from playground.rag import corpus as rc

SHIPPED = rc.DATA / "grounded_vectors.npz"
Encoder = Callable[[list[str]], np.ndarray]


@lru_cache(maxsize=4)
def load(path: Path = SHIPPED) -> dict[tuple[str, ...], np.ndarray]:
    """Batch (its texts in order) -> its float32 vectors, from the file at ``path``; empty when
    the file is missing, unreadable or made by another model. Cached per process."""
    try:
        with np.load(path, allow_pickle=False) as data:
            texts, sizes, vectors, model = data["texts"], data["sizes"], data["vectors"], str(data["model"])
    except (OSError, ValueError, KeyError):
        return {}
    if (model != embeddings.model_digest() or vectors.dtype != np.float32 or sizes.sum() != len(texts)
            or vectors.shape != (len(texts), embeddings.DIM)):
        return {}
    ends = np.cumsum(sizes)
    return {tuple(str(t) for t in texts[end - size:end]): vectors[end - size:end]
            for size, end in zip(sizes.tolist(), ends.tolist())}


def encoder(fallback: Encoder = embeddings.encode, path: Path = SHIPPED) -> Encoder:
    """``encode(texts)``: the shipped vectors when ``texts`` is exactly a shipped batch, else
    ``fallback(texts)``."""

    def encode(texts: list[str]) -> np.ndarray:
        shipped = load(path).get(tuple(texts))
        return shipped.copy() if shipped is not None else fallback(texts)

    return encode


def default_batches(index) -> list[list[str]]:
    """The encoder calls lesson 10's grounded answers make at :data:`~playground.rag.llm_serving.GROUNDED_DEFAULTS`
    for its default question and its off-topic probe, over ``index`` (the shipped retrieval index)."""
    from playground.rag import generation as gen
    from playground.rag import llm_serving as ls

    calls: list[list[str]] = []

    def record(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return embeddings.encode(texts)

    for question in (ls.DEFAULT_QUESTION, ls.OFF_TOPIC):
        gen.extractive_answer(question, gen.retrieve(index, question, **ls.GROUNDED_DEFAULTS), record)
    return calls


def write(path: Path, batches: Sequence[Sequence[str]], encode: Encoder = embeddings.encode) -> int:
    """Compute each batch with ``encode`` (one call per batch, as the page makes it) and write them
    with the installed model's digest; returns the number of batches."""
    batches = [list(b) for b in dict.fromkeys(tuple(b) for b in batches) if b]
    vectors = [np.asarray(encode(b), dtype=np.float32) for b in batches]
    np.savez_compressed(path, texts=np.array([t for b in batches for t in b]), sizes=np.array([len(b) for b in batches]),
                        vectors=np.concatenate(vectors), model=np.array(embeddings.model_digest()))
    load.cache_clear()
    return len(batches)
