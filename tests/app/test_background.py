"""Background builds (app/components/background.py): the page renders at once with a progress bar,
the value appears on a later run, one build per key, a failed build is reported then retried, and
a build nobody waits for any more (its session left the page or disconnected) stops at its next
progress report, caches nothing, and is built again by the next visit."""

from __future__ import annotations

import os
import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from components import background as bg
from components.cache import Cache


def _script():
    import threading

    import streamlit as st
    from components.background import background, viewing
    from components.cache import cached, process_cache

    gate = st.session_state.setdefault("gate", threading.Event())
    calls = st.session_state.setdefault("calls", [])

    @cached()
    def slow(x: int, _gate, _calls, progress=None):
        _calls.append(x)
        progress(0.5, "half way")
        if not _gate.wait(30):
            raise TimeoutError("the test never opened the gate")
        progress(1.0, "done")
        if x < 0:
            raise ValueError("negative input")
        return x * 2

    viewing(st.session_state.get("page", "doubling"))  # as the entry point does
    st.title("header first")
    x = st.session_state.get("x", 21)
    if st.session_state.get("page", "doubling") == "doubling":
        value = background(slow, x, gate, calls, label="Doubling")
        st.write(f"value {value}")
    st.write(f"cached {slow.cache_key(x, gate, calls) in process_cache()}")


def _wait_for(condition, timeout=30.0):
    end = time.time() + timeout
    while not condition() and time.time() < end:
        time.sleep(0.05)
    assert condition()


def test_the_page_renders_first_and_the_value_arrives_later(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_BACKGROUND_WAIT", "0")
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["x"] = 1001
    at.run()
    assert not at.exception
    assert at.title[0].value == "header first"
    assert "value None" in [m.value for m in at.markdown]
    at.run()  # a second run while building starts nothing new
    assert at.session_state["calls"] == [1001]
    at.session_state["gate"].set()
    from components import background as bg

    _wait_for(lambda: all(job.done.is_set() for job in bg._JOBS.values()))
    at.run()
    assert "value 2002" in [m.value for m in at.markdown]
    assert at.session_state["calls"] == [1001]


def test_a_quick_build_shows_its_value_in_the_same_run(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_BACKGROUND_WAIT", "10")
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["x"] = 1002
    at.session_state["gate"] = __import__("threading").Event()
    at.session_state["gate"].set()
    at.run()
    assert "value 2004" in [m.value for m in at.markdown]


def test_a_failed_build_is_shown_once_and_retried(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_BACKGROUND_WAIT", "10")
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["x"] = -5
    at.session_state["gate"] = __import__("threading").Event()
    at.session_state["gate"].set()
    at.run()
    assert not at.exception
    assert any("Doubling failed: ValueError: negative input" in e.value for e in at.error)
    at.run()
    assert at.session_state["calls"] == [-5, -5]  # retried on the next run


def test_a_build_stops_when_its_session_leaves_the_page_and_the_next_visit_rebuilds(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_BACKGROUND_WAIT", "0")
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["x"] = 1003
    at.run()
    assert "value None" in [m.value for m in at.markdown]
    at.session_state["page"] = "elsewhere"
    at.run()  # the learner moved on while the build waits at its gate
    at.session_state["gate"].set()  # the build reaches its next progress report
    _wait_for(lambda: not any(key[2] == ("dict", (("x", 1003),)) for key in bg._JOBS))
    assert at.session_state["calls"] == [1003]
    at.run()
    assert "cached False" in [m.value for m in at.markdown]  # nothing partial was kept
    monkeypatch.setenv("PLAYGROUND_BACKGROUND_WAIT", "30")
    at.session_state["page"] = "doubling"
    at.run()
    assert "value 2006" in [m.value for m in at.markdown]
    assert at.session_state["calls"] == [1003, 1003]  # built again
    assert "cached True" in [m.value for m in at.markdown]


@pytest.fixture
def pages(monkeypatch):
    """The background module's session -> page map, empty, with every session connected."""
    monkeypatch.setattr(bg, "_VIEWING", {})
    monkeypatch.setattr(bg, "_alive", lambda sid: sid != "gone")
    return bg._VIEWING


def test_a_job_is_wanted_while_any_session_that_asked_is_still_on_its_page(pages):
    job = bg.Job("build")
    assert not job.abandon()  # asked outside a session (warm-up): always wanted
    pages.update(s1="a", s2="a")
    job.askers |= {("s1", "a"), ("s2", "a")}
    pages["s1"] = "b"
    assert not job.abandon()  # s2 still looks at page a
    job.report(0.5, "half")
    pages["s2"] = "c"
    assert job.abandon()
    with pytest.raises(bg.Cancelled):
        job.report(0.6, "more")


def test_a_disconnected_session_no_longer_wants_its_build(pages):
    job = bg.Job("build")
    pages["gone"] = "a"
    job.askers.add(("gone", "a"))
    assert job.abandon()
    page_unknown = bg.Job("build")
    page_unknown.askers.add(("s1", None))  # a script run without the entry point
    assert not page_unknown.abandon()


def test_a_queued_build_nobody_wants_is_dropped_before_it_starts_and_a_new_ask_starts_afresh(pages):
    cache, gate, ran = Cache(10**6), threading.Event(), []
    pages.update(s1="a", s2="b")

    def blocker(progress=None):
        gate.wait(30)
        return 1

    def queued(progress=None):
        ran.append(1)
        return 2

    first = bg.start(cache, "first", blocker, (), {}, "blocker", ("s2", "b"))
    second = bg.start(cache, "second", queued, (), {}, "queued", ("s1", "a"))
    pages["s1"] = "elsewhere"
    gate.set()
    assert first.done.wait(30) and second.done.wait(30)
    assert second.cancelled and not ran and "second" not in cache and "second" not in bg._JOBS
    assert bg.finished("first").value == 1
    pages["s1"] = "a"
    again = bg.start(cache, "second", queued, (), {}, "queued", ("s1", "a"))
    assert again is not second and again.done.wait(30) and bg.finished("second").value == 2
    assert ran == [1] and cache.lookup("second") == (True, 2)


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities are a Linux feature")
def test_a_build_runs_at_a_lower_cpu_priority_than_the_page(pages, monkeypatch):
    monkeypatch.setattr(bg, "NICE", 10)  # the server's default (the tests' environment sets 0)
    seen = []

    def builder():
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return 0

    job = bg.start(Cache(10**6), "nice", builder, (), {}, "nice")
    assert job.done.wait(30) and bg.finished("nice") is job
    assert seen == [min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19)]
