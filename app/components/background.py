"""Slow page artefacts built in a background thread while the page shows what is ready.

:func:`background` returns the value of a :func:`components.cache.cached` builder when it is in
the process cache. Otherwise it starts the build (once per process and arguments, whichever
session asks first) in a thread, waits a moment (a build that finishes quickly shows no
progress at all), and else draws a progress bar that refreshes every second and reruns the page
when the value is ready; meanwhile it returns ``None`` and the page shows the rest.

Background builds run one at a time per process, in the order they were asked for (two shared
cores: running them side by side finishes none sooner, and timings measured by one would count
the other's work); a queued build says what it waits for.

``PLAYGROUND_BACKGROUND_WAIT`` (seconds, default 1.5; a build queued behind another is not
waited for unless it is set) sets how long a page waits before it shows progress instead; the
tests set it high so that a page renders its final state in one run.
"""

from __future__ import annotations

import inspect
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

import streamlit as st

from components.cache import Cache, process_cache

ENV_WAIT = "PLAYGROUND_BACKGROUND_WAIT"
DEFAULT_WAIT_S = 1.5
REFRESH_S = 1.0


@dataclass
class Job:
    """One background build: its label, last progress report, and outcome."""

    label: str
    fraction: float = 0.0
    text: str = ""
    value: Any = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def report(self, fraction: float, text: str) -> None:
        """The builder's ``progress(fraction, text)`` callback."""
        self.fraction, self.text = float(min(max(fraction, 0.0), 1.0)), text


_JOBS: dict[Hashable, Job] = {}
_LOCK = threading.Lock()  # guards _JOBS
_RUN = threading.Lock()  # one background build at a time
_running: list[str] = []  # label of the build that holds _RUN


def wait_seconds() -> float:
    """How long a page waits for a build before showing its progress (``PLAYGROUND_BACKGROUND_WAIT``)."""
    try:
        return max(float(os.environ.get(ENV_WAIT, DEFAULT_WAIT_S)), 0.0)
    except ValueError:
        return DEFAULT_WAIT_S


def start(cache: Cache, key: Hashable, builder: Callable, args: tuple, kwargs: dict, label: str) -> Job:
    """The job building ``key`` (started now unless one is running or finished unread)."""
    with _LOCK:
        job = _JOBS.get(key)
        if job is not None:
            return job
        job = _JOBS[key] = Job(label)
    extra = {"progress": job.report} if "progress" in inspect.signature(builder).parameters else {}

    if _running:
        job.text = f"queued behind: {_running[0]}"

    def run() -> None:
        with _RUN:
            _running.insert(0, label)
            job.text = ""
            try:
                job.value = builder(*args, **kwargs, **extra)
                cache.put(key, job.value)
            except Exception as err:  # shown on the page by the session that asked, then forgotten
                job.error = f"{type(err).__name__}: {err}"
            finally:
                _running.remove(label)
                job.done.set()

    threading.Thread(target=run, name=f"background: {label}", daemon=True).start()
    return job


def finished(key: Hashable) -> Job | None:
    """Remove and return the job for ``key`` if it has finished, else ``None``."""
    with _LOCK:
        job = _JOBS.get(key)
        if job is not None and job.done.is_set():
            return _JOBS.pop(key)
    return None


def background(fn: Callable, *args, label: str, **kwargs) -> Any | None:
    """The value of the cached builder ``fn(*args, **kwargs)``, or ``None`` while it is being built
    in the background (the page then shows ``label`` and a progress bar; an error is shown once
    and the next visit tries again)."""
    cache = process_cache()
    key = fn.cache_key(*args, **kwargs)
    hit, value = cache.lookup(key)
    if hit:
        return value
    job = start(cache, key, fn.__wrapped__, args, kwargs, label)
    queued = job.text.startswith("queued") and ENV_WAIT not in os.environ  # a set wait applies to all
    if job.done.wait(0.0 if queued else wait_seconds()):
        finished(key)
        if job.error:
            st.error(f"{label} failed: {job.error}")
            return None
        return job.value
    _progress(key)
    return None


@st.fragment(run_every=REFRESH_S)
def _progress(key: Hashable) -> None:
    """The job's progress bar; reruns the whole page once the job is done."""
    with _LOCK:
        job = _JOBS.get(key)
    if job is None or job.done.is_set():
        st.rerun()
    st.progress(job.fraction, text=f"{job.label} (in the background) · {job.text or 'starting…'}")
