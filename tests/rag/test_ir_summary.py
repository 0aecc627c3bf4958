"""Lesson 9's paired bootstrap interval against scipy.stats.bootstrap, and its summary tables
against a plain loop."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from playground.rag import ir_metrics as ir


def test_paired_bootstrap_matches_scipy_percentile_method():
    rng = np.random.default_rng(3)
    a = rng.beta(2, 2, 150)
    b = np.clip(a - 0.05 + rng.normal(0, 0.15, 150), 0, 1)
    lo, hi = ir.paired_bootstrap_ci(a, b, seed=0, n=20_000)
    ref = stats.bootstrap((a, b), lambda x, y, axis=-1: np.mean(x - y, axis=axis), paired=True,
                          n_resamples=20_000, method="percentile", random_state=1).confidence_interval
    assert lo == pytest.approx(ref.low, abs=0.004) and hi == pytest.approx(ref.high, abs=0.004)
    assert lo < (a - b).mean() < hi
    assert ir.paired_bootstrap_ci(a, b, seed=5) == ir.paired_bootstrap_ci(a, b, seed=5)
    with pytest.raises(ValueError):
        ir.paired_bootstrap_ci([1.0], [0.0], seed=0)


def test_summarize_matches_a_loop():
    frame = pd.DataFrame({"type": ["x", "x", "y", "y", "y"], "m1": [1.0, 0.0, 0.5, 0.5, 1.0],
                          "m2": [0.0, 0.0, 1.0, 0.0, 0.5]})
    evals = {"bm25": frame, "dense": frame.assign(m1=frame.m1 / 2)}
    by_group, overall = ir.summarize(evals, ["m1", "m2"])
    assert list(overall.index) == ["bm25", "dense"]
    for method, df in evals.items():
        for group in ("x", "y"):
            rows = [r for r in df.itertuples() if r.type == group]
            assert by_group[method].loc[group, "m1"] == pytest.approx(sum(r.m1 for r in rows) / len(rows))
        assert overall.loc[method, "m2"] == pytest.approx(sum(df.m2) / len(df))
    assert overall.loc["dense", "m1"] == pytest.approx(0.3)
