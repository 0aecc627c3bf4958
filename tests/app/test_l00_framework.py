"""Lesson 0 page: the default round runs out of time, and the balanced plan flips it."""

from playground import framework as fw
from scenarios.l00 import PRESETS

from .apptest import figure, metric, open_page, texts, top_verdict


def test_default_round_lets_the_model_eat_the_clock():
    at = open_page("l00")
    assert not at.exception
    assert metric(at, "Planned minutes") == "55"
    assert metric(at, "Grade this round can reach") == "L4 ceiling"
    errors = " ".join(e.value for e in at.error)
    assert "One step ate the round" in errors and "Evaluation, launch and monitoring (unanswered)" in errors
    # the probe the unanswered step would have answered, and the course's L4/L5 lines for it
    shown = texts(at)
    assert "How do you know it works after launch" in shown
    assert "Says 'run an A/B test' without sample size" in shown


def test_the_framework_budgets_and_a_covered_checklist_reach_l5():
    at = open_page("l00", {"preset": "production"})
    assert not at.exception
    assert metric(at, "Grade this round can reach") == "L5 signal"
    assert "One step ate the round" not in " ".join(e.value for e in at.error)


def test_a_model_first_round_that_fits_the_clock_still_caps_at_l4():
    at = open_page("l00", {"preset": "naive"})  # 45 minutes, 30 of them on the model
    assert not at.exception and metric(at, "Planned minutes") == "45"
    values = next(p for p in PRESETS if p.name == "naive").values
    prompt = values["prompt"]
    checked = {s.key: {i for i in range(len(fw.checklist(prompt, s))) if values[f"{s.key}_{i}"]} for s in fw.STEPS}
    costs = fw.step_costs(prompt, [values[f"m_{s.key}"] for s in fw.STEPS], checked)
    assert top_verdict(at) == ("error", "The round fits the clock but caps at the L4 ceiling: "
                               + ", ".join(f"{c.step} ({c.status})" for c in costs)
                               + ". The interviewer probes each of them.")
    assert {c.status for c in costs} == {"rushed", "skipped"}


def test_rushing_clarification_is_named():
    at = open_page("l00", {"m_s1": "1", "m_s4": "10"})
    assert not at.exception
    assert "Clarify the problem and requirements: rushed." in texts(at)


def test_the_clock_chart_names_every_step_in_full_without_a_legend():
    """The stacked bar's legend was cut to 24 characters and, wrapped at 1280 px, ran over the
    title: each step is now a row named on the axis, and the steps past 45 minutes are red."""
    at = open_page("l00")
    fig = figure(at, "Your plan on the clock")
    bars = fig["data"]
    assert len(bars) == 1 and bars[0]["showlegend"] is False
    assert bars[0]["y"] == [f"{i}. {s.name}" for i, s in enumerate(fw.STEPS, 1)]
    assert bars[0]["x"] == [fw.UNPLANNED_MINUTES[s.key] for s in fw.STEPS]  # the default budgets
    late = [colour == "#d62728" for colour in bars[0]["marker"]["color"]]
    assert late == [end > fw.ROUND_MINUTES for end in fw.schedule(bars[0]["x"])]
    assert any(late) and not all(late)
