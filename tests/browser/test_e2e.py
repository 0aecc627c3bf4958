"""End to end in a real browser, beyond one visit per page (test_pages.py): the home page, a board
link opening the stage's big slot, and the whiteboard drill completed by clicks. No exception box
and no unexpected console error; screenshots under .cache/screenshots/."""

from __future__ import annotations

import pytest

from tests.app.apptest import registered

from .checks import assert_board_drawn, unexpected
from .server import ROOT, wait_idle

pytestmark = pytest.mark.browser
SHOTS = ROOT / ".cache" / "screenshots"


def test_home_lists_the_course(tab):
    url, page, errors = tab
    page.goto(url)
    wait_idle(page)
    assert page.get_by_text("ML System Design Playground").first.is_visible()
    assert not page.locator('[data-testid="stException"]').count()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)
    assert not unexpected(errors), errors


def _open(tab, path: str):
    """Open ``path`` on the server with a clean error list; return the page and its errors."""
    url, page, errors = tab
    errors.clear()
    page.goto(f"{url}/{path}")
    wait_idle(page)
    return page, errors


def test_board_drawn_in_the_stage_slot_from_a_link(tab):
    """``?stage=board`` opens the stage with the board's SVG in the big slot (every page's board in
    that slot: test_stage_fits_the_first_viewport, through the stage's own switch)."""
    lesson = next(item for item in registered() if item.id == "l07")
    page, errors = _open(tab, lesson.slug[3:] + "?stage=board")
    assert_board_drawn(page, lesson.id)
    assert page.locator('.st-key-stage_hero [data-testid="stGraphVizChart"] svg').first.is_visible()
    assert not page.locator('[data-testid="stException"]').count()
    assert not unexpected(errors), errors


def _choose(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    wait_idle(page)


_ON_BOARD = """(ids) => { const q = new URLSearchParams(location.search);
  const drawn = ['off', 'on', 'both'].flatMap(k => (q.get(k) || '').split(','));
  return ids.every(id => drawn.includes(id)); }"""


def test_drill_completed_by_clicks(tab):
    page, errors = _open(tab, "whiteboard_drill")
    added = []
    for component, side, key in (("Feature store", "Shared by both sides", "feature_store"),
                                 ("Ranker", "Online (request path)", "ranker"),
                                 ("ANN candidate index", "Offline (training, batch)", "ann_index")):
        _choose(page, "Component", component)
        page.get_by_text(side, exact=True).first.click()
        wait_idle(page)
        page.get_by_role("button", name="Add to the board").click()
        added.append(key)
        page.wait_for_function(_ON_BOARD, arg=added)
        wait_idle(page)
    _choose(page, "From", "Feature store")
    _choose(page, "To", "Ranker")
    page.get_by_role("button", name="Connect").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('flows') === 'feature_store>ranker'")
    wait_idle(page)
    words = " ".join(page.locator('[data-testid="stGraphVizChart"] svg g.node text').all_text_contents())
    assert "Feature store" in words and "Ranker" in words and "ANN candidate index" in words
    assert page.locator('[data-testid="stGraphVizChart"] svg g.edge').count() == 1
    page.get_by_text("Grade my board", exact=True).click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('graded') === '1'")
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Graded review").first.wait_for(timeout=30_000)
    assert main.get_by_text("Verdict").first.is_visible()
    assert main.get_by_text("misplaced (you drew it offline; it runs online)").count()
    assert main.get_by_role("link", name="Reproduce the failure: 3 · Retrieval: two-tower + ANN, "
                                         "scenario 'underprobed'").count()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "drill_graded.png"), full_page=True)
    assert not page.locator('[data-testid="stException"]').count()
    assert not unexpected(errors), errors
