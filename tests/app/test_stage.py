"""The stage view's controls under AppTest: the break-it / fix-it switch sets the page's controls
to its naive or production preset, the pin freezes the headline numbers, a preset opens the tab
that shows its effect, and the mode survives a page change."""

from __future__ import annotations

from components.stage import BREAK_LABEL, FIX_LABEL, MODE_KEY, SHOW_KEY, SWITCH_KEY
from playground import course
from scenarios.l06 import PRESETS

from .apptest import open_page

L06 = {p.name: p for p in PRESETS}


def _switch(at):
    return next(w for w in at.button_group if w.key == SWITCH_KEY)


def test_switch_sets_the_naive_then_the_production_design():
    at = open_page("l06")
    assert not at.exception
    for label, preset in ((BREAK_LABEL, "naive"), (FIX_LABEL, "production")):
        _switch(at).set_value(label).run()
        assert not at.exception
        for key, value in L06[preset].values.items():
            assert at.session_state[key] == value, (label, key)
        assert at.session_state[SWITCH_KEY] == label


def test_switch_shows_no_state_after_a_manual_change():
    at = open_page("l06")
    _switch(at).set_value(FIX_LABEL).run()
    at.toggle(key="seq").set_value(False).run()
    assert at.session_state[SWITCH_KEY] is None


def test_pin_freezes_the_headline_numbers():
    at = open_page("l06", {"preset": "peeking_day3"})
    before = {m.label: m.value for m in at.metric}
    at.button(key="_stage_pin").click().run()
    at.toggle(key="seq").set_value(True).run()
    captions = " ".join(c.value for c in at.caption)
    assert "pinned: " in captions
    label = "Peeking every day: false-positive rate"
    assert f"pinned: {before[label]}" in captions


def test_preset_opens_the_tab_that_shows_its_effect():
    at = open_page("l06", {"preset": "srm"})
    assert at.session_state["view"] == "SRM check"
    assert at.query_params["view"] in ("SRM check", ["SRM check"])
    assert any("Sample-ratio mismatch" in e.value for e in at.error)


def test_stage_mode_survives_a_page_change():
    at = open_page("l06", {"stage": "1"})
    assert at.session_state[MODE_KEY] is True
    at.query_params.clear()
    at.switch_page(course.lesson("l05").page_file).run()
    assert not at.exception
    assert at.session_state[MODE_KEY] is True
    assert at.query_params["stage"] in ("1", ["1"])


def test_stage_view_picker_opens_a_tab():
    at = open_page("l06", {"stage": "1"})
    picker = next(w for w in at.button_group if w.key == "_stage_view")
    picker.set_value("SRM check").run()
    assert not at.exception
    assert at.session_state["view"] == "SRM check"


def _board_dot(at) -> str:
    charts = at.get("graphviz_chart")
    assert len(charts) == 1, "one board on the page"
    return charts[0].proto.spec


def test_stage_link_opens_the_board_in_the_big_slot():
    """``?stage=board``: the board (with the lesson's live numbers) takes the hero slot, and the
    link keeps saying so; switching to "Chart" takes it off the stage (the stage hides the rest of
    the page, so neither the board nor "The math" is drawn there), and leaving the stage draws the
    board under the page with its exports."""
    at = open_page("l05", {"stage": "board"})
    assert not at.exception
    assert at.session_state[SHOW_KEY] == "Board"
    assert "p99" in _board_dot(at)
    assert not [b for b in at.get("download_button") if "Board as" in b.proto.label], \
        "on stage the board is drawn without its exports"
    assert at.query_params["stage"] in ("board", ["board"])
    next(w for w in at.button_group if w.key == SHOW_KEY).set_value("Chart").run()
    assert at.query_params["stage"] in ("1", ["1"])
    assert not at.get("graphviz_chart") and "The math" not in [e.label for e in at.expander]
    next(b for b in at.button if b.key == "_stage_mode_button").click().run()
    assert at.session_state[MODE_KEY] is False and "p99" in _board_dot(at)
    assert [b for b in at.get("download_button") if "Board as" in b.proto.label]
    assert "The math" in [e.label for e in at.expander]
