"""Every registered page renders through the entry point, has the shared anatomy, survives its
widgets' extremes and random values, and restores every preset from a link."""

from __future__ import annotations

import random

import pytest

from components.page import CLOSED_TAB_CHART, CLOSED_TAB_SECTION, declared_controls
from components.stage import MODE_KEY
from playground import course
from playground.scenario import Control
from scenarios import BY_LESSON

from bench.pages import fuzzed

from .apptest import charts, laned, open_page, registered, sections_left, top_verdict, views

PAGES = [lesson.id for lesson in registered()]
LANED = laned(PAGES)
TABBED = ["l03", "l04", "l05", "l06", "l07", "l08", "l10", "l11", "l12", "l13", "l14", "l15"]
"""Pages whose tabs are a control (``view``) and whose closed tabs hold charts, drawn when they open
(lesson 9's other tabs have none)."""


def _assert_clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_every_lesson_has_a_page_or_is_listed_as_unbuilt():
    assert PAGES, "no lesson page is registered"
    assert len(PAGES) == len(set(PAGES))


@pytest.mark.parametrize("lesson_id", LANED)
def test_page_renders_with_the_shared_anatomy(lesson_id):
    at = open_page(lesson_id)
    _assert_clean(at)
    lesson = course.lesson(lesson_id)
    assert at.title[0].value == lesson.label
    labels = [e.label for e in at.expander]
    assert "What the interviewer grades" in labels
    if lesson_id != "ir":
        assert "The math" in labels
    if lesson_id not in ("ir", "drill"):  # the drill charts its scores once graded
        assert at.get("plotly_chart"), "a lesson page shows at least one plotly chart"
        # the live verdict sits at the top, under the switch, even when its section is in a closed tab
        assert top_verdict(at) is not None, "a lesson page opens with its live verdict at the top"
    assert any(c.key == "seed" for c in declared_controls(at.session_state, lesson_id)) or lesson_id in ("l00", "ir", "drill")


def _extreme(control: Control, which: str, rng: random.Random):
    if control.kind in ("int", "float"):
        if which == "lo":
            return control.lo
        if which == "hi":
            return control.hi
        value = rng.uniform(control.lo, control.hi)
        return round(value) if control.kind == "int" else value
    if control.kind == "choice":
        options = list(control.options)
        return {"lo": options[0], "hi": options[-1]}.get(which, rng.choice(options))
    if control.kind == "multi":
        options = list(control.options)
        return {"lo": [], "hi": options}.get(which, rng.sample(options, rng.randint(0, len(options))))
    if control.kind == "bool":
        return {"lo": False, "hi": True}.get(which, rng.random() < 0.5)
    return {"lo": "", "hi": "x" * 500}.get(which, rng.choice(["", "a", "'; DROP TABLE --", "<script>"]))


@pytest.mark.slow
@pytest.mark.parametrize("lesson_id", PAGES)
@pytest.mark.parametrize("which", ["lo", "hi", "random"])
def test_widgets_at_extremes_and_random_values(lesson_id, which):
    """Fuzz through links: every control the fuzz policy moves, at its minimum, its maximum, or a
    random value; then each closed tab whose costly section waited (:meth:`LessonPage.deferred`),
    opened with the same values."""
    rng = random.Random(f"{lesson_id}-{which}")
    at = open_page(lesson_id)
    _assert_clean(at)
    params = {}
    for _ in range(2):  # a second pass reaches controls that only appear for some choices
        added = {control.key: control.encode(_extreme(control, which, rng))
                 for control in declared_controls(at.session_state, lesson_id)
                 if fuzzed(lesson_id, control.key) and control.key not in params}
        if not added:
            break
        params.update(added)
        at = open_page(lesson_id, params)
        _assert_clean(at)
    for tab in at.tabs:
        if sections_left(tab):
            _assert_clean(open_page(lesson_id, {**params, "view": tab.label}))


@pytest.mark.slow
@pytest.mark.parametrize(
    "lesson_id,preset",
    [(lid, p.name) for lid in PAGES for p in BY_LESSON.get(lid, ())],
)
def test_link_built_from_a_preset_restores_it(lesson_id, preset):
    values = {p.name: p for p in BY_LESSON[lesson_id]}[preset].values
    params = {key: Control(key, key, "text").encode(value) for key, value in values.items()}
    for at in (open_page(lesson_id, params), open_page(lesson_id, {"preset": preset})):
        _assert_clean(at)
        assert not [w for w in at.warning if "ignored" in w.value], [w.value for w in at.warning]
        declared = {c.key: c for c in declared_controls(at.session_state, lesson_id)}
        for key, value in values.items():
            assert key in declared, f"preset sets {key}, which the page does not declare in this scenario"
            control = declared[key]
            assert control.encode(at.session_state[key]) == control.encode(control.parse(control.encode(value)))


@pytest.mark.parametrize("lesson_id", LANED)
def test_garbage_link_shows_a_notice_and_no_exception(lesson_id):
    at = open_page(lesson_id, {"seed": "NaN", "<img src=x onerror=alert(1)>": "1", "preset": "nope",
                               "stage": "maybe"})
    _assert_clean(at)
    notice = " ".join(w.value for w in at.warning)
    assert "ignored" in notice
    assert "\\<img" in notice and "<img" not in notice.replace("\\<", "")  # escaped, never HTML


@pytest.mark.parametrize("lesson_id", LANED)
def test_stage_view_from_link(lesson_id):
    at = open_page(lesson_id, {"stage": "1"})
    _assert_clean(at)
    assert at.session_state[MODE_KEY] is True
    assert at.query_params["stage"] in ("1", ["1"])
    assert not at.title or at.title[0].value == course.lesson(lesson_id).label


@pytest.mark.parametrize("lesson_id", laned(TABBED))
def test_a_tab_draws_its_charts_when_it_opens(lesson_id):
    """At the defaults, at least one chart or costly section is left for a closed tab. In each view
    nothing is left in the open tab, and a section left at the defaults shows numbers or a chart;
    where no section is left, every view has the same charts (drawn, or left with a caption)."""
    at = open_page(lesson_id)
    labels = views(at, lesson_id)
    total, left = charts(at), sections_left(at)
    assert len(labels) > 1 and (total > len(at.get("plotly_chart")) or left), "closed tabs leave work for later"
    for label in labels:
        other = open_page(lesson_id, {"view": label})
        _assert_clean(other)
        (tab,) = [t for t in other.tabs if t.label == label]
        assert not [c for c in tab.caption if c.value in (CLOSED_TAB_CHART, CLOSED_TAB_SECTION)], \
            f"{label}: something is left undrawn in the open tab"
        (before,) = [t for t in at.tabs if t.label == label]
        if sections_left(before):
            assert tab.metric or tab.get("plotly_chart"), f"{label}: the opened section shows nothing"
        if not left and not sections_left(other):
            assert charts(other) == total, label
