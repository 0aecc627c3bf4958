"""Every registered page in headless Chromium against a real `streamlit run` on loopback, in one
visit per page: first the stage (``?stage=1``) at 1920x1080 and 1280x720 with the sidebar
collapsed, which shows its hero chart and its failure sentence inside the first viewport, draws no
chart text under 16 px, lets no element overflow to the right, and whose "Board" switch puts the
lesson's board in the big slot; then the same session leaves the stage, and at 1400x1000 the
normal page is at most about two screen-heights, draws its board, and updates its link when a
sidebar slider moves. No exception box and no unexpected console error throughout. Screenshots:
the stage at 1920x1080 under docs/screenshots/stage/ (the README shows them), the normal page
under .cache/screenshots/."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.app.apptest import registered

from .checks import (OVERFLOW_JS, SMALL_TEXT_JS, assert_board_drawn, check_normal_page, inside, save_shot,
                     unexpected)
from .server import ROOT, SETTLE_MS, wait_idle

pytestmark = pytest.mark.browser
STAGE_SHOTS = ROOT / "docs" / "screenshots" / "stage"
SHOTS = ROOT / ".cache" / "screenshots"
STAGE_VIEWPORTS = ((1920, 1080), (1280, 720))
NORMAL_VIEWPORT = {"width": 1400, "height": 1000}
FIRST_VISIT_MS = 600_000
"""How long a page's first visit may take (lessons 8-11 build the RAG index, lesson 15 trains, on
two shared cores)."""


def _lessons():
    only = os.environ.get("BROWSER_PAGES")  # e.g. "l06,l05" while developing
    return [item for item in registered() if not only or item.id in only.split(",")]


def _no_exception(page, where: str) -> None:
    assert not page.locator('[data-testid="stException"]').count(), f"{where}: an exception box is shown"


@pytest.mark.parametrize("lesson", _lessons(), ids=lambda lesson: lesson.id)
def test_page_on_stage_then_in_normal_mode(tab, lesson):
    url, page, errors = tab
    errors.clear()
    page.set_viewport_size(dict(zip(("width", "height"), STAGE_VIEWPORTS[0])))
    page.goto(f"{url}/{lesson.slug[3:]}?stage=1")
    wait_idle(page, FIRST_VISIT_MS)
    _check_stage(page, lesson)
    _check_normal(page, lesson)
    assert not unexpected(errors), errors


def _check_stage(page, lesson) -> None:
    """At 1920x1080, then the same page resized to 1280x720 (the layout is the browser's: nothing
    the server draws depends on the window, so a resize shows what a fresh visit at that size does);
    then the stage's switch puts the board in the big slot, and the link says so."""
    _no_exception(page, lesson.id)
    hero = '.st-key-stage_hero [data-testid="stPlotlyChart"]'
    verdict = '.st-key-stage_verdict [data-testid="stAlert"]'
    page.wait_for_selector(hero + " svg text", state="attached", timeout=60_000)
    save_shot(page.screenshot(), STAGE_SHOTS / f"{lesson.slug}.png")
    for width, height in STAGE_VIEWPORTS:
        if (width, height) != STAGE_VIEWPORTS[0]:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_function(f"() => document.documentElement.clientWidth === {width}")
            page.wait_for_timeout(500)  # plotly redraws a resized chart after a short debounce
        where = f"{lesson.id} at {width}x{height}"
        assert inside(page, hero, height), f"{where}: the hero chart is not in the first viewport"
        assert inside(page, verdict, height), f"{where}: the failure sentence is not in the first viewport"
        assert not page.evaluate(SMALL_TEXT_JS), f"{where}: chart text under 16 px"
        assert not page.evaluate(OVERFLOW_JS), f"{where}: elements overflow to the right"
    page.locator(".st-key-stage_bar").get_by_role("radio", name="Board", exact=True).click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('stage') === 'board'", timeout=SETTLE_MS)
    wait_idle(page)
    assert_board_drawn(page, lesson.id)
    assert page.locator('.st-key-stage_hero [data-testid="stGraphVizChart"] svg').first.is_visible()
    _no_exception(page, f"{lesson.id} on stage, board shown")


def _check_normal(page, lesson) -> None:
    """Leave the stage (open the sidebar if it stayed collapsed), and at 1400x1000: the header,
    the page's height (before anything unfolds), the board in its expander, and the first visible
    sidebar slider moved to its end updates the link."""
    page.set_viewport_size(NORMAL_VIEWPORT)
    page.wait_for_function(f"() => document.documentElement.clientWidth === {NORMAL_VIEWPORT['width']}")
    page.get_by_role("button", name="Leave stage view").click()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('stage')", timeout=SETTLE_MS)
    wait_idle(page)
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count():  # the stage link opened the page with the sidebar collapsed
        expand.click()
    page.locator('[data-testid="stSidebarUserContent"]').wait_for()
    assert page.locator("h1").filter(has_text=lesson.title).count(), "the lesson header is shown"
    _no_exception(page, f"{lesson.id} in normal mode")
    check_normal_page(page, lesson.id)
    page.wait_for_function("() => location.search.length > 1")
    assert_board_drawn(page, lesson.id)
    before = parse_qs(urlparse(page.url).query)
    search = urlparse(page.url).query
    # the first slider a learner can see (the "Advanced" expander starts collapsed)
    slider = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]:visible input[type="range"]').first
    if slider.count():
        slider.focus()
        page.keyboard.press("End")
    else:  # no slider in the sidebar: the stage's button is the page's one control here
        _click_until_it_reruns(page, page.get_by_role("button", name="Stage view"), search)
    # the rerun may wait for a build the first visit started
    page.wait_for_function("(old) => location.search.slice(1) !== old", arg=search, timeout=SETTLE_MS)
    wait_idle(page)
    assert parse_qs(urlparse(page.url).query) != before, "moving a widget updated the scenario"
    _no_exception(page, f"{lesson.id} after a widget moved")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{lesson.slug}.png"), full_page=True)


def _click_until_it_reruns(page, button, search: str, tries: int = 3) -> None:
    """Click ``button``; if the app is still idle with the link unchanged 20 s later, the click was
    lost: click again. A second click while the first one's rerun runs would toggle the stage back,
    so a running script is waited for instead. (One full-suite run at load 5 lost this click on the
    readiness page: the link stayed unchanged for 180 s; run alone the test passes.)"""
    for _ in range(tries):
        button.click()
        try:
            page.wait_for_function("(old) => location.search.slice(1) !== old", arg=search, timeout=20_000)
            return
        except PlaywrightTimeout:
            wait_idle(page)
            if urlparse(page.url).query != search:
                return
