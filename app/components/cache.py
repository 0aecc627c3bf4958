"""The one cache for page artefacts (data, trained models, indexes, tables), and its policy.

Policy (stated here only; docs/CONTRIBUTING.md points here):

* **Per process.** One cache per server process, shared by every session: a model trained for
  one learner is reused by the next. Nothing is cached per session.
* **Per input.** An entry is keyed by the builder (its source file and qualified name) and the
  arguments it was called with, so the same inputs give the same object, built once. Values are
  shared between sessions: never mutate a value a cached function returned.
* **Bounded by bytes.** The estimated size of all entries (numpy arrays, pandas frames, torch
  tensors and modules, and the containers and objects holding them: see :func:`nbytes`) stays
  under ``PLAYGROUND_CACHE_MB`` megabytes (default 1024). The least recently used entries are
  evicted first; a value larger than the whole budget is returned but not kept.
* **One build at a time.** At most one costly build runs per process (two CPU cores are shared
  by every learner). A session that needs a value while another session builds waits, and sees
  which build it is waiting for. A build may call other cached functions (same thread).
* **Progress.** A builder declared with a label shows that label while it builds (and, if it
  takes a ``progress`` keyword, a progress bar it drives with ``progress(fraction, text)``); the
  notice disappears when the value is ready. Unlabelled builders are silent.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import sys
import threading
import types
from collections import OrderedDict
from dataclasses import fields, is_dataclass
from typing import Any, Callable, Hashable

import numpy as np
import pandas as pd
import streamlit as st

ENV_BUDGET = "PLAYGROUND_CACHE_MB"
DEFAULT_BUDGET_MB = 1024
MAX_OBJECTS = 200_000  # objects visited when estimating one value's size (beyond: an underestimate)


_NOT_DATA = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)


def nbytes(value: Any) -> int:
    """Estimated memory held by ``value`` in bytes: buffers of numpy arrays, pandas objects
    (deep), torch tensors and modules, FAISS indexes (as ``ntotal × d`` float32 vectors: exact
    for flat indexes, an overestimate for compressed ones), plus the containers and object
    attributes around them. Shared objects are counted once; classes, modules and functions
    are not data and count zero."""
    seen: set[int] = set()
    total = 0
    stack = [value]
    while stack and len(seen) < MAX_OBJECTS:
        obj = stack.pop()
        if id(obj) in seen or obj is None or isinstance(obj, _NOT_DATA):
            continue
        seen.add(id(obj))
        total += _own_bytes(obj, stack)
    return total


def _imported(module: str, *path: str) -> type | None:
    """The class ``module.path`` if that module has been imported, else ``None`` (no value can hold
    its objects yet). A module another thread is still importing (components/preload.py) is in
    ``sys.modules`` before its classes exist: that counts as not imported."""
    obj = sys.modules.get(module)
    for name in path:
        obj = getattr(obj, name, None)
    return obj


def _own_bytes(obj: Any, stack: list) -> int:
    """Bytes of ``obj`` itself; pushes the objects it refers to onto ``stack``."""
    if isinstance(obj, np.ndarray):
        if isinstance(obj.base, np.ndarray):  # a view: count the array that owns the buffer
            stack.append(obj.base)
            return 0
        return obj.nbytes
    if isinstance(obj, (pd.DataFrame, pd.Series, pd.Index)):
        usage = obj.memory_usage(deep=True)
        return int(usage.sum()) if hasattr(usage, "sum") else int(usage)
    tensor, module, index = (_imported("torch", "Tensor"), _imported("torch", "nn", "Module"),
                             _imported("faiss", "Index"))
    if tensor is not None and isinstance(obj, tensor):
        return obj.element_size() * obj.nelement()
    if module is not None and isinstance(obj, module):
        stack.extend(obj.parameters())
        stack.extend(obj.buffers())
        return sys.getsizeof(obj)
    if index is not None and isinstance(obj, index):
        return int(obj.ntotal) * int(obj.d) * 4
    if isinstance(obj, (str, bytes, bytearray, int, float, bool, complex)):
        return sys.getsizeof(obj)
    if isinstance(obj, dict):
        stack.extend(obj.keys())
        stack.extend(obj.values())
        return sys.getsizeof(obj)
    if isinstance(obj, (list, tuple, set, frozenset)):
        stack.extend(obj)
        return sys.getsizeof(obj)
    if is_dataclass(obj):
        stack.extend(getattr(obj, f.name, None) for f in fields(obj))
    elif hasattr(obj, "__dict__"):
        stack.extend(vars(obj).values())
    for slot in getattr(type(obj), "__slots__", ()):
        stack.append(getattr(obj, slot, None))
    return sys.getsizeof(obj)


def freeze(value: Any) -> Hashable:
    """A hashable stand-in for an argument: containers become tuples, arrays and frames a digest
    of their contents."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, str(value.dtype), hashlib.sha1(np.ascontiguousarray(value).tobytes()).hexdigest())
    if isinstance(value, (pd.DataFrame, pd.Series)):
        digest = hashlib.sha1(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()).hexdigest()
        return (type(value).__name__, tuple(map(str, value.columns if isinstance(value, pd.DataFrame) else [value.name])), digest)
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((freeze(k), freeze(v)) for k, v in value.items()), key=repr)))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(freeze(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((freeze(v) for v in value), key=repr)))
    hash(value)  # anything else must be hashable already (ints, strings, frozen dataclasses, enums)
    return value


