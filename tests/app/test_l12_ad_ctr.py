"""Lesson 12 page: what a learner sees at the defaults, under the presets and at the costly extremes."""

from .apptest import metric, open_page, texts


def _pct(value: str) -> float:
    return float(value.rstrip("%")) / 100


def test_defaults_show_auction_and_counterfactual():
    at = open_page("l12")
    assert not at.exception, [e.value for e in at.exception]
    assert 0.9 < _pct(metric(at, "Allocation efficiency")) <= 1.0
    truth = float(metric(at, "True CTR of the new policy"))
    snips = float(metric(at, "SNIPS estimate (one log)"))
    assert abs(snips - truth) < 0.1
    assert len(at.get("plotly_chart")) >= 4


def test_uncalibrated_bids_lose_efficiency_and_revenue():
    at = open_page("l12", {"preset": "uncalibrated_bids"})
    assert not at.exception
    assert _pct(metric(at, "Allocation efficiency")) < 0.9
    assert "give" in texts(at) and "advertiser value away" in texts(at)
    rev = [m for m in at.metric if m.label == "Revenue per 1k auctions"][0]
    assert rev.delta.startswith("-")


def test_uniform_scale_without_reserve_is_explained():
    at = open_page("l12", {"scale": "2.0", "share": "1", "reserve": "0"})
    assert not at.exception
    assert "cancels out" in texts(at)


def test_no_propensities_hides_ips_and_shows_the_replay_bias():
    at = open_page("l12", {"preset": "naive"})
    assert not at.exception
    assert "cannot be computed" in texts(at)
    assert metric(at, "Effective sample size") == "unknown"


def test_costly_log_size_extremes_and_softmax():
    for n in ("1000", "20000"):
        at = open_page("l12", {"n": n, "kind": "softmax", "tau": "0.1"})
        assert not at.exception, [e.value for e in at.exception]
        assert f"of {n}" in metric(at, "Effective sample size")


def test_no_exploration_warns_about_support():
    at = open_page("l12", {"eps": "0"})
    assert not at.exception
    assert "no support" in texts(at)
