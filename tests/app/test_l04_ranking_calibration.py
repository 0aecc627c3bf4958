"""Lesson 4 page: what a learner should see at the defaults and when moving the main widgets."""

from __future__ import annotations

from .apptest import charts, metric, open_page, texts


def _pct(value: str) -> float:
    return float(value.rstrip("%")) / 100


def _pair(value: str) -> tuple[float, float]:
    a, b = value.replace("%", "").split("→")
    return float(a), float(b)


def test_defaults_show_downsampling_inflation_and_the_fix():
    at = open_page("l04")
    assert not at.exception
    naive, prod = float(metric(at, "ECE (naive)")), float(metric(at, "ECE (production)"))
    assert naive > 0.2 and prod < 0.03
    assert _pct(metric(at, "Predicted CTR (naive)")) > 2 * _pct(metric(at, "Predicted CTR (production)"))
    wrong_naive, wrong_prod = _pair(metric(at, "Wrong show/skip decisions"))
    assert wrong_naive > 2 * wrong_prod
    bid_naive, bid_prod = _pair(metric(at, "Bid ÷ fair bid"))
    assert bid_naive > 2 and abs(bid_prod - 1) < 0.1
    auc_naive, auc_prod = _pair(metric(at, "AUC (naive → production)"))
    assert abs(auc_naive - auc_prod) < 0.01  # calibration does not buy ranking quality
    assert charts(at) >= 3
    assert at.dataframe, "the calibrator comparison table is shown"
    assert "ties can move AUC" in texts(at)


def test_headline_ab_test_stops_making_sense_until_the_head_is_calibrated():
    at = open_page("l04")
    auc_old, auc_new = _pair(metric(at, "Click-head AUC (current → new)"))
    assert auc_new > auc_old + 0.05
    assert _pct(metric(at, "A/B: value per impression")) < -0.02
    assert "yet loses the A/B test" in " ".join(e.value for e in at.error)
    at = open_page("l04", {"blend_cal": "true"})
    assert not at.exception
    assert _pair(metric(at, "Click-head AUC (current → new)")) == (auc_old, auc_new)
    assert _pct(metric(at, "A/B: value per impression")) > 0.005
    assert "the decision agrees with the offline AUC" in texts(at)


def test_sharpness_slider_moves_the_curve_and_temperature_pulls_it_back():
    at = open_page("l04", {"w": "1.0", "method": "temperature"})
    base = float(metric(at, "ECE (naive)"))
    at.slider(key="k").set_value(4.0).run()
    assert not at.exception
    sharp = float(metric(at, "ECE (naive)"))
    assert sharp > base + 0.03
    assert float(metric(at, "ECE (production)")) < 0.03
    at.slider(key="k").set_value(0.25).run()
    assert float(metric(at, "ECE (naive)")) > base + 0.03  # under-confident also mis-calibrated


def test_shift_defeats_temperature_but_not_platt():
    at = open_page("l04", {"w": "1.0", "b": "2.0", "method": "temperature"})
    assert not at.exception
    assert "cannot undo a shift" in texts(at)
    temperature = float(metric(at, "ECE (production)"))
    at.selectbox(key="method").set_value("platt").run()
    assert float(metric(at, "ECE (production)")) < temperature / 2


def test_gbdt_at_the_keep_rate_extremes():
    """The costly controls (retrain) at their extremes, which the generic fuzzer leaves alone."""
    at = open_page("l04", {"model": "gbdt", "w": "0.02", "method": "none"})
    assert not at.exception
    assert _pct(metric(at, "Predicted CTR (naive)")) > 0.8
    # trees overfit the ~400 negatives left: the correction alone is not enough...
    assert float(metric(at, "ECE (production)")) > 0.05
    assert "correction alone leaves ECE" in texts(at)
    at.selectbox(key="method").set_value("isotonic").run()
    assert float(metric(at, "ECE (production)")) < 0.03  # ...a held-out calibrator is
    at = open_page("l04", {"model": "gbdt", "w": "1.0", "method": "platt"})
    assert not at.exception
    assert float(metric(at, "ECE (production)")) < 0.03


def test_quantile_bins_and_extreme_threshold():
    at = open_page("l04", {"strategy": "quantile", "bins": "30", "t": "0.9", "k": "4.0", "b": "-2.0"})
    assert not at.exception
    assert "ECE (production)" in texts(at)
