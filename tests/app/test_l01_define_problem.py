"""Lesson 1 page: the learner sees the proxy climb while retention falls, and the frontier."""

import pytest

from playground.recsys import objectives as ob
from scenarios import l01

from .apptest import metric, open_page, texts


def _pct(value: str) -> float:
    return float(value.rstrip("%")) / 100


def test_default_ctr_feed_climbs_while_users_leave():
    at = open_page("l01")
    assert not at.exception
    ctr = next(m for m in at.metric if m.label == "CTR, last week")
    assert ctr.delta.startswith("+")                                  # the proxy improves
    assert _pct(metric(at, "Retention after 12 weeks")) < 0.4         # the business collapses
    assert "The proxy climbs" in texts(at)
    assert len(at.get("plotly_chart")) == 2                           # weekly lines + frontier
    assert "on the frontier" in texts(at)


def test_satisfaction_objective_keeps_users_on_the_same_simulation():
    naive = open_page("l01")
    at = open_page("l01", {"objective": "Satisfaction survey"})
    assert not at.exception
    assert _pct(metric(at, "Retention after 12 weeks")) > _pct(metric(naive, "Retention after 12 weeks")) + 0.3
    assert float(metric(at, "Satisfaction per user-week")) > float(metric(naive, "Satisfaction per user-week"))
    assert at.success and "keeps" in at.success[0].value


def test_production_preset_beats_naive_preset_on_retention():
    naive = open_page("l01", {"preset": "naive"})
    production = open_page("l01", {"preset": "production"})
    assert not naive.exception and not production.exception
    assert (_pct(metric(production, "Retention after 12 weeks"))
            > _pct(metric(naive, "Retention after 12 weeks")) + 0.2)


def test_all_zero_weights_explain_themselves():
    at = open_page("l01", {"objective": "Weighted multi-objective", "w_click": "0", "w_watch": "0",
                           "w_survey": "0"})
    assert not at.exception
    assert any("above zero" in e.value for e in at.error)
    assert at.get("plotly_chart")  # the frontier of valid weightings is still shown


def test_costly_user_count_at_its_extremes():
    for users in ("500", "2000"):
        at = open_page("l01", {"users": users, "weeks": "2"})
        assert not at.exception
        assert 0 < _pct(metric(at, "Retention after 2 weeks")) <= 1


def test_watch_time_objective_grows_minutes_while_users_leave():
    at = open_page("l01", {"preset": "watch_time"})
    assert not at.exception
    assert at.session_state["proxy"] == "Watch minutes"
    assert at.error and "Watch minutes" in at.error[0].value and "The proxy climbs" in at.error[0].value
    assert "Watch minutes vs retention" in str(at.get("plotly_chart")[1].proto.spec)


@pytest.mark.parametrize("preset", [None, *(p.name for p in l01.PRESETS)])
def test_one_verdict_that_agrees_with_the_scenario_and_the_numbers(preset):
    """At the defaults and every preset: one verdict, green exactly when retention is within the
    tolerance of production's (the core's rule), and a scenario text that does not call the proxy
    fine next to a red verdict (the 'harmless bait' preset used to)."""
    at = open_page("l01", {"preset": preset} if preset else None)
    assert not at.exception
    green = [s.value for s in at.success if "keeps" in s.value]
    red = [e.value for e in at.error if "business shrinks" in e.value]
    assert len(green) + len(red) == 1, (green, red)
    retention = _pct(metric(at, "Retention after 12 weeks"))
    gap = -float(next(m.delta for m in at.metric if m.label == "Retention after 12 weeks").split()[0])
    assert bool(green) == (gap / 100 <= ob.RETENTION_TOLERANCE + 0.005)  # the delta is rounded to a point
    scenario = " ".join(i.value for i in at.info if i.value.startswith("**Scenario"))
    if red:
        assert "fine" not in scenario and f"{1 - retention:.0%} of the users leave" in red[0]
    else:
        assert "leave" not in scenario and "misleads" not in scenario


def test_differences_of_shares_are_in_percentage_points():
    at = open_page("l01")
    deltas = {m.label: m.delta for m in at.metric if m.delta}
    assert deltas["CTR, last week"].endswith(" pp vs week 1")
    assert deltas["Retention after 12 weeks"].endswith(" pp vs production") and "%" not in deltas["Retention after 12 weeks"]
