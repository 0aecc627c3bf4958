"""The browser tests' server (bench/server.py, shared with the benches) and their wait for a
settled page."""

from __future__ import annotations

from bench.server import BENIGN, CHROMIUM, CHROMIUM_ARGS, ROOT, streamlit_server  # noqa: F401  (the browser tests import them from here)


SETTLE_MS = 180_000
"""How long a page may take to settle after a visit or a widget move (a rerun may wait for a build
the first visit started: one build at a time per process)."""


def wait_idle(page, timeout_ms: float = SETTLE_MS) -> None:
    """Wait until the app has rendered a title and no script run is in progress."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)
