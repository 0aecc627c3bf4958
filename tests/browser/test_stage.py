"""The stage view in a real browser: every lesson page opened with ``?stage=1`` at 1920x1080 and
1280x720 (sidebar collapsed) shows its hero chart and its failure sentence inside the first
viewport, draws no chart text under 16 px, lets no element overflow to the right, and its "Board"
switch puts the lesson's board in the big slot; in normal mode at 1400x1000 the page is at most
about two screen-heights (:func:`check_normal_page`, run on the end-to-end test's visit). Screenshots of the stage at 1920x1080 go to docs/screenshots/stage/
(the README shows them)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from playground import systems
from tests.app.apptest import registered

from .server import CHROMIUM, ROOT, wait_idle

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots" / "stage"
VIEWPORTS = ((1920, 1080), (1280, 720))
FIRST_VISIT_MS = 600_000
"""How long a page's first visit may take (lessons 8-11 build the RAG index, lesson 15 trains, on
two shared cores)."""
MAX_SCREENS = 2.2
"""Normal-mode page height at 1400x1000, in screen-heights (the issue's "about two")."""
KNOWN_FAILURES: dict[str, dict[str, str]] = {"stage": {}}
"""Pages that fail a check in the last full browser run, with the measured reason (xfail, not
strict: another branch's change may fix them; when it does, delete the entry)."""

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser tests")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

OVERFLOW_JS = """() => {
  // What sticks out past the window's right edge, and tables whose columns are cut off on the right.
  const width = document.documentElement.clientWidth;
  const out = [];
  const clipped = (el) => {
    for (let a = el.parentElement; a && a.dataset.testid !== 'stMain'; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.closest('.katex-mathml')) continue;
    if (r.right > width + 1 && !clipped(el)) out.push((el.dataset.testid || el.tagName) + ' right=' + Math.round(r.right));
  }
  for (const el of document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller, [data-testid="stTable"]')) {
    if (el.getBoundingClientRect().width > 0 && el.scrollWidth > el.clientWidth + 1) out.push('table cut off on the right');
  }
  return out.slice(0, 5);
}"""
SMALL_TEXT_JS = """() => Array.from(document.querySelectorAll('.st-key-stage_hero svg text'))
  .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
  .map(t => [t.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(t).fontSize)])
  .filter(([, size]) => size < 16)"""


def _save_shot(png: bytes, path: Path) -> None:
    """Save a screenshot as a 64-colour PNG (about 30 kB instead of 90 kB: the README shows them)."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64).save(path, optimize=True)


def _inside(page, selector: str, height: int) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height + 1


def _lessons(check: str):
    only = os.environ.get("STAGE_PAGES")  # e.g. "l06,l05" while developing
    known = KNOWN_FAILURES[check]
    return [pytest.param(item, id=item.id, marks=[pytest.mark.xfail(reason=known[item.id], strict=False)]
                         if item.id in known else [])
            for item in registered() if not only or item.id in only.split(",")]


@pytest.fixture(scope="module")
def stage_tab(chromium_server):
    """``(url, page)``: one browser tab for every stage visit (each visit is a fresh page load and
    a fresh app session; a new tab per visit cost ~3 s more, fetching and compiling the app again)."""
    url, chromium = chromium_server
    page = chromium.new_page(viewport=dict(zip(("width", "height"), VIEWPORTS[0])))
    yield url, page
    page.close()


@pytest.mark.parametrize("lesson", _lessons("stage"))
def test_stage_fits_the_first_viewport(stage_tab, lesson):
    """At 1920x1080, then the same page resized to 1280x720 (the layout is the browser's: nothing
    the server draws depends on the window, so a resize shows what a fresh visit at that size does)."""
    url, page = stage_tab
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[0])))
    page.goto(f"{url}/{lesson.slug[3:]}?stage=1")
    wait_idle(page, FIRST_VISIT_MS)
    assert not page.locator('[data-testid="stException"]').count(), "an exception box is shown"
    hero = '.st-key-stage_hero [data-testid="stPlotlyChart"]'
    verdict = '.st-key-stage_verdict [data-testid="stAlert"]'
    page.wait_for_selector(hero + " svg text", state="attached", timeout=60_000)
    _save_shot(page.screenshot(), SHOTS / f"{lesson.slug}.png")
    for width, height in VIEWPORTS:
        if (width, height) != VIEWPORTS[0]:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_function(f"() => document.documentElement.clientWidth === {width}")
            page.wait_for_timeout(500)  # plotly redraws a resized chart after a short debounce
        where = f"{lesson.id} at {width}x{height}"
        assert _inside(page, hero, height), f"{where}: the hero chart is not in the first viewport"
        assert _inside(page, verdict, height), f"{where}: the failure sentence is not in the first viewport"
        assert not page.evaluate(SMALL_TEXT_JS), f"{where}: chart text under 16 px"
        assert not page.evaluate(OVERFLOW_JS), f"{where}: elements overflow to the right"
    # the stage's switch puts the board in the big slot, and the link says so
    page.locator(".st-key-stage_bar").get_by_role("radio", name="Board", exact=True).click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('stage') === 'board'")
    wait_idle(page)
    assert_board_drawn(page, lesson.id)
    assert page.locator('.st-key-stage_hero [data-testid="stGraphVizChart"] svg').first.is_visible()
    assert not page.locator('[data-testid="stException"]').count(), "an exception box is shown"


def check_normal_page(page, lesson_id: str) -> None:
    """In normal mode at 1400x1000 (``page`` just opened, nothing unfolded) the page is at most
    about two screen-heights and nothing overflows to the right (called by the end-to-end test,
    which opens every page at that size)."""
    tall = page.evaluate("() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    assert tall <= MAX_SCREENS * 1000, f"{lesson_id}: {tall / 1000:.1f} screen-heights"
    assert not page.evaluate(OVERFLOW_JS), f"{lesson_id}: elements overflow to the right"


def expected_titles(lesson_id: str) -> list[str]:
    """Box titles the board of a page must show: the lesson's own components (the readiness page
    draws the recommender round by default; the drill starts blank)."""
    if lesson_id == "drill":
        return []
    if lesson_id == "ir":
        return [c.name.partition(" (")[0] for c in systems.SYSTEMS["recsys"].components]
    return [c.name.partition(" (")[0] for c in systems.system_for(lesson_id).components
            if c.lesson == lesson_id]


def assert_board_drawn(page, lesson_id: str) -> None:
    """The board's SVG is drawn (its expander unfolded on a normal page) with the lesson's boxes."""
    folded = page.locator('[data-testid="stExpander"] summary').filter(has_text="The board:")
    if folded.count():  # a lesson page keeps its board in a collapsed expander: open it
        folded.first.click()
    svg = page.locator('[data-testid="stGraphVizChart"] svg')
    svg.first.wait_for(timeout=60_000)
    words = " ".join(svg.first.locator("g.node text").all_text_contents())
    for title in expected_titles(lesson_id):
        assert title in words, f"the board has no box {title!r}: {words[:300]}"
