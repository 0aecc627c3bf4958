"""Lesson 13 page: ROC flatters and PR does not, the cost threshold beats 0.5, retraining recovers
from adversarial drift; presets and costly extremes render."""

import pytest

from .apptest import metric, open_page, texts

pytestmark = pytest.mark.slow  # loads MiniLM, builds the RAG index or trains (see docs/CONTRIBUTING.md)


def _money(value: str) -> float:
    return float(value.split()[0].lstrip("$").replace(",", ""))


def _pct(value: str) -> float:
    return float(value.rstrip("%")) / 100


def test_defaults_show_pr_vs_roc_cost_and_drift():
    at = open_page("l13")
    assert not at.exception, [e.value for e in at.exception]
    roc, ap = float(metric(at, "ROC-AUC")), float(metric(at, "PR-AUC (average precision)"))
    assert roc > 0.9 and ap < roc
    assert "ROC-AUC stays" in texts(at)
    assert _money(metric(at, "Cost per 1k transactions")) <= _money(metric(at, "…at threshold 0.5"))
    assert _money(metric(at, "Cost per 1k transactions")) < _money(metric(at, "…approving everything"))
    frozen = _pct(metric(at, "Recall, last 2 weeks, frozen model"))
    retrained = _pct(metric(at, "Recall, last 2 weeks, retrained"))
    assert retrained > frozen
    assert len(at.get("plotly_chart")) == 6
    assert float(metric(at, "PR-AUC, batch features online")) < float(metric(at, "PR-AUC, streaming features"))


def test_naive_preset_shows_the_cost_of_threshold_half():
    at = open_page("l13", {"preset": "naive"})
    assert not at.exception
    assert "Threshold 0.5 costs" in " ".join(e.value for e in at.error)
    assert "inflates the scores" in texts(at)


def test_manual_threshold_and_cost_extremes():
    at = open_page("l13", {"use_t": "manual", "thr": "0", "friction": "50", "fee": "0"})
    assert not at.exception
    assert metric(at, "Recall / precision").startswith("100%")
    at = open_page("l13", {"use_t": "manual", "thr": "1", "friction": "1"})
    assert not at.exception


def test_costly_extremes_render():
    for params in ({"rate": "0.001", "drift": "0", "delay": "0"}, {"rate": "0.05", "drift": "1", "delay": "28"}):
        at = open_page("l13", params)
        assert not at.exception, [e.value for e in at.exception]
        assert float(metric(at, "ROC-AUC")) > 0.8
    assert "three or more weeks late" in texts(at)
