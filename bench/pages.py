"""The app's lesson pages as the tests and benches drive them: which pages are registered, how to
open one under AppTest through the real entry point, and which controls rebuild something when
moved (the generic widget fuzzer, tests/app/test_every_page.py, and the benches' widget moves
leave those at their defaults; each page's own tests cover their extremes)."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit.components.v2.manifest_scanner as component_manifests
from streamlit.testing.v1 import AppTest

from playground import course

# A server scans the installed distributions for Streamlit component manifests once, when its
# runtime starts; AppTest repeats the scan on every run (reading the metadata of each of several
# hundred packages: 0.5-0.8 s of a 1 s page run here). Scan once per process, as the server does.
component_manifests.scan_component_manifests = functools.lru_cache(maxsize=1)(
    component_manifests.scan_component_manifests)

APP_DIR = Path(__file__).resolve().parents[1] / "app"
ENTRY = str(APP_DIR / "streamlit_app.py")
TIMEOUT = 600

LEFT_ALONE: dict[str, frozenset[str]] = {
    "l01": frozenset({"users"}),
    "l02": frozenset({"eta", "users"}),
    "l03": frozenset({"zipf", "dim", "epochs", "source", "n", "d", "kind", "nlist", "M", "efc",
                      "pq_m", "nbits"}),
    "l04": frozenset({"model", "w"}),
    "l11": frozenset({"n"}),
    "l12": frozenset({"n", "bits", "delay"}),
    "l13": frozenset({"rate", "drift", "delay"}),
    "l14": frozenset({"n", "tail", "rain", "q"}),
    "l15": frozenset({"seed", "epochs", "batch", "dim", "temperature", "learn_t"}),
}
"""Lesson id -> keys of the controls whose change retrains a model or rebuilds an index."""


def fuzzed(lesson_id: str, key: str) -> bool:
    """Whether the generic fuzzer (and a bench's widget move) may move control ``key`` of lesson
    ``lesson_id``'s page."""
    return key not in LEFT_ALONE.get(lesson_id, frozenset())


def registered() -> list[course.Lesson]:
    """Every lesson page the app registers."""
    return course.built_lessons(APP_DIR)


def open_page(lesson_id: str, params: dict[str, str] | None = None, timeout: float = TIMEOUT,
              typed: dict[str, str] | None = None) -> AppTest:
    """Run the lesson's page (optionally opened from a link with ``params``, and with ``typed``
    widget values already entered, e.g. a server path that no link can set) and return the AppTest."""
    lesson = course.lesson(lesson_id)
    at = AppTest.from_file(ENTRY, default_timeout=timeout)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    for key, value in (typed or {}).items():
        at.session_state[key] = value
    at.switch_page(lesson.page_file)
    return at.run()
