"""The on-disk caches under ``.cache/``: validated loads, atomic writes, a size bound, and a memory
fallback when the disk cannot be written.

The cache policy, in one place:

- **What is on disk.** Only values derived from shipped data and the packaged model (passage and
  query embeddings of the labelled sets, caption vectors, generated candidate answers). Text a
  visitor types never is: every writer takes an explicit ``persist`` flag and pages pass
  ``persist=False`` for visitor text.
- **Every load is checked.** ``.npz`` files carry a SHA-256 of their arrays (names, dtypes,
  shapes and bytes) and the caller's own shape/dtype/key check runs on top; an array folder (the
  retrieval index, ~300 MB of token vectors, memory-mapped) is checked for dtype, shape and
  consistency between its arrays, and its small arrays for content. A truncated, empty or
  corrupt file is deleted and the value rebuilt.
- **Writes are atomic.** A file is written under a temporary name in its folder and renamed over
  the target, so a concurrent reader sees the old file or the new one, never half of one.
- **Bounded.** :func:`prune` keeps the newest files of a cache folder up to a count and a byte
  budget (least recently used first out: a load refreshes the file's time).
- **A read-only or full disk** (any ``OSError`` while writing) switches the process to memory
  only: one :class:`CacheWarning` is issued, the reason is kept (:func:`disk_problem`) and no
  later call tries the disk again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import warnings
import zipfile
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

ROOT = Path(__file__).resolve().parents[2] / ".cache"
_CHECKSUM = "_checksum"
_LOCK = threading.Lock()
_problem: list[str] = []  # the first write failure of this process, if any

Check = Callable[[Mapping[str, np.ndarray]], None]


class CacheWarning(UserWarning):
    """The disk cache was switched off for this process (the values stay in memory)."""


def disk_problem() -> str | None:
    """Why this process stopped writing caches (``None`` while the disk works)."""
    return _problem[0] if _problem else None


def writable() -> bool:
    """Whether cache writes are still attempted in this process."""
    return not _problem


def _give_up(err: OSError, where: Path) -> None:
    with _LOCK:
        if _problem:
            return
        _problem.append(f"cannot write the cache at {where} ({err.strerror or err}); "
                        "results are kept in memory for this process only")
    warnings.warn(_problem[0], CacheWarning, stacklevel=3)


def reset_disk_state() -> None:
    """Forget a recorded write failure (tests; a fixed disk is otherwise picked up on restart)."""
    with _LOCK:
        _problem.clear()


def checksum(arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over the arrays' names, dtypes, shapes and bytes (sorted by name)."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def discard(path: Path) -> None:
    """Delete a bad cache file or folder (a read-only disk keeps it; the caller recomputes)."""
    try:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def save_npz(path: Path, **arrays: np.ndarray) -> bool:
    """Write ``arrays`` (and their checksum) to ``path`` atomically; ``False`` when the disk is
    off for this process or the write failed (the first failure switches it off)."""
    if not writable():
        return False
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays, **{_CHECKSUM: np.array(checksum(arrays))})
        os.replace(tmp, path)
        return True
    except OSError as err:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        _give_up(err, path.parent)
        return False


def load_npz(path: Path, check: Check | None = None) -> dict[str, np.ndarray] | None:
    """The arrays of a cache file written by :func:`save_npz`, or ``None`` when it is missing.

    A file that does not load, lacks its checksum, fails it, or fails ``check`` (which raises
    ``ValueError``/``KeyError`` on a wrong key, dtype or shape) is deleted and ``None`` returned.
    """
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        stored = str(arrays.pop(_CHECKSUM))
        if stored != checksum(arrays):
            raise ValueError("checksum mismatch")
        if check is not None:
            check(arrays)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        discard(path)
        return None
    _touch(path)
    return arrays


def save_folder(folder: Path, **arrays: np.ndarray) -> bool:
    """Write one ``.npy`` per array into ``folder`` atomically (built aside, then renamed);
    ``False`` when the disk is off or the write failed."""
    if not writable():
        return False
    tmp = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array)
        os.replace(tmp, folder)
        return True
    except OSError as err:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if folder.is_dir():  # another process finished first: keep its copy
            return True
        _give_up(err, folder.parent)
        return False


def load_folder(folder: Path, names: tuple[str, ...], check: Check,
                mmap: tuple[str, ...] = ()) -> dict[str, np.ndarray] | None:
    """The arrays of a folder written by :func:`save_folder` (``mmap`` names memory-mapped), or
    ``None`` when it is missing; a folder whose arrays do not load or fail ``check`` is deleted."""
    if not folder.is_dir():
        return None
    try:
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r" if name in mmap else None,
                                allow_pickle=False) for name in names}
        check(arrays)
    except (OSError, ValueError, KeyError, EOFError):
        discard(folder)
        return None
    return arrays


def prune(folder: Path, pattern: str, max_files: int, max_bytes: int) -> int:
    """Delete the least recently used files matching ``pattern`` beyond ``max_files`` files or
    ``max_bytes`` bytes in total; return how many were deleted."""
    try:
        files = sorted(((p.stat().st_mtime, p.stat().st_size, p) for p in folder.glob(pattern)
                        if p.is_file()), reverse=True)
    except OSError:
        return 0
    kept = total = removed = 0
    for _, size, path in files:
        if kept < max_files and total + size <= max_bytes:
            kept += 1
            total += size
            continue
        discard(path)
        removed += 1
    return removed


def require(condition: bool, what: str) -> None:
    """Raise ``ValueError(what)`` unless ``condition`` (for the ``check`` callables)."""
    if not condition:
        raise ValueError(what)
