"""The systems as data: every lesson adds a component, every 'what breaks' is the course's own."""

from __future__ import annotations

import dataclasses

import pytest

from playground import course, framework
from playground.systems import CATALOGUE, PROMPT_SYSTEMS, SIDES, SYSTEMS, system_for


@pytest.mark.parametrize("key", list(SYSTEMS))
def test_every_lesson_of_every_system_adds_a_component(key):
    system = SYSTEMS[key]
    added = {c.lesson for c in system.components}
    for lesson_id in system.lessons:
        assert lesson_id in added, f"{key}: lesson {lesson_id} adds nothing"
    assert len(set(system.ids)) == len(system.ids)


def test_what_breaks_is_read_from_the_course_table_not_written_twice():
    assert "breaks" not in {f.name for f in dataclasses.fields(next(iter(CATALOGUE.values())))}
    course_sentences = {lesson.breaks for lesson in course.LESSONS}
    for system in SYSTEMS.values():
        for comp in system.components:
            assert comp.breaks == course.lesson(comp.lesson).breaks
            assert comp.breaks in course_sentences


def test_each_component_names_a_preset_its_side_a_step_and_a_probe():
    steps = {s.key for s in framework.STEPS}
    for key, system in SYSTEMS.items():
        for comp in system.components:
            assert comp.preset  # that the lesson's page has it: tests/app/test_board_on_every_page.py
            assert (comp.side in SIDES or key == "round") and comp.step in steps
            assert comp.sized_by and comp.probe.endswith("?")


def test_flows_join_components_of_their_own_system():
    for system in SYSTEMS.values():
        ids = set(system.ids)
        for flow in system.flows:
            assert flow.src in ids and flow.dst in ids, (system.key, flow)


def test_every_lesson_page_has_a_board_and_every_prompt_a_system():
    for lesson in course.LESSONS:
        if lesson.number is not None:
            assert lesson.id in system_for(lesson.id).lessons
    assert set(PROMPT_SYSTEMS) == set(framework.PROMPTS)
    assert system_for("l03").key == "recsys" and system_for("l10").key == "rag"
    with pytest.raises(KeyError):
        system_for("ir")


def test_case_studies_reuse_the_recommender_data_layer():
    for key in ("ads", "fraud", "eta"):
        assert {"event_log", "feature_store", "pit_join"} <= set(SYSTEMS[key].ids)
