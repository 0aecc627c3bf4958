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
