"""Grading a whiteboard against the reference design of a prompt."""

from __future__ import annotations

import pytest

from playground import course, drill, framework
from playground.systems import PROMPT_SYSTEMS, SYSTEMS

RECSYS = next(iter(framework.PROMPTS))


def _reference(prompt):
    values = drill.reference_values(prompt)
    sides = drill.board_sides(values["off"], values["on"], values["both"])
    return sides, {drill.parse_flow(f) for f in values["flows"]}


@pytest.mark.parametrize("prompt", list(framework.PROMPTS))
def test_complete_design_scores_full_marks(prompt):
    review = drill.grade(prompt, *_reference(prompt))
    assert review.overall == 1.0 and review.flow_share == 1.0
    assert all(s.share in (None, 1.0) for s in review.steps)
    assert review.verdict == "L5" and not review.shortfalls and not review.extras


def test_removing_the_feature_store_names_train_serve_skew_and_links_lesson_2():
    sides, flows = _reference(RECSYS)
    del sides["feature_store"]
    review = drill.grade(RECSYS, sides, flows)
    missing = [m for m in review.marks if m.status == "missing"]
    assert [m.component.id for m in missing] == ["feature_store"]
    mark = missing[0]
    assert mark.component.breaks == course.lesson("l02").breaks == "Your model trains on lies"
    assert mark.sandbox == "data_pipeline?preset=naive"
    step3 = next(s for s in review.steps if s.step.key == "s3")
    assert step3.earned == step3.possible - 1
    md = drill.review_markdown(review, "flowchart LR", "http://x")
    assert "Feature store" in md and "missing" in md and "http://x/data_pipeline?preset=naive" in md


def test_ann_index_drawn_offline_is_misplaced_for_half_a_point():
    sides, flows = _reference(RECSYS)
    sides["ann_index"] = "offline"
    review = drill.grade(RECSYS, sides, flows)
    mark = next(m for m in review.marks if m.component.id == "ann_index")
    assert (mark.status, mark.drawn_side) == ("misplaced", "offline")
    n = len(SYSTEMS["recsys"].components)
    assert review.overall == pytest.approx((n - 0.5) / n)
    assert "drawn offline, belongs online" in drill.review_markdown(review, "")


def test_shared_component_is_right_on_either_side():
    sides, flows = _reference(RECSYS)
    sides["feature_store"] = "online"
    assert all(m.status == "present" for m in drill.grade(RECSYS, sides, flows).marks)


def test_empty_board_is_l4_with_every_component_missing_and_a_reason_per_step():
    review = drill.grade("Real-time payment fraud", {}, set())
    assert review.overall == 0 and review.flows_drawn == 0 and review.verdict == "L4"
    gradable = [s for s in review.steps if s.share is not None]
    assert len(review.shortfalls) == 1 + len(gradable) + 1
    assert all(m.status == "missing" for m in review.marks)


def test_model_first_board_is_l4_and_flags_the_index():
    sides = drill.board_sides(["two_tower", "ranker", "ann_index"], [], [])
    review = drill.grade(RECSYS, sides, {("two_tower", "ann_index"), ("ann_index", "ranker")})
    assert review.verdict == "L4"
    status = {m.component.id: m.status for m in review.marks}
    assert status["ann_index"] == "misplaced" and status["ranker"] == "misplaced"
    assert status["two_tower"] == "present" and status["drift_monitor"] == "missing"


def test_arrows_count_in_either_direction_and_extras_are_listed():
    sides, _ = _reference(RECSYS)
    sides["auction"] = "online"
    review = drill.grade(RECSYS, sides, {("ann_index", "two_tower")})
    assert review.flows_drawn == 1
    assert [c.id for c in review.extras] == ["auction"]


def test_bad_input_is_dropped_or_refused():
    assert drill.board_sides(["nope", "ranker"], ["ranker"], []) == {"ranker": "offline"}
    assert drill.parse_flow("ranker>ranker") is None and drill.parse_flow("x>y") is None
    assert drill.parse_flow("ranker>cache") == ("ranker", "cache")
    with pytest.raises(ValueError):
        drill.grade("not a prompt", {}, set())
    assert set(PROMPT_SYSTEMS) == set(framework.PROMPTS)


def test_hand_worked_step_scores():
    # ETA reference: s3 holds event_log, pit_join, feature_store, geo_features (4 boxes).
    sides = {"event_log": "both", "pit_join": "online", "geo_features": "offline"}
    review = drill.grade("Delivery ETA prediction", sides, set())
    s3 = next(s for s in review.steps if s.step.key == "s3")
    assert (s3.earned, s3.possible) == (2.5, 4.0)


def test_graded_board_flags_wrong_sides_and_draws_missing_boxes_as_ghosts():
    from playground import board

    sides = {"two_tower": "offline", "ann_index": "offline"}
    flows = {("two_tower", "ann_index")}
    review = drill.grade(RECSYS, sides, flows)
    graded = drill.graded_board(review, sides, flows, "t")
    dot = board.to_dot(graded)
    line = next(x for x in dot.splitlines() if x.strip().startswith('"ann_index"'))
    assert "WRONG SIDE: ANN candidate index" in line and 'color="#b91c1c"' in line
    ghost = next(x for x in dot.splitlines() if x.strip().startswith('"feature_store"'))
    assert "MISSING: Feature store" in ghost and "dashed" in ghost
    assert len(graded.components) == len(SYSTEMS["recsys"].components)
    mermaid = board.to_mermaid(graded)
    assert "class ann_index misplaced" in mermaid and "classDef missing" in mermaid
