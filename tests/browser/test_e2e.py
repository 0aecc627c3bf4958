"""End to end in a real browser: every registered page in headless Chromium against a real
`streamlit run` on loopback. No exception box, no unexpected console error, one widget moved and
the page updated, a screenshot per page (saved under .cache/screenshots/)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.app.apptest import registered

from .server import BENIGN, CHROMIUM, CHROMIUM_ARGS, ROOT, streamlit_server, wait_idle

pytestmark = pytest.mark.browser
SHOTS = ROOT / ".cache" / "screenshots"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser tests")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def browser_page():
    from playwright.sync_api import sync_playwright

    with streamlit_server() as (url, _proc), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        yield url, page, errors
        browser.close()


def _unexpected(errors: list[str]) -> list[str]:
    return [e for e in errors if not any(b in e for b in BENIGN)]


def test_home_lists_the_course(browser_page):
    url, page, errors = browser_page
    page.goto(url)
    wait_idle(page)
    assert page.get_by_text("ML System Design Playground").first.is_visible()
    assert not page.locator('[data-testid="stException"]').count()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)
    assert not _unexpected(errors), errors


@pytest.mark.parametrize("lesson", registered(), ids=lambda lesson: lesson.id)
def test_page_renders_and_reacts_to_a_widget(browser_page, lesson):
    url, page, errors = browser_page
    errors.clear()
    page.goto(f"{url}/{lesson.slug[3:]}")
    wait_idle(page)
    assert page.locator("h1").filter(has_text=lesson.title).count(), "the lesson header is shown"
    assert not page.locator('[data-testid="stException"]').count(), "an exception box is shown"
    page.wait_for_function("() => location.search.length > 1")
    before = parse_qs(urlparse(page.url).query)
    search = urlparse(page.url).query

    slider = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]').first
    if slider.count():
        slider.focus()
        page.keyboard.press("End")
    else:  # no slider in the sidebar: switch to the stage view instead
        page.get_by_role("button", name="Stage view").click()
    page.wait_for_function("(old) => location.search.slice(1) !== old", arg=search)
    wait_idle(page)
    after = parse_qs(urlparse(page.url).query)
    assert after != before, "moving a widget updated the scenario"
    assert not page.locator('[data-testid="stException"]').count(), "an exception box is shown"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{lesson.slug}.png"), full_page=True)
    assert not _unexpected(errors), errors
