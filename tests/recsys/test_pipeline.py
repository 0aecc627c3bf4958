from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from playground.recsys import pipeline as pl

T0 = pd.Timestamp("2026-01-01")


def ts(hours: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(hours=hours)


def test_as_of_join_against_a_hand_built_case():
    snaps = pd.DataFrame({
        "snapshot_ts": [ts(0), ts(24), ts(48), ts(0), ts(24)],
        "user_id": [1, 1, 1, 2, 2],
        "x": [0.10, 0.20, 0.30, 0.50, 0.60],
    })
    rows = pd.DataFrame({  # deliberately not in time order
        "ts": [ts(30), ts(-1), ts(24), ts(47.9), ts(100), ts(12)],
        "user_id": [1, 1, 1, 1, 2, 2],
    })
    got = pl.as_of_join(rows, snaps, "user_id")
    # by hand: the last snapshot at or before each row, of the same user; none before -> NaN
    np.testing.assert_array_equal(got["x"].to_numpy(), [0.20, np.nan, 0.20, 0.20, 0.60, 0.50])
    pd.testing.assert_series_equal(got["ts"], rows["ts"].astype("datetime64[ns]"))  # order kept
    latest = pl.latest_join(rows, snaps, "user_id", ts(60))
    np.testing.assert_array_equal(latest["x"].to_numpy(), [0.30, 0.30, 0.30, 0.30, 0.60, 0.60])
    early = pl.latest_join(rows, snaps, "user_id", ts(30))
    np.testing.assert_array_equal(early["x"].to_numpy(), [0.20] * 4 + [0.60] * 2)


def test_as_of_join_matches_a_brute_force_loop():
    rng = np.random.default_rng(0)
    snaps = pd.DataFrame({"snapshot_ts": T0 + pd.to_timedelta(rng.integers(0, 100, 60), unit="h"),
                          "key": rng.integers(0, 4, 60), "x": rng.normal(size=60)})
    snaps = snaps.drop_duplicates(["snapshot_ts", "key"])
    rows = pd.DataFrame({"ts": T0 + pd.to_timedelta(rng.uniform(-5, 110, 80), unit="h"),
                         "key": rng.integers(0, 4, 80)})
    got = pl.as_of_join(rows, snaps, "key")["x"].to_numpy()
    for i, row in rows.iterrows():
        cand = snaps[(snaps.key == row.key) & (snaps.snapshot_ts <= row.ts)]
        want = cand.loc[cand.snapshot_ts.idxmax(), "x"] if len(cand) else np.nan
        np.testing.assert_equal(got[i], want)


@pytest.fixture(scope="module")
def log():
    return pl.make_log(pl.LogConfig(n_users=400, train_days=10), seed=5)


def test_snapshots_count_only_the_past(log):
    imp = log.impressions
    users, items = pl.user_snapshots(log), pl.item_snapshots(log)
    rng = np.random.default_rng(1)
    for key in rng.choice(imp.user_topic.unique(), 5, replace=False):
        for day in (0, 3, 11, log.config.days - 1):
            past = imp[(imp.user_topic == key) & (imp.ts < pl.START + day * pl.DAY)]
            snap = users[(users.user_topic == key) & (users.snapshot_ts == pl.START + day * pl.DAY)].iloc[0]
            assert snap.user_topic_ctr == pytest.approx((past.click.sum() + 0.3) / (len(past) + 2))
            raw = 100 * past.click.mean() if len(past) else 0.0
            assert snap.user_topic_ctr_serving == pytest.approx(raw)
    for item in rng.choice(log.config.n_items, 5, replace=False):
        day = 9
        window = imp[(imp.item_id == item) & (imp.ts < pl.START + day * pl.DAY)
                     & (imp.ts >= pl.START + (day - 7) * pl.DAY)]
        snap = items[(items.item_id == item) & (items.snapshot_ts == pl.START + day * pl.DAY)].iloc[0]
        assert snap.item_pop == pytest.approx(np.log1p(len(window)))


def test_examination_follows_the_position_bias_model(log):
    imp = log.impressions
    for k in range(1, log.config.slate + 1):
        at_k = imp[imp.position == k]
        assert stats.binomtest(int(at_k.examined.sum()), len(at_k), k ** -1.0).pvalue > 0.001
    assert (imp.click <= imp.examined).all()
    assert ((imp.dwell > 0) == (imp.click == 1)).all()  # dwell exists only after a click
    table = pl.position_ctr(log)
    np.testing.assert_allclose(table.examination, 1 / table.position)
    assert table.ctr.is_monotonic_decreasing


def test_rows_are_point_in_time_unless_the_join_is_naive(log):
    good = pl.build_rows(log, 0, 10, pl.PRODUCTION, built_at_day=17)
    snaps = pl.user_snapshots(log)
    # every as-of value was written at or before its row
    merged = pl.as_of_join(good[["ts", "user_topic"]], snaps, "user_topic")
    assert (merged.snapshot_ts <= merged.ts).all()
    bad = pl.build_rows(log, 0, 10, replace(pl.PRODUCTION, join=True), built_at_day=17)
    assert not np.allclose(good.user_topic_ctr, bad.user_topic_ctr)
    # the naive value correlates with the row's own label far more than the as-of value does
    corr = lambda df: np.corrcoef(df.user_topic_ctr, df.label)[0, 1]  # noqa: E731
    assert corr(bad) > corr(good) + 0.1


def test_random_negatives_are_labelled_zero_and_come_from_the_catalogue(log):
    rows = pl.build_rows(log, 0, 10, replace(pl.PRODUCTION, negatives=True, neg_per_pos=3), built_at_day=17)
    clicks = int(pl._window(log, 0, 10).click.sum())
    assert len(rows) == 4 * clicks and rows.label.sum() == clicks
    assert (rows.user_topic == rows.user_id * log.config.n_topics + log.topic[rows.item_id]).all()


def test_online_rows_are_built_correctly(log):
    rows = pl.online_rows(log, pl.NAIVE)
    assert (rows.position == 1).all() and (rows.dwell == 0).all()
    assert rows.ts.min() >= pl.START + (log.config.train_days + log.config.offline_days) * pl.DAY
    # labels drawn from the true relevance (no position bias): mean near the mean relevance
    window = pl._window(log, log.config.train_days + log.config.offline_days, log.config.online_days)
    assert rows.label.mean() == pytest.approx(window.relevance.mean(), abs=0.02)
    skewed = pl.online_rows(log, replace(pl.PRODUCTION, skew=True))
    assert skewed.user_topic_ctr.max() > 1  # percent, not a rate
    assert pl.online_rows(log, pl.PRODUCTION).user_topic_ctr.max() <= 1


def test_evaluate_reports_sklearn_aucs_and_is_reproducible(log):
    res = pl.evaluate(log, pl.PRODUCTION, seed=2)
    assert 0.6 < res.online_auc < 0.85 and 0.55 < res.offline_auc < 0.85
    again = pl._evaluate(pl.make_log(log.config, seed=5), pl.PRODUCTION, seed=2)
    assert again.online_auc == res.online_auc and again.offline_auc == res.offline_auc
    # the wrapper is sklearn's AUC; sklearn's AUC is the Mann-Whitney statistic
    labels = np.array([0, 0, 1, 1, 0, 1])
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    u = stats.mannwhitneyu(scores[labels == 1], scores[labels == 0]).statistic
    assert pl._auc(labels, scores) == roc_auc_score(labels, scores) == pytest.approx(u / 9)
    with pytest.raises(ValueError, match="one class"):
        pl._auc(np.zeros(4), np.arange(4))


@pytest.fixture(scope="module")
def faults():
    return pl.fault_table(pl.make_log(seed=0), seed=0).set_index("pipeline")


def test_each_naive_step_loses_online(faults):
    prod = faults.loc["Production (all correct)"]
    for label in pl.FAULTS.values():
        assert faults.loc[label, "online_auc"] < prod.online_auc - 0.005, label
    assert faults.loc["Everything naive", "online_auc"] < 0.6


def test_naive_steps_inflate_offline(faults):
    prod = faults.loc["Production (all correct)"]
    for label in ("Label leakage", "Non point-in-time join", "Position bias ignored", "Random negatives"):
        assert faults.loc[label, "offline_auc"] > prod.offline_auc + 0.03, label
        assert faults.loc[label, "gap"] > prod.gap + 0.05, label
    assert faults.loc["Label leakage", "offline_auc"] > 0.99
    # skew changes nothing offline (same training definition) and hurts only online
    assert faults.loc["Train/serve skew", "offline_auc"] == pytest.approx(prod.offline_auc)


def test_position_bias_fault_vanishes_without_position_bias():
    log = pl.make_log(pl.LogConfig(n_users=600, position_bias=0.0), seed=0)
    prod = pl.evaluate(log, pl.PRODUCTION)
    naive = pl.evaluate(log, replace(pl.PRODUCTION, position=True))
    assert abs(naive.online_auc - prod.online_auc) < 0.02


def test_join_example_shows_the_label_inside_the_feature(log):
    example = pl.join_example(log)
    assert 4 <= len(example) <= 12 and example.click.sum() > 0
    assert example.latest.nunique() == 1
    assert (example.as_of != example.latest).any()


def test_bad_configurations_are_explained():
    with pytest.raises(ValueError, match="at least 20 users"):
        pl.make_log(pl.LogConfig(n_users=5))
    with pytest.raises(ValueError, match="at least one day"):
        pl.make_log(pl.LogConfig(online_days=0))
    with pytest.raises(ValueError, match="position bias"):
        pl.make_log(pl.LogConfig(position_bias=-1))


def test_compare_is_the_fault_table_and_both_evaluations(log):
    mine = pl.Pipeline(leak=True, neg_per_pos=3)
    c = pl.compare(log, mine, seed=0)
    assert c.table.equals(pl.fault_table(log, seed=0, neg_per_pos=3))
    assert c.mine.online_auc == pl.evaluate(log, mine, seed=0).online_auc
    assert c.production.offline_auc == pl.evaluate(log, pl.PRODUCTION, seed=0).offline_auc
    shown = c.with_mine(mine)
    assert shown.iloc[-1].tolist() == ["Your pipeline", c.mine.offline_auc, c.mine.online_auc, c.mine.gap]
    assert len(c.with_mine(pl.PRODUCTION)) == len(c.table)


def test_classify_faults_on_a_hand_made_table():
    names = list(pl.FAULTS.values())
    table = pd.DataFrame({"pipeline": [pl.PRODUCTION_ROW, *names],
                          "offline_auc": [0.70, 0.90, 0.705, 0.70, 0.80, 0.60],
                          "online_auc": [0.70, 0.60, 0.65, 0.699, 0.71, 0.60]})
    kinds = pl.classify_faults(table)
    assert kinds["liars"] == [names[0]]                  # offline +0.20, online -0.10
    assert kinds["hidden"] == [names[1]]                 # offline +0.005, online -0.05
    assert sorted(kinds["harmless"]) == sorted(names[2:])  # online -0.001; online up; offline down


def test_position_ratios_by_hand():
    table = pd.DataFrame({"position": [1, 2, 3], "ctr": [0.3, 0.2, 0.1], "relevance": [0.5, 0.4, 0.25]})
    assert pl.position_ratios(table) == (pytest.approx(3.0), pytest.approx(2.0))
