import numpy as np
import pytest

from playground import framework as fw


def test_default_budgets_fill_the_45_minute_round():
    assert sum(s.minutes for s in fw.STEPS) == fw.ROUND_MINUTES == 45
    assert len(fw.STEPS) == 6


def test_schedule_and_step_at_by_hand():
    budgets = [5, 6, 8, 10, 9, 7]
    np.testing.assert_array_equal(fw.schedule(budgets), [5, 11, 19, 29, 38, 45])
    assert fw.step_at(budgets, 0) == 0
    assert fw.step_at(budgets, 4.99) == 0
    assert fw.step_at(budgets, 5) == 1
    assert fw.step_at(budgets, 44.9) == 5
    assert fw.step_at(budgets, 45) is None
    with pytest.raises(ValueError):
        fw.schedule([5, -1])


def test_every_prompt_extends_the_shared_checklist():
    for prompt in fw.PROMPTS:
        for step in fw.STEPS:
            items = fw.checklist(prompt, step)
            assert items[: len(step.checklist)] == step.checklist


def test_coverage_counts_skipped_items():
    prompt = "Real-time payment fraud"
    nothing = fw.coverage(prompt, {})
    assert nothing.covered == 0 and nothing.share == 0
    assert len(nothing.untouched_steps) == 6
    everything = {s.key: set(range(len(fw.checklist(prompt, s)))) for s in fw.STEPS}
    full = fw.coverage(prompt, everything)
    assert full.share == 1.0 and not full.skipped
    one_missing = dict(everything, s3={0, 1, 2, 3})
    partial = fw.coverage(prompt, one_missing)
    assert partial.covered == full.total - 1
    assert partial.skipped == {fw.STEPS[2].name: ("Velocity features over event-time windows",)}


def test_one_step_eating_the_round_leaves_the_later_steps_unanswered():
    prompt = "Video recommender (YouTube-style)"
    # model takes 20 min: ends at 39, serving runs 39-48 (cut short at 45), evaluation starts at 48
    costs = fw.step_costs(prompt, [5, 6, 8, 20, 9, 7])
    assert [(c.step, c.status) for c in costs] == [("Serving and scale", "cut short"),
                                                   ("Evaluation, launch and monitoring", "unanswered")]
    assert "ANN index over hundreds of millions of videos" in costs[0].probe  # the prompt's own item
    # the grade caps come from the course data of the lesson for that layer
    from playground.course import lesson
    assert costs[1].ceiling == lesson("l06").l4[0] and costs[1].signal == lesson("l06").l5[0]
    assert fw.grade(costs) == "L4 ceiling"
    assert fw.grade(fw.step_costs(prompt, [s.minutes for s in fw.STEPS])) == "L5 signal"


def test_rushed_and_skipped_steps_by_hand():
    prompt = "RAG search over internal docs"
    costs = fw.step_costs(prompt, [2, 6, 8, 10, 9, 7], {"s1": {0}, "s2": {0}, "s3": set(), "s4": {1},
                                                       "s5": {0}, "s6": {0}})
    # 2 min is under half of the 5-minute budget: rushed; data and features ticked nothing: skipped
    assert [(c.status, c.lesson_id) for c in costs] == [("rushed", "l08"), ("skipped", "l08")]
    assert costs[0].probe.endswith("For this prompt: Corpus size, update frequency and answer latency?")
    with pytest.raises(ValueError, match="one budget per step"):
        fw.step_costs(prompt, [5, 5])
