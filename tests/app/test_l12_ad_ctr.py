"""Lesson 12 page: what a learner sees at the defaults, under the presets and at the costly extremes."""

import pytest

from scenarios.l12 import VIEWS

from .apptest import charts, metric, open_page, sections_left, texts, top_verdict


def _pct(value: str) -> float:
    return float(value.rstrip("%")) / 100


def test_defaults_open_in_the_failure_and_production_is_one_preset_away():
    at = open_page("l12")
    assert not at.exception, [e.value for e in at.exception]
    assert _pct(metric(at, "Allocation efficiency")) < 0.9  # mis-calibrated pCTR at the defaults
    assert top_verdict(at)[0] == "error" and "advertiser value away" in top_verdict(at)[1]
    rev = [m for m in at.metric if m.label == "Revenue per 1k auctions"][0]
    assert rev.delta.startswith("-")
    truth = float(metric(at, "True CTR of the new policy"))
    snips = float(metric(at, "SNIPS estimate (one log)"))
    assert abs(snips - truth) < 0.1
    assert charts(at) >= 4 and sections_left(at) == 1  # the pCTR model trains when its tab opens
    ne = float(metric(open_page("l12", {"view": VIEWS[2]}), "Normalised entropy"))
    assert 0.5 < ne < 1.0  # the CTR model beats predicting the average
    prod = open_page("l12", {"preset": "production"})
    assert not prod.exception
    efficiency = metric(prod, "Allocation efficiency")
    assert 0.9 < _pct(efficiency) <= 1.0
    assert top_verdict(prod) == ("success", "The model's pCTR keeps the auction efficient: its slots deliver "
                                 f"{efficiency} of the advertiser value that ranking by the true CTR would.")


def test_the_feature_cross_lowers_normalised_entropy():
    at = open_page("l12", {"preset": "no_cross"})
    assert not at.exception
    default = open_page("l12", {"view": VIEWS[2]})
    assert float(metric(at, "Normalised entropy")) > float(metric(default, "Normalised entropy"))


def test_ctr_model_extremes():
    at = open_page("l12", {"bits": "8", "delay": "5", "view": VIEWS[2]})
    assert not at.exception, [e.value for e in at.exception]
    assert "conversions" in texts(at)


def test_uniform_scale_without_reserve_is_explained():
    at = open_page("l12", {"scale": "2.0", "share": "1", "reserve": "0"})
    assert not at.exception
    assert "cancels out" in texts(at)


def test_no_propensities_hides_ips_and_shows_the_replay_bias():
    at = open_page("l12", {"preset": "naive"})
    assert not at.exception
    assert "cannot be computed" in texts(at)
    assert metric(at, "Effective sample size") == "unknown"


@pytest.mark.slow  # each log size's simulation, seconds
def test_costly_log_size_extremes_and_softmax():
    for n in ("1000", "20000"):
        at = open_page("l12", {"n": n, "kind": "softmax", "tau": "0.1"})
        assert not at.exception, [e.value for e in at.exception]
        assert f"of {n}" in metric(at, "Effective sample size")


def test_no_exploration_warns_about_support():
    at = open_page("l12", {"eps": "0"})
    assert not at.exception
    assert "no support" in texts(at)


def test_fill_rate_difference_is_in_percentage_points():
    at = open_page("l12")
    fill = next(m for m in at.metric if m.label == "Fill rate")
    assert fill.delta.endswith(" pp vs calibrated") and "%" not in fill.delta
