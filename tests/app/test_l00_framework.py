"""Lesson 0 page: the default round runs out of time, and the balanced plan flips it."""

from .apptest import metric, open_page, texts


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


def test_rushing_clarification_is_named():
    at = open_page("l00", {"m_s1": "1", "m_s4": "10"})
    assert not at.exception
    assert "Clarify the problem and requirements: rushed." in texts(at)
