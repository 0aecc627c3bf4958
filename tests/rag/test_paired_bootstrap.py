"""Lesson 9's paired bootstrap interval against scipy.stats.bootstrap."""

import numpy as np
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

