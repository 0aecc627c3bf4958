"""One streamlit server and one headless Chromium for the whole browser session: both browser
modules visit the same pages, so a page's first visit (lessons 8-11 build the RAG index, lesson 15
trains) is paid once, not once per module."""

from __future__ import annotations

import pytest

from .server import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_idle


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
