"""The browser tests' server (bench/server.py, shared with the benches) and their wait for a
settled page."""

from __future__ import annotations

from bench.server import BENIGN, CHROMIUM, CHROMIUM_ARGS, ROOT, streamlit_server  # noqa: F401  (the browser tests import them from here)


def wait_idle(page, timeout_ms: float = 180_000) -> None:
    """Wait until the app has rendered a title and no script run is in progress."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)
