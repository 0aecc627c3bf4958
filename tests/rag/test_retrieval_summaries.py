"""Summaries of per-query rows (lessons 8 and 9): the overview table and means per query type
against pandas, the paired difference of two systems against scipy's paired bootstrap."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from playground.rag import retrieval_eval as rev

TYPES = ("rare_entity", "paraphrase", "multi_hop", "general")


def _rows(method, seed, n=120, shift=0.0):
    rng = np.random.default_rng(seed)
    kinds = rng.choice(TYPES[:3], n)  # no "general" query: its mean is NaN
    return [{"query_id": f"q{i:03d}", "type": str(kinds[i]), "method": method,
             "latency_ms": float(rng.gamma(2.0, 3.0)), "recall@10": float(rng.random()),
             "mrr@10": float(rng.random()), "ndcg@10": float(np.clip(rng.beta(2, 3) + shift, 0, 1))}
            for i in range(n)]


def test_overview_matches_pandas():
    runs = {"bm25": _rows("bm25", 0), "dense": _rows("dense", 1)}
    got = rev.overview(runs, 10)
    frame = pd.DataFrame(runs["bm25"] + runs["dense"])
    ref = frame.groupby("method")[["ndcg@10", "mrr@10", "recall@10"]].mean()
    median = frame.groupby("method")["latency_ms"].median()
    assert list(got) == ["bm25", "dense"]
    for method in runs:
        assert list(got[method]) == ["ndcg@10", "mrr@10", "recall@10", "median ms / query"]
        for col in ref.columns:
            assert got[method][col] == pytest.approx(ref.loc[method, col], rel=1e-12)
        assert got[method]["median ms / query"] == pytest.approx(median[method], rel=1e-12)


def test_mean_by_type_matches_pandas_groupby():
    rows = _rows("bm25", 2)
    values, types = [r["ndcg@10"] for r in rows], [r["type"] for r in rows]
    got = rev.mean_by_type(values, types, TYPES)
    ref = pd.Series(values).groupby(pd.Series(types)).mean().reindex(list(TYPES))
    assert list(got) == [*TYPES, "all"]
    for kind in TYPES[:3]:
        assert got[kind] == pytest.approx(ref[kind], rel=1e-12)
    assert np.isnan(got["general"]) and np.isnan(ref["general"])
    assert got["all"] == pytest.approx(np.mean(values), rel=1e-12)
    assert rev.mean_by_type([1.0, 0.0, 0.5], ["a", "b", "a"], ["a", "b"]) == {"a": 0.75, "b": 0.0, "all": 0.5}
    with pytest.raises(ValueError, match="3 values but 2"):
        rev.mean_by_type([1.0, 0.0, 0.5], ["a", "b"], ["a"])
    with pytest.raises(ValueError, match="no query"):
        rev.mean_by_type([], [], ["a"])


@pytest.mark.parametrize("group", ["all", "paraphrase"])
def test_paired_difference_matches_scipy_on_rows_matched_by_query(group):
    a, b = _rows("weighted", 3, shift=0.05), _rows("dense", 3)
    b = b[::-1]  # another order: the rows are matched by query id, not by position
    got = rev.paired_difference(a, b, "ndcg@10", seed=0, group=group)
    fa = pd.DataFrame(a).set_index("query_id")
    fb = pd.DataFrame(b).set_index("query_id").loc[fa.index]
    keep = fa["type"] == group if group != "all" else np.ones(len(fa), bool)
    x, y = fa.loc[keep, "ndcg@10"].to_numpy(), fb.loc[keep, "ndcg@10"].to_numpy()
    assert got.n == len(x) and got.mean_a == pytest.approx(x.mean()) and got.mean_b == pytest.approx(y.mean())
    assert got.difference == pytest.approx(x.mean() - y.mean())
    ref = stats.bootstrap((x, y), lambda u, v, axis=-1: np.mean(u - v, axis=axis), paired=True,
                          n_resamples=20_000, method="percentile", random_state=1).confidence_interval
    assert got.low == pytest.approx(ref.low, abs=0.01) and got.high == pytest.approx(ref.high, abs=0.01)
    assert rev.mean_difference(a, b, "ndcg@10", group) == pytest.approx(x.mean() - y.mean())


def test_paired_difference_needs_the_same_queries():
    a, b = _rows("a", 4), _rows("b", 4)[:-1]
    with pytest.raises(ValueError, match="1 queries of the first system"):
        rev.paired_difference(a, b, "ndcg@10", seed=0)
