"""The README's three page screenshots, taken in headless Chromium from a fresh `streamlit run` of
this checkout (the stage screenshots under docs/screenshots/stage/ come from the browser tests):

    python scripts/readme_screenshots.py

- docs/screenshot.png: lesson 3 at 1400x1000 with logQ switched off, once both models have
  trained (the verdict at the top is red: the index serves the naive towers);
- docs/screenshots/board_lesson05.png: lesson 5's board, its expander opened;
- docs/screenshots/drill_graded.png: the drill's model-first board, graded.

Each image is a viewport (1400x1000) or one element, never a full page, so it stays readable in
the README. Needs Debian's chromium and Python playwright, as the browser tests do.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "app")]

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402
from tests.browser.server import SETTLE_MS, wait_idle  # noqa: E402

SHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1400, "height": 1000}
TRAINED = "Untrained towers"
"""Lesson 3's verdict while its models train; the screenshot waits until it is replaced."""


def _open(page, url: str) -> None:
    page.goto(url)
    wait_idle(page, SETTLE_MS)


def lesson3(page, url: str) -> None:
    _open(page, f"{url}/retrieval_ann?logq=false")
    verdict = page.locator('.st-key-page_verdict [data-testid="stAlert"]')
    page.wait_for_function(f"() => !document.querySelector('.st-key-page_verdict').innerText.includes('{TRAINED}')",
                           timeout=SETTLE_MS)
    wait_idle(page, SETTLE_MS)
    assert verdict.first.is_visible()
    page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))


def board(page, url: str) -> None:
    _open(page, f"{url}/online_serving")
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="The board:").first
    expander.locator("summary").click()
    expander.locator('[data-testid="stGraphVizChart"] svg').first.wait_for()
    page.wait_for_timeout(500)
    expander.screenshot(path=str(SHOTS / "board_lesson05.png"))


def drill(page, url: str) -> None:
    _open(page, f"{url}/whiteboard_drill?preset=model_first&graded=1")
    page.get_by_text("Graded review").first.wait_for(timeout=SETTLE_MS)
    chart = page.locator('[data-testid="stGraphVizChart"]').first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "drill_graded.png"))


def main() -> None:
    with streamlit_server() as (url, _proc), sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm = chromium.new_page()  # the entry script runs once before a deep link (tests/browser/conftest.py)
        _open(warm, url)
        warm.close()
        page = chromium.new_page(viewport=VIEWPORT)
        for shot in (lesson3, board, drill):
            shot(page, url)
            print(f"{shot.__name__}: done")
        chromium.close()


if __name__ == "__main__":
    main()
