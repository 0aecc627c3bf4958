"""Slow page artefacts built in a background thread while the page shows what is ready.

:func:`background` returns the value of a :func:`components.cache.cached` builder when it is in
the process cache. Otherwise it starts the build (once per process and arguments, whichever
session asks first) in a thread, waits a moment (a build that finishes quickly shows no
progress at all), and else draws a progress bar that refreshes every second and reruns the page
when the value is ready; meanwhile it returns ``None`` and the page shows the rest.

Background builds run one at a time per process, in the order they were asked for (two shared
cores: running them side by side finishes none sooner, and timings measured by one would count
the other's work); a queued build says what it waits for.

Builds yield to the page a learner is looking at. The entry point notes every session's page
(:func:`viewing`); a build that no session still wants (each session that asked has left the page
it asked from, or disconnected) stops at its next ``progress`` checkpoint: the callback raises
:class:`Cancelled`, the runner swallows it, nothing partial is cached and the next visit starts
the build again. A queued build nobody wants any more is dropped before it starts. Builds run at
a lower CPU priority than page scripts (the build thread's nice value is raised by
:data:`NICE`, Linux only; ``PLAYGROUND_BACKGROUND_NICE`` sets it).

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
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.cache import Cache, process_cache

ENV_WAIT = "PLAYGROUND_BACKGROUND_WAIT"
DEFAULT_WAIT_S = 1.5
REFRESH_S = 1.0
ENV_NICE = "PLAYGROUND_BACKGROUND_NICE"
NICE = int(os.environ.get(ENV_NICE, "10"))
"""Added to a build thread's nice value, so page scripts get the cores first (``PLAYGROUND_BACKGROUND_NICE``;
the tests set 0: a test waits for the build, which other test workers and Chromium must not starve)."""


class Cancelled(BaseException):
    """Raised inside a build by its ``progress`` callback when no session wants the value any more
    (a BaseException, so that a builder's ``except Exception`` does not swallow it)."""


_VIEWING: dict[str, str] = {}  # session id -> url path of the page its latest run is on


def viewing(page: str) -> None:
    """Note that this script run's session is on ``page`` (its url path); the entry point calls
    this on every run, before the page runs. Forgets sessions that have disconnected."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return
    with _LOCK:
        _VIEWING[ctx.session_id] = page
        for sid in [sid for sid in _VIEWING if not _alive(sid)]:
            del _VIEWING[sid]


def _alive(session_id: str) -> bool:
    """Whether the session is still connected (always, outside a server: AppTest, scripts)."""
    return not Runtime.exists() or Runtime.instance().is_active_session(session_id)


def _asker() -> tuple[str, str | None] | None:
    """(session id, page it is on, if the entry point noted it) of this script run, if any."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return None
    with _LOCK:
        return ctx.session_id, _VIEWING.get(ctx.session_id)


@dataclass
class Job:
    """One background build: its label, last progress report, and outcome."""

    label: str
    fraction: float = 0.0
    text: str = ""
    value: Any = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)
    askers: set[tuple[str, str | None]] = field(default_factory=set)  # (session id, page it asked from)
    cancelled: bool = False

    def report(self, fraction: float, text: str) -> None:
        """The builder's ``progress(fraction, text)`` callback; raises :class:`Cancelled` when no
        session wants the value any more."""
        if self.abandon():
            raise Cancelled(self.label)
        self.fraction, self.text = float(min(max(fraction, 0.0), 1.0)), text

    def abandon(self) -> bool:
        """Mark the job cancelled if every session that asked for it has left the page it asked
        from or disconnected (a job asked for outside a session is always wanted); return
        whether it is cancelled."""
        with _LOCK:
            if not self.cancelled and self.askers:
                self.cancelled = not any(_alive(sid) and (page is None or _VIEWING.get(sid, page) == page)
                                         for sid, page in self.askers)
            return self.cancelled


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


def start(cache: Cache, key: Hashable, builder: Callable, args: tuple, kwargs: dict, label: str,
          asker: tuple[str, str | None] | None = None) -> Job:
    """The job building ``key`` (started now unless one is running or finished unread), with
    ``asker`` (session id, page) added to the sessions that want it."""
    with _LOCK:
        job = _JOBS.get(key)
        if job is None or job.cancelled:
            job = _JOBS[key] = Job(label)
            fresh = True
        else:
            fresh = False
        if asker is not None:
            job.askers.add(asker)
    if not fresh:
        return job
    extra = {"progress": job.report} if "progress" in inspect.signature(builder).parameters else {}

    if _running:
        job.text = f"queued behind: {_running[0]}"

    def run() -> None:
        with _RUN:
            _running.insert(0, label)
            job.text = ""
            try:
                lower_priority()
                if job.abandon():
                    raise Cancelled(label)
                job.value = builder(*args, **kwargs, **extra)
                cache.put(key, job.value)
            except Cancelled:  # nobody waits for it: nothing cached, the next visit starts again
                with _LOCK:
                    if _JOBS.get(key) is job:
                        del _JOBS[key]
            except Exception as err:  # shown on the page by the session that asked, then forgotten
                job.error = f"{type(err).__name__}: {err}"
            finally:
                _running.remove(label)
                job.done.set()

    threading.Thread(target=run, name=f"background: {label}", daemon=True).start()
    return job


def lower_priority() -> None:
    """Raise this thread's nice value by :data:`NICE` (Linux: a thread is a schedulable task with
    its own nice value; elsewhere, or if refused, the build runs at normal priority)."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + NICE)
    except (AttributeError, OSError):
        pass


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
        finished(key)  # the job that built it, if nobody has read it yet
        return value
    job = start(cache, key, fn.__wrapped__, args, kwargs, label, _asker())
    queued = job.text.startswith("queued") and ENV_WAIT not in os.environ  # a set wait applies to all
    if job.done.wait(0.0 if queued else wait_seconds()) and not job.cancelled:
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
