"""Import every page's modules once per server process, in a background thread, so that a page's
first visit does not pay for them (torch and FAISS for lesson 3, statsmodels for lesson 6,
scikit-learn for the case studies: about 7 s of CPU in all on this machine, bench/first_visit.py).

The thread starts on the first script run of a real server (not under AppTest, where every test
process would pay for pages it never opens) and runs at the background builds' lower priority
(:func:`components.background.lower_priority`). A page whose modules are still being imported
when it is opened waits for that import (Python's import lock) instead of importing twice.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import threading

import streamlit as st
from streamlit.runtime import Runtime

import components
from components.background import lower_priority


def _import_all() -> None:
    lower_priority()
    for info in sorted(pkgutil.iter_modules(components.__path__), key=lambda m: m.name):
        try:
            importlib.import_module(f"components.{info.name}")
        except Exception as err:  # the page that needs it shows the error when it is opened
            print(f"playground: preloading components.{info.name} failed: {err!r}", file=sys.stderr)


@st.cache_resource(show_spinner=False)
def _start() -> threading.Thread:
    thread = threading.Thread(target=_import_all, name="preload page modules", daemon=True)
    thread.start()
    return thread


def preload() -> threading.Thread | None:
    """Start the import thread once per server process; ``None`` without a server (AppTest)."""
    return _start() if Runtime.exists() else None
