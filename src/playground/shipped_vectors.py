"""MiniLM vectors of fixed texts shipped in the repository, so a page's default view can show its
numbers without loading the model (lesson 11's evaluated set, lesson 15's captions).

A shipped file holds ``texts``, their ``vectors`` and ``model``: the digest of the packaged
all-MiniLM-L6-v2 that computed them (:func:`playground.embeddings.model_digest`). It is used only
when the installed model has that digest. Vectors ship either as float16 (then every vector of
that kind, shipped or computed, is rounded through float16 by :func:`rounded`, so both paths give
the same numbers) or as float32 (the model's exact output, for vectors other pages use unrounded).
Each file is written by the script named in its data folder's README.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from playground import embeddings
from playground.rag.rerank import normalise_rows


class Table(NamedTuple):
    """The texts of a shipped file (text → row), their vectors (float32, unit rows) and whether
    they shipped as float16 (then already :func:`rounded`)."""

    rows: dict[str, int]
    vectors: np.ndarray
    float16: bool


def rounded(vectors: np.ndarray) -> np.ndarray:
    """Vectors rounded through float16 (what ships) and scaled back to unit length, float32: a
    freshly computed vector equals its shipped copy exactly."""
    return normalise_rows(np.asarray(vectors, dtype=np.float16))


@lru_cache(maxsize=8)
def load(path: Path) -> Table | None:
    """The shipped file at ``path`` as a :class:`Table` (float16 vectors :func:`rounded`, float32
    as stored) when the installed MiniLM is the model that made it, else ``None`` (also for a
    missing or unreadable file). Cached per process."""
    try:
        with np.load(path, allow_pickle=False) as data:
            texts, vectors, model = data["texts"], data["vectors"], str(data["model"])
    except (OSError, ValueError, KeyError):
        return None
    if (model != embeddings.model_digest() or vectors.dtype not in (np.float16, np.float32)
            or vectors.shape != (len(texts), embeddings.DIM)):
        return None
    float16 = vectors.dtype == np.float16
    return Table({str(t): i for i, t in enumerate(texts)}, rounded(vectors) if float16 else vectors, float16)


def write(path: Path, texts: Sequence[str], vectors: np.ndarray) -> int:
    """Write ``texts`` and their ``vectors`` (float16 or float32, as given) to ``path`` with the
    installed model's digest; returns the number of texts."""
    texts = list(texts)
    vectors = np.asarray(vectors)
    if vectors.dtype not in (np.float16, np.float32) or vectors.shape != (len(texts), embeddings.DIM):
        raise ValueError(f"expected float16 or float32 vectors of shape ({len(texts)}, {embeddings.DIM})")
    if len(set(texts)) != len(texts):
        raise ValueError("the texts must be distinct")
    np.savez_compressed(path, texts=np.array(texts), vectors=vectors, model=np.array(embeddings.model_digest()))
    load.cache_clear()
    return len(texts)


def embed(texts: Sequence[str], *, persist: bool, path: Path | None) -> np.ndarray:
    """MiniLM sentence vectors of ``texts`` rounded through float16 (unit length, float32,
    shape ``(len(texts), 384)``).

    Texts in the float16 shipped file at ``path`` (``None``: no file) are looked up; the others
    are embedded by :func:`playground.embeddings.embed` (with ``persist``: through its disk cache;
    pass ``False`` for text a visitor typed) and rounded, so both give the same numbers.
    """
    texts = list(texts)
    if not texts:
        return np.zeros((0, embeddings.DIM), np.float32)
    table = load(path) if path is not None else None
    if table is not None and not table.float16:
        raise ValueError(f"{path} holds exact float32 vectors, not vectors rounded through float16")
    shipped = table.rows if table is not None else {}
    missing = [t for t in dict.fromkeys(texts) if t not in shipped]
    computed = dict(zip(missing, rounded(embeddings.embed(missing, persist=persist)))) if missing else {}
    return np.stack([computed[t] if t in computed else table.vectors[shipped[t]] for t in texts])
