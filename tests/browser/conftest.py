"""One streamlit server and one headless Chromium per test process, shared by both browser modules
(a page's first visit builds its models and indexes in that server once), and the tab fixture that
logs console errors. Without Debian's chromium the modules are skipped (CI must have it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .server import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_idle

if not Path(CHROMIUM).exists():  # a contributor without Debian's chromium skips these modules
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser tests")
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def chromium_server():
    """``(url, browser)``: a running `streamlit run` of this checkout and a Chromium to drive it."""
    from playwright.sync_api import sync_playwright

    with streamlit_server() as (url, _proc), sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Streamlit 1.67 serves a deep link on a server whose entry script has never run from
        # the pages/ folder alone (no st.navigation, no page config): open the home page first.
        warm = chromium.new_page()
        warm.goto(url)
        wait_idle(warm)
        warm.close()
        yield url, chromium
        chromium.close()


@pytest.fixture(scope="module")
def tab(chromium_server):
    """``(url, page, errors)``: one browser tab (1400x1000) for a module's visits, and the console
    errors it logged (each visit is a fresh page load and a fresh app session; a new tab per visit
    cost ~3 s more, fetching and compiling the app again)."""
    url, chromium = chromium_server
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    yield url, page, errors
    page.close()
