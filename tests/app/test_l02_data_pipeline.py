"""Lesson 2 page: naive steps make offline AUC lie about online AUC, and the page says so."""

import pytest

from .apptest import metric, open_page, texts

OFF, ON = "Offline AUC", "Online AUC"


def test_default_non_point_in_time_join_inflates_offline_and_loses_online():
    at = open_page("l02")
    assert not at.exception
    assert float(metric(at, OFF)) > float(metric(at, ON)) + 0.1
    online = next(m for m in at.metric if m.label == ON)
    assert online.delta.startswith("-")                        # below production online
    assert at.error and "Non point-in-time join" in at.error[0].value
    assert len(at.get("plotly_chart")) == 3                    # AUC bars, join example, positions
    assert "the label is inside the feature" in texts(at)
    assert ("Label leakage, Non point-in-time join, Position bias ignored, Random negatives: offline AUC "
            "goes *up*") in texts(at)
    assert "Train/serve skew: invisible offline" in texts(at)


def test_production_preset_agrees_offline_and_online():
    at = open_page("l02", {"preset": "production"})
    assert not at.exception
    assert abs(float(metric(at, OFF)) - float(metric(at, ON))) < 0.06
    assert at.success and "Production pipeline" in at.success[0].value


def test_label_leak_is_perfect_offline_and_useless_online():
    at = open_page("l02", {"preset": "leak"})
    assert not at.exception
    assert float(metric(at, OFF)) > 0.99
    assert float(metric(at, ON)) < 0.6


@pytest.mark.slow  # widget extremes, ~4 s
def test_costly_controls_at_their_extremes():
    small = open_page("l02", {"users": "300", "eta": "2.0", "negatives": "1", "neg": "10"})
    assert not small.exception
    assert float(metric(small, OFF)) > float(metric(small, ON))
    no_bias = open_page("l02", {"users": "1500", "eta": "0.0", "join": "0", "position": "1"})
    assert not no_bias.exception
    assert "close to production" in texts(no_bias)         # ignoring position bias is harmless at η = 0
    assert "Position bias ignored: no clear harm" in texts(no_bias)
