"""Background builds (app/components/background.py): the page renders at once with a progress bar,
the value appears on a later run, one build per key, and a failed build is reported then retried."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest


def _script():
    import threading

    import streamlit as st
    from components.background import background
    from components.cache import cached

    gate = st.session_state.setdefault("gate", threading.Event())
    calls = st.session_state.setdefault("calls", [])

    @cached()
    def slow(x: int, _gate, _calls, progress=None):
        _calls.append(x)
        progress(0.5, "half way")
        if not _gate.wait(30):
            raise TimeoutError("the test never opened the gate")
        if x < 0:
            raise ValueError("negative input")
        return x * 2

    st.title("header first")
    x = st.session_state.get("x", 21)
    value = background(slow, x, gate, calls, label="Doubling")
    st.write(f"value {value}")


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
