"""Every page draws its board (a Graphviz chart) and a moved control changes a number on it."""

from __future__ import annotations

import re

import pytest
from scenarios import BY_LESSON

from playground.systems import SYSTEMS

from .apptest import laned, open_page, registered

# lesson -> (widget kind, key, new value, component whose label carries the moved number)
MOVES = {
    "l00": ("slider", "m_s4", 8, "s4"),
    "l01": ("slider", "weeks", 6, "objective"),
    "l02": ("toggle", "leak", True, "pit_join"),
    "l03": ("select_slider", "nprobe", 1, "ann_index"),
    "l04": ("slider", "b", 1.5, "calibrator"),
    "l05": ("slider", "p99_rank", 150, "ranker"),
    "l06": ("slider", "stop_day", 14, "experiment_analysis"),
    "l07": ("selectbox", "policy_focus", "drift-triggered", "retrain"),
    "l08": ("slider", "workers", 32, "ingest"),
    "l09": ("slider", "k1", 0.3, "bm25"),
    "l10": ("select_slider", "n_gpus", 2, "llm"),
    "l11": ("slider", "k", 2, "rag_eval"),
    "l12": ("slider", "scale", 1.0, "auction"),
    "l13": ("slider", "friction", 40.0, "fraud_scorer"),
    "l14": ("selectbox", "basis", "quantile model", "promise"),
    "l15": ("toggle", "close_gap", True, "image_index"),
    "ir": ("selectbox", "round", "rag", None),
    "drill": ("multiselect", "on", ["ann_index"], "ann_index"),
}
PAGES = [lesson.id for lesson in registered()]


def dot_of(at) -> str:
    charts = at.get("graphviz_chart")
    assert len(charts) == 1, "the page draws exactly one board"
    return charts[0].proto.spec


def label(dot: str, component: str) -> str:
    """The numbers (blue lines) on a component's box."""
    line = next((x for x in dot.splitlines() if x.strip().startswith(f'"{component}" [label=')), None)
    assert line, f"{component} is not on the board"
    return " | ".join(re.findall(r'<FONT COLOR="#1d4ed8">(.*?)</FONT>', line))


def test_every_component_links_a_scenario_of_its_lesson_page():
    for system in SYSTEMS.values():
        for comp in system.components:
            names = {p.name for p in BY_LESSON[comp.lesson]}
            assert comp.preset in names, f"{comp.id}: no scenario {comp.preset!r} on {comp.lesson}"


def test_every_page_has_a_move():
    assert set(PAGES) <= set(MOVES)


@pytest.mark.parametrize("lesson_id", laned(PAGES))
def test_board_at_defaults_and_after_a_control_moves(lesson_id):
    at = open_page(lesson_id)
    assert not at.exception, [e.value for e in at.exception]
    before = dot_of(at)
    assert before.startswith("digraph board {")
    kind, key, value, component = MOVES[lesson_id]
    getattr(at, kind)(key=key).set_value(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    after = dot_of(at)
    assert after != before
    if component is None:  # the readiness page swaps the whole system drawn
        return
    if lesson_id != "drill":
        old = label(before, component)
        assert re.search(r"\d", old), f"{component} carries no number: {old!r}"
        assert label(after, component) != old
    else:
        assert component in after and component not in before
