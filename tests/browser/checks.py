"""What the browser tests check on a page: the stage's layout (first viewport, text size, overflow),
the normal page's height, the board's boxes, and console errors."""

from __future__ import annotations

import io
from pathlib import Path

from playground import systems

from .server import BENIGN

MAX_SCREENS = 2.2
"""Normal-mode page height at 1400x1000, in screen-heights (the issue's "about two")."""

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
    // a closed expander keeps the width its content had when it was last laid out: not seen, not checked
    if (r.width === 0 || r.height === 0 || !el.checkVisibility() || el.closest('.katex-mathml')) continue;
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


def save_shot(png: bytes, path: Path) -> None:
    """Save a screenshot as a 64-colour PNG (about 30 kB instead of 90 kB: the README shows them)."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64).save(path, optimize=True)


def inside(page, selector: str, height: int) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height + 1


def unexpected(errors: list[str]) -> list[str]:
    """Console errors that are not on the benign list."""
    return [e for e in errors if not any(b in e for b in BENIGN)]


def check_normal_page(page, lesson_id: str) -> None:
    """In normal mode at 1400x1000 (``page`` just opened, nothing unfolded) the page is at most
    about two screen-heights and nothing overflows to the right (test_pages.py checks
    every page at that size)."""
    tall = page.evaluate("() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    assert tall <= MAX_SCREENS * 1000, f"{lesson_id}: {tall / 1000:.1f} screen-heights"
    out = page.evaluate(OVERFLOW_JS)
    assert not out, f"{lesson_id}: elements overflow to the right: {out}"


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
