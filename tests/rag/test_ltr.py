"""Learned reranker: query-level folds, no scoring of trained-on queries."""

import numpy as np
import pytest

from playground.rag import ltr


def test_identifier_detection():
    assert ltr.identifiers("what does dirs_exist_ok do in os.path.join") == ["dirs_exist_ok", "os.path.join"]
    assert ltr.identifiers("CalledProcessError PYTHONHASHSEED EOF") == ["CalledProcessError", "PYTHONHASHSEED", "EOF"]
    assert ltr.identifiers("how do I pause for a few seconds") == []


def test_folds_keep_twin_queries_together_and_never_overlap():
    groups = ["a", "a", "b", "c", "c", "d", "e", "f", "g", "h"]
    folds = ltr.query_folds(groups, 5)
    seen = []
    for train, test in folds:
        assert not {groups[i] for i in train} & {groups[i] for i in test}
        seen += list(test)
    assert sorted(seen) == list(range(len(groups)))  # every query scored exactly once
    with pytest.raises(ValueError, match="at least 5 query groups"):
        ltr.query_folds(["a", "a", "b"], 5)


def _synthetic(n_queries=40, n_cands=12, seed=0):
    rng = np.random.default_rng(seed)
    cands = []
    for q in range(n_queries):
        labels = np.zeros(n_cands, dtype=int)
        labels[rng.choice(n_cands, 2, replace=False)] = [2, 1]
        x = rng.normal(size=(n_cands, len(ltr.FEATURES)))
        x[:, 0] += 2.0 * labels  # the first feature carries the signal
        cands.append(ltr.Candidates(f"q{q}", tuple(f"q{q}p{i}" for i in range(n_cands)), x, labels))
    return cands


@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.slow) if k == "gbdt" else k  # gbdt: ~10 s of fits
                                  for k in ltr.MODELS])
def test_cross_validated_rankings_equal_a_model_trained_without_the_fold(kind):
    cands = _synthetic()
    groups = [f"g{i // 2}" for i in range(len(cands))]  # pairs of twin queries
    got = ltr.cross_validated_rankings(cands, groups, kind, folds=4, seed=0)
    for train, test in ltr.query_folds(groups, 4):
        model = ltr.fit_model([cands[i] for i in train], kind, seed=0)  # never sees the test fold
        for i in test:
            score = model.predict_proba(cands[i].features)[:, 1]
            assert got[cands[i].query_id] == [cands[i].ids[j] for j in np.lexsort((np.arange(len(score)), -score))]
    # the signal is learnable: the grade-2 passage tops most held-out rankings
    top = [got[c.query_id][0] == c.ids[int(np.argmax(c.labels))] for c in cands]
    assert np.mean(top) > 0.6


def test_summary_matches_pandas_and_the_paired_bootstrap():
    import pandas as pd
    from scipy import stats

    rng = np.random.default_rng(1)
    types = ("rare_entity", "paraphrase", "general")
    kinds = rng.choice(types, 60)
    rows = [{"query_id": f"q{i}", "type": str(kinds[i]), "method": m, "precision@5": float(rng.random()),
             "recall@10": float(rng.random()), "ndcg@10": float(rng.random() + (0.1 if m == "learned" else 0))}
            for m in reversed(list(ltr.LEARNED_METHODS)) for i in rng.permutation(60)]
    alphas = {f"q{i}": float(rng.choice([0.4, 0.6, 0.5])) for i in range(60)}
    s = ltr.summarise(rows, alphas, seed=0, types=types)
    df = pd.DataFrame(rows)
    means = df.groupby("method")[["precision@5", "ndcg@10", "recall@10"]].mean()
    per_type = df.pivot_table(index="method", columns="type", values="ndcg@10")
    assert s.precision_key == "precision@5" and list(s.means) == list(ltr.LEARNED_METHODS)
    for m in ltr.LEARNED_METHODS:
        assert s.means[m] == pytest.approx(means.loc[m].to_dict())
        assert list(s.ndcg_by_type[m]) == list(types)
        assert s.ndcg_by_type[m] == pytest.approx(per_type.loc[m, list(types)].to_dict())
    assert list(s.gains) == [(b, k) for b in ("weighted", "tuned", "rerank") for k in ("ndcg@10", "precision@5")]
    learned = df[df.method == "learned"].set_index("query_id")
    for (base, key), d in s.gains.items():
        other = df[df.method == base].set_index("query_id").loc[learned.index]
        x, y = learned[key].to_numpy(), other[key].to_numpy()
        assert d.difference == pytest.approx(x.mean() - y.mean())
        ref = stats.bootstrap((x, y), lambda u, v, axis=-1: np.mean(u - v, axis=axis), paired=True,
                              n_resamples=20_000, method="percentile", random_state=2).confidence_interval
        assert d.low == pytest.approx(ref.low, abs=0.015) and d.high == pytest.approx(ref.high, abs=0.015)
    assert s.alpha_counts == pd.Series(alphas).value_counts().sort_index().to_dict()
    assert list(s.alpha_counts) == sorted(s.alpha_counts)