class Cache:
    """A byte-bounded LRU map from keys to built values with one build at a time.

    Parameters
    ----------
    budget_bytes : int
        Most estimated bytes the entries may hold together.
    """

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = int(budget_bytes)
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()       # guards the entries; held only for dictionary work
        self._build_lock = threading.RLock()  # one build at a time; re-entrant for nested builds
        self.building: str | None = None    # label of the build in progress, for waiting sessions

    @property
    def used_bytes(self) -> int:
        """Estimated bytes held by all entries."""
        with self._lock:
            return sum(size for _, size in self._entries.values())

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def lookup(self, key: Hashable) -> tuple[bool, Any]:
        """``(True, value)`` on a hit (which becomes the most recently used), else ``(False, None)``."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return True, self._entries[key][0]
        return False, None

    def get_or_build(self, key: Hashable, build: Callable[[], Any], label: str = "",
                     on_wait: Callable[[str], Any] | None = None) -> Any:
        """The cached value for ``key``, else ``build()`` stored under it.

        While another thread builds, call ``on_wait(label_of_that_build)`` once, then wait for it
        to finish; a value that thread built for the same key is then reused."""
        hit, value = self.lookup(key)
        if hit:
            return value
        if not self._build_lock.acquire(blocking=False):
            if on_wait is not None:
                on_wait(self.building or "another build")
            self._build_lock.acquire()
        outer = self.building
        try:
            hit, value = self.lookup(key)
            if hit:
                return value
            self.building = label or str(key[:2] if isinstance(key, tuple) else key)
            value = build()
            self.put(key, value)
            return value
        finally:
            self.building = outer
            self._build_lock.release()

    def put(self, key: Hashable, value: Any) -> None:
        """Store ``value`` (unless it alone exceeds the budget), evicting least recently used entries."""
        size = nbytes(value)
        with self._lock:
            self._entries.pop(key, None)
            if size > self.budget_bytes:
                return
            self._entries[key] = (value, size)
            used = sum(s for _, s in self._entries.values())
            while used > self.budget_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                used -= evicted

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()


def budget_from_env() -> int:
    """The byte budget: ``PLAYGROUND_CACHE_MB`` megabytes, default :data:`DEFAULT_BUDGET_MB`."""
    raw = os.environ.get(ENV_BUDGET, "")
    try:
        megabytes = float(raw) if raw.strip() else DEFAULT_BUDGET_MB
    except ValueError:
        megabytes = DEFAULT_BUDGET_MB
    return int(max(megabytes, 0) * 1024 * 1024)


@st.cache_resource(show_spinner=False)
def process_cache() -> Cache:
    """The process's one cache (created on first use, shared by every session)."""
    return Cache(budget_from_env())


def cached(label: str | Callable[..., str] | None = None) -> Callable:
    """Decorator: memoise a page's builder in the process cache (see the module docstring).

    The key is the builder and its bound arguments (defaults applied); parameters whose name
    starts with ``_`` are passed through but left out of the key (as in ``st.cache_*``), for an
    argument that another one already determines. ``label`` says what is being built (a string,
    or a function of the builder's arguments); while a labelled build runs the learner sees it,
    with a progress bar if the builder takes a ``progress`` keyword (``progress(fraction, text)``).
    Without a label the build is silent (for builds well under a second)."""

    def decorate(fn: Callable) -> Callable:
        name = (fn.__code__.co_filename, fn.__qualname__)
        signature = inspect.signature(fn)
        takes_progress = "progress" in signature.parameters

        def key_and_label(args: tuple, kwargs: dict) -> tuple[Hashable, str]:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            given = {k: v for k, v in bound.arguments.items() if k != "progress"}
            text = label(**given) if callable(label) else (label or "")
            return (*name, freeze({k: v for k, v in given.items() if not k.startswith("_")})), text

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            key, text = key_and_label(args, kwargs)
            notice = []

            def on_wait(other: str) -> None:
                if not _in_script():
                    return
                notice.append(st.empty())
                notice[0].info(f"Waiting for another session's build to finish: {other}")

            try:
                return process_cache().get_or_build(
                    key, lambda: _build(fn, text, takes_progress, args, kwargs), text or fn.__qualname__, on_wait)
            finally:
                for box in notice:
                    box.empty()

        wrapper.cache_key = lambda *args, **kwargs: key_and_label(args, kwargs)[0]
        return wrapper

    return decorate


def _in_script() -> bool:
    """Whether this thread runs a page script (a background build has no page to draw on)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx(suppress_warning=True) is not None


def _build(fn: Callable, label: str, takes_progress: bool, args: tuple, kwargs: dict) -> Any:
    """Run the builder; a labelled one shows its label (and progress bar) until it returns."""
    if not label or not _in_script():
        return fn(*args, **kwargs)
    box = st.empty()
    with box.container():
        st.info(label)
        if takes_progress:
            kwargs = {**kwargs, "progress": _progress_bar()}
    try:
        return fn(*args, **kwargs)
    finally:
        box.empty()


def _progress_bar() -> Callable[[float, str], None]:
    """A ``progress(fraction, text)`` callback drawing one bar, redrawn at most once per percent."""
    bar = st.progress(0.0)
    shown = [-1]

    def progress(fraction: float, text: str) -> None:
        fraction = float(min(max(fraction, 0.0), 1.0))
        if int(fraction * 100) != shown[0]:
            shown[0] = int(fraction * 100)
            bar.progress(fraction, text=text)

    return progress
