"""Guardrail reads against statsmodels' unequal-variance interval; the decision rule by hand."""

import numpy as np
import pytest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from playground.experiments import guardrails as gr


def test_read_matches_statsmodels_unequal_variance_interval():
    rng = np.random.default_rng(0)
    c, t = rng.gamma(4, 50, 3000), rng.gamma(4, 55, 2500)
    r = gr.read_means("latency", "ms", c, t, higher_is_better=False, margin=0.05)
    lo, hi = CompareMeans(DescrStatsW(t), DescrStatsW(c)).zconfint_diff(alpha=0.05, usevar="unequal")
    assert (r.lo, r.hi) == pytest.approx((lo, hi))
    assert r.diff == pytest.approx(t.mean() - c.mean())


def _read(lo, hi, higher=True, margin=0.05, control=100.0):
    return gr.MetricRead("m", "u", higher, control, control + (lo + hi) / 2, (lo + hi) / 2, lo, hi, margin)


def test_guardrail_status_by_hand():
    # latency (lower is better), margin 5 % of 100 ms = 5 ms of harm tolerated
    assert _read(-1, 4, higher=False).status == "pass"        # worst case +4 ms
    assert _read(2, 8, higher=False).status == "unproven"     # point +5 ms within, CI end +8 ms beyond
    assert _read(-2, 14, higher=False).status == "unproven"   # point +6 ms beyond, but not significant
    assert _read(10, 20, higher=False).status == "broken"     # point +15 ms
    # retention (higher is better): worst case -3 % of control with a 5 % margin passes
    assert _read(-3, 1).status == "pass"
    assert _read(1, 3, margin=None).status == "win"
    assert _read(-3, -1, margin=None).status == "loss"
    assert _read(-1, 1, margin=None).status == "flat"


def test_default_launch_wins_the_primary_and_breaks_latency():
    review = gr.simulate_launch(seed=0)
    assert review.primary.status == "win"
    assert review.ships_primary_only and not review.ships
    assert [g.name for g in review.broken] == ["page latency"]
    assert review.guardrails[0].relative == pytest.approx(30 / 200, abs=0.01)
    fast = gr.simulate_launch(latency_ms=0.0, seed=0)
    assert fast.ships


def test_bad_parameters_are_sentences():
    with pytest.raises(ValueError, match="users per arm"):
        gr.simulate_launch(n_per_arm=10)
    with pytest.raises(ValueError, match="cannot be negative"):
        gr.simulate_launch(latency_margin=-0.1)
