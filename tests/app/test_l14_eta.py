"""Lesson 14 page: it opens on the mean used as the promise (late on about a third of trips), the
P90 promise covers about 90 % of held-out trips, presets and costly extremes render."""

import pytest

from playground.cases import eta
from playground.seeds import derived_seeds

from .apptest import charts, metric, open_page, sections_left, specs_on_every_tab, texts, top_verdict

pytestmark = pytest.mark.slow  # the page trains its ETA models for seconds (HEAVY in apptest.py)


def _pct(value: str) -> float:
    return float(value.rstrip("%")) / 100


def test_defaults_show_coverage_and_the_mean_failing():
    at = open_page("l14")
    assert not at.exception, [e.value for e in at.exception]
    assert abs(_pct(metric(at, "P90 coverage")) - 0.9) < 0.03
    late = metric(at, "Promise late rate")  # the page opens on the mean as the promise
    assert late == metric(at, "Mean-promise late rate") and _pct(late) > 0.3
    kind, verdict = top_verdict(at)
    assert kind == "error" and verdict.startswith(f"Promising the mean: {_pct(late):.0%} of riders arrive late")
    fixed = open_page("l14", {"basis": "quantile model"})  # the production promise flips it
    late = metric(fixed, "Promise late rate")
    assert _pct(late) < 0.14 and top_verdict(fixed) == (
        "success", f"The P90 promise is late on {late} of held-out trips (target 10%).")
    assert charts(at) == 4 and sections_left(at) == 1  # the ablation refits when its tab opens
    assert len(specs_on_every_tab("l14")) == 5
    assert "worst segment" in texts(at)


def test_naive_preset_shows_broken_promises():
    at = open_page("l14", {"preset": "naive"})
    assert not at.exception
    assert _pct(metric(at, "Promise late rate")) > 0.3
    assert "arrive late" in " ".join(e.value for e in at.error)


def test_buffer_and_heat_map_choices():
    at = open_page("l14", {"basis": "mean + buffer", "buffer": "20", "heat": "P50 absolute error (min)"})
    assert not at.exception
    assert _pct(metric(at, "Promise late rate")) < 0.2


def test_costly_extremes_render():
    for params in ({"n": "2000", "q": "0.98", "tail": "0", "rain": "0"},
                   {"n": "40000", "q": "0.8", "tail": "3", "rain": "0.6"}):
        at = open_page("l14", params)
        assert not at.exception, [e.value for e in at.exception]
        name = "P98" if params["q"] == "0.98" else "P80"
        coverage = _pct(metric(at, f"{name} coverage"))
        assert abs(coverage - float(params["q"])) < 0.05


def test_ablation_and_the_crossing_fix_follow_their_controls():
    train = eta.simulate_trips(20000, seed=0, tail=1.0, rain=0.2)
    test = eta.simulate_trips(20000, seed=derived_seeds(0, 1)[0], tail=1.0, rain=0.2)
    expected = eta.ablation(train, test, 0.9, seed=0)
    at = open_page("l14", {"view": "Feature ablation and crossing"})
    assert not at.exception, [e.value for e in at.exception]
    full = expected.loc["all features"]
    assert metric(at, "Pinball q=0.9 (min)") == f"{full['pinball q=0.9']:.3f}"
    crossed = metric(at, "Trips with P90 below P50")
    assert crossed == f"{full['crossed']:.2%}"
    at.selectbox(key="ablate").set_value("temporal").run()
    without = expected.loc["without temporal"]
    assert metric(at, "Pinball q=0.9 (min)") == f"{without['pinball q=0.9']:.3f}"
    assert without["pinball q=0.9"] > full["pinball q=0.9"] + 0.5  # time of day carries the spread
    at.selectbox(key="ablate").set_value("none")
    at.toggle(key="rearrange").set_value(True).run()
    assert metric(at, "Trips with P90 below P50") == "0.00%"
    if full["crossed"] > 0:  # the page's data has crossed trips: the fix is shown with its loss
        assert any("no trip is crossed" in s.value for s in at.success)


def test_coverage_against_its_target_is_in_percentage_points():
    at = open_page("l14")
    cover = next(m for m in at.metric if m.label == "P90 coverage")
    points, unit = cover.delta.split()[:2]
    assert unit == "pp" and cover.delta.endswith("vs target 90%")
    assert float(points) == round(100 * (_pct(cover.value) - 0.9), 1)
