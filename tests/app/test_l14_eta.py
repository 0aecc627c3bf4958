"""Lesson 14 page: the P90 promise covers about 90 % of held-out trips, the mean breaks the promise,
presets and costly extremes render."""

from .apptest import metric, open_page, texts


def _pct(value: str) -> float:
    return float(value.rstrip("%")) / 100


def test_defaults_show_coverage_and_the_mean_failing():
    at = open_page("l14")
    assert not at.exception, [e.value for e in at.exception]
    assert abs(_pct(metric(at, "P90 coverage")) - 0.9) < 0.03
    assert _pct(metric(at, "Mean-promise late rate")) > 0.3
    assert _pct(metric(at, "Promise late rate")) < 0.14
    assert len(at.get("plotly_chart")) == 4
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
