import numpy as np
import pytest
from scipy import stats

from playground.monitoring import drift as d


def test_psi_hand_computed_case():
    # reference quartile edges 2.5, 4.5, 6.5 on 1..8: two reference values per bin (25 % each);
    # current puts 1, 1, 2, 4 values in the four bins (12.5, 12.5, 25, 50 %)
    ref = np.arange(1, 9)
    cur = np.array([1, 3, 5, 6, 7, 8, 7.5, 8])
    shares = np.array([0.125, 0.125, 0.25, 0.5])
    expected = np.sum((shares - 0.25) * np.log(shares / 0.25))
    assert d.psi(ref, cur, bins=4) == pytest.approx(expected)
    assert expected == pytest.approx(0.125 * np.log(0.5) * -2 + 0.25 * np.log(2))
    assert d.psi(ref, ref, bins=4) == 0.0


def test_psi_empty_bin_is_finite_and_grows_with_shift():
    rng = np.random.default_rng(0)
    ref = rng.normal(size=5000)
    assert np.isfinite(d.psi(ref, np.full(100, 50.0)))
    shifts = [d.psi(ref, rng.normal(loc=m, size=5000)) for m in (0.0, 0.25, 0.5, 1.0)]
    assert shifts[0] < 0.01 and np.all(np.diff(shifts) > 0) and shifts[-1] > 0.25


@pytest.mark.parametrize("n,m,shift", [(50, 80, 0.0), (300, 2000, 0.3), (1000, 1000, 0.05)])
def test_ks_matches_scipy(n, m, shift):
    rng = np.random.default_rng(n)
    a, b = rng.normal(size=n), rng.normal(loc=shift, size=m)
    ref = stats.ks_2samp(a, b, method="exact")  # every size here is at most 10,000: exact
    dstat, p = d.ks_test(a, b)
    assert d.ks_method(n, m) == "exact"
    assert dstat == pytest.approx(ref.statistic)
    assert p == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-12)


def test_ks_exact_p_value_is_the_permutation_probability_by_brute_force():
    # all C(9, 4) = 126 ways to split the pooled values: the exact p-value is the share of splits
    # whose D is at least the observed one (no ties, so it is exact, not approximate)
    from itertools import combinations
    a, b = np.array([0.1, 0.5, 0.9, 1.3, 2.2]), np.array([1.0, 1.7, 2.5, 3.1])
    pooled = np.concatenate([a, b])
    observed = d.ks_test(a, b)[0]
    hits = [d.ks_test(np.delete(pooled, list(idx)), pooled[list(idx)])[0] >= observed - 1e-12
            for idx in combinations(range(9), 4)]
    assert d.ks_test(a, b)[1] == pytest.approx(np.mean(hits))


def test_ks_large_samples_use_the_asymptotic_kolmogorov_distribution():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=12_000), rng.normal(0.03, 1, size=3000)
    dstat, p = d.ks_test(a, b)
    assert d.ks_method(a.size, b.size) == "asymptotic"
    assert p == pytest.approx(stats.kstwo.sf(dstat, round(a.size * b.size / (a.size + b.size))), rel=1e-9)


def test_ks_with_ties_matches_scipy():
    a = np.array([1, 1, 2, 2, 3, 3, 3, 4.0])
    b = np.array([2, 2, 3, 4, 4, 5.0])
    assert d.ks_test(a, b)[0] == pytest.approx(stats.ks_2samp(a, b).statistic)


def test_wasserstein_matches_scipy_and_the_sorted_identity():
    rng = np.random.default_rng(2)
    a, b = rng.exponential(size=400), rng.normal(1, 2, size=250)
    assert d.wasserstein(a, b) == pytest.approx(stats.wasserstein_distance(a, b))
    c, e = rng.normal(size=500), rng.normal(0.7, 1, size=500)
    # equal sizes: W1 is the mean gap between matched order statistics
    assert d.wasserstein(c, e) == pytest.approx(np.mean(np.abs(np.sort(c) - np.sort(e))))
    assert d.wasserstein([0, 0], [3, 3]) == pytest.approx(3.0)


def test_page_hinkley_hand_made_stream():
    # ten zeros then ones, delta 0: m = 0, 1-1/11, +1-2/12, +1-3/13 = 0.909, 1.742, 2.511
    x = [0.0] * 10 + [1.0] * 5
    ph = d.page_hinkley(x, delta=0.0, threshold=2.5)
    assert ph.alarms.tolist() == [12]
    assert ph.statistic[10] == pytest.approx(10 / 11)
    assert ph.statistic[11] == pytest.approx(10 / 11 + 5 / 6)
    assert ph.statistic[12] == pytest.approx(10 / 11 + 5 / 6 + 10 / 13)
    # after the reset the level 1 is the new normal: no second alarm
    assert d.page_hinkley(x + [1.0] * 20, delta=0.0, threshold=2.5).alarms.tolist() == [12]
    assert d.page_hinkley(x, delta=0.0, threshold=2.6).alarms.tolist() == [13]
    assert d.page_hinkley([0.3] * 50, delta=0.005, threshold=0.01).alarms.size == 0
    with pytest.raises(ValueError):
        d.page_hinkley(x, threshold=0)


def test_schedules():
    assert d.schedule(6, "sudden", 3).tolist() == [0, 0, 0, 1, 1, 1]
    assert d.schedule(6, "gradual", 2, width=2).tolist() == [0, 0, 0.5, 1, 1, 1]
    assert d.schedule(8, "recurring", 2, period=2).tolist() == [0, 0, 1, 1, 0, 0, 1, 1]
    with pytest.raises(ValueError, match="inside"):
        d.schedule(10, "sudden", 10)


def test_each_drift_kind_changes_what_it_should():
    base = d.simulate_stream(kind="none", seed=1)
    cov = d.simulate_stream(kind="covariate", magnitude=0.6, seed=1)
    pri = d.simulate_stream(kind="prior", magnitude=0.6, seed=1)
    con = d.simulate_stream(kind="concept", magnitude=0.6, seed=1)
    after = slice(60, None)
    assert cov.x[after, :, 0].mean() == pytest.approx(1.5, abs=0.05)     # P(x) moved
    assert pri.y[after].mean() == pytest.approx(d.BASE_RATE + 0.6 * (0.95 - d.BASE_RATE), abs=0.01)
    assert d.shifted_prior(0.6) == pytest.approx(d.BASE_RATE + 0.6 * (0.95 - d.BASE_RATE))
    assert "1.50 sd" in d.describe("covariate", 0.6) and "108°" in d.describe("concept", 0.6)
    assert con.x[after].mean() == pytest.approx(0.0, abs=0.02)           # P(x) did not move
    assert con.y[after].mean() != pytest.approx(base.y[after].mean(), abs=0.02)  # P(y|x) did
    # prior shift keeps P(x | y): the positives' feature mean matches the undrifted positives'
    pos_drift = pri.x[after][pri.y[after] == 1].mean(axis=0)
    pos_base = base.x[base.y == 1].mean(axis=0)
    assert pos_drift == pytest.approx(pos_base, abs=0.03)
    assert np.array_equal(base.x[:60], cov.x[:60])  # same seed, same undrifted past


def test_window_stats_see_covariate_but_not_concept_drift():
    cov = d.simulate_stream(kind="covariate", magnitude=0.6, seed=2)
    con = d.simulate_stream(kind="concept", magnitude=0.6, seed=2)
    # the page's full 120 days (the shift starts on day 60): the drifted windows' exact p-values
    # are not computed one by one (see the next test)
    ws_cov = d.window_stats(cov.x[:, :, 0], 20, 7).set_index("day")
    ws_con = d.window_stats(con.x[:, :, 0], 20, 7).set_index("day")
    assert ws_cov.psi.loc[:59].max() < 0.1 and ws_cov.psi.loc[66:].min() > 0.5
    assert ws_cov.ks_p.loc[66:].max() == d.KS_P_FLOOR and ws_cov.ks_p.loc[:59].min() > 1e-3
    assert ws_con.psi.max() < 0.1
    np.testing.assert_allclose(ws_cov.wasserstein.loc[70],
                               stats.wasserstein_distance(cov.x[:20, :, 0].ravel(), cov.x[64:71, :, 0].ravel()))


def test_window_ks_p_is_scipys_default_floored_with_one_costly_call_per_window_size(monkeypatch):
    stream = d.simulate_stream(kind="covariate", magnitude=0.6, start=30, days=60, batch=100, seed=3)
    x = stream.x[:, :, 0]
    ref = x[:20].ravel()
    expected = [max(stats.ks_2samp(ref, x[max(20, day - 4): day + 1].ravel()).pvalue, d.KS_P_FLOOR)
                for day in range(20, 60)]
    real, sizes = stats.ks_2samp, []
    monkeypatch.setattr(d.stats, "ks_2samp", lambda a, b, **kw: sizes.append(b.size) or real(a, b, **kw))
    ws = d.window_stats(x, 20, 5)
    assert ws.ks_p.tolist() == expected  # identical to scipy's default wherever above the floor
    floored = ws.ks_p.to_numpy() == d.KS_P_FLOOR
    assert floored.sum() >= 25
    # scipy ran for every window above the floor, and once per window size for those below it
    floored_sizes = {min(day - 19, 5) * 100 for day in ws.day[floored]}
    assert len(sizes) == (~floored).sum() + len(floored_sizes)


def test_score_alarms():
    s = d.score_alarms([5, 12, 40, 41], start=30)
    assert (s.first_alarm, s.delay, s.false_alarms) == (40, 10, 2)
    assert d.score_alarms([], start=30).delay is None
    assert d.score_alarms([3, 4], start=None).false_alarms == 2


def test_threshold_and_error_alarms():
    import pandas as pd

    ws = pd.DataFrame({"day": [20, 21, 22], "psi": [0.05, 0.3, 0.1], "ks": [0.1, 0.2, 0.1],
                       "ks_p": [0.5, 1e-5, 0.01], "wasserstein": [0.01, 0.2, 0.3]})
    alarms = d.threshold_alarms(ws, psi_threshold=0.2, ks_alpha=0.001, w_threshold=0.15)
    assert {k: v.tolist() for k, v in alarms.items()} == {"PSI": [21], "KS": [21], "Wasserstein": [21, 22]}
    errors = [0.0] * 10 + [1.0] * 5  # the hand-made stream: alarm on index 12
    ph, ring = d.error_alarms(errors, first_day=20, label_delay=3, delta=0.0, threshold=2.5)
    assert ph.alarms.tolist() == [12] and ring.tolist() == [35]
    assert d.error_alarms(errors, 20, 3, 0.0, 2.5, days=35)[1].size == 0


def test_best_accuracy_beats_a_fixed_model_after_concept_drift():
    from playground.monitoring import retraining as r

    stream = d.simulate_stream(kind="concept", magnitude=0.6, seed=0)
    score, error = r.deployed(stream, 20)
    assert score.shape == stream.y.shape
    assert stream.best_accuracy(60) > 1 - error[60:].mean() + 0.25
    assert stream.best_accuracy(0) == pytest.approx(stream.bayes_acc.mean())


def test_alarm_cost_by_hand_and_by_brute_force():
    days = np.arange(20, 30)
    values = np.array([0.05, 0.3, 0.1, 0.05, 0.1, 0.15, 0.4, 0.5, 0.6, 0.7])  # drift from day 25
    res = d.alarm_cost(days, values, start=25, end_day=30, false_alarm_cost=10, missed_day_cost=4)
    # hand: threshold 0.1 -> false alarm on day 21 only, first alarm day 25 (delay 0): cost 10;
    # threshold 0.3 -> no false alarm, first alarm day 26 (delay 1): cost 4 = the best
    assert res.at(0.1) == (1, 0, 10.0)
    assert res.at(0.3) == (0, 1, 4.0)
    assert res.best == 0.3 and res.best_cost == 4.0
    # brute force over a fine grid of thresholds: nothing beats the reported minimum
    for thr in np.linspace(-0.1, 0.8, 901):
        alarms = days[values > thr]
        fa = int((alarms < 25).sum())
        after = alarms[alarms >= 25]
        missed = int(after[0] - 25) if after.size else 30 - 25
        assert 10 * fa + 4 * missed >= res.best_cost
    # never alarming costs every drift day; no drift: the best rule never alarms
    assert res.at(1.0) == (0, 5, 20.0)
    quiet = d.alarm_cost(days, values, start=None, end_day=30, false_alarm_cost=1, missed_day_cost=1)
    assert quiet.best_cost == 0 and quiet.best >= values.max()


def test_stream_daily_summary_matches_the_arrays():
    s = d.simulate_stream(kind="prior", magnitude=0.8, start=30, days=40, batch=100, seed=2)
    daily = s.daily()
    assert daily.day.tolist() == list(range(40))
    np.testing.assert_allclose(daily.mean_x1[5], s.x[5, :, 0].sum() / 100)
    np.testing.assert_allclose(daily.positive_rate[35], s.y[35].sum() / 100)
    np.testing.assert_allclose(daily.best_error + s.bayes_acc, 1.0)


def test_alarm_table_and_who_saw_the_drift_by_hand():
    alarms = {d.Detector.PSI: np.array([10, 70]), d.Detector.KS: np.array([], dtype=int),
              d.Detector.WASSERSTEIN: np.array([5]), d.Detector.PAGE_HINKLEY: np.array([64, 66])}
    table = d.alarm_table(alarms, 60).set_index("detector")
    assert table.loc["PSI", "detection delay (days)"] == "10" and table.loc["PSI", "false alarms (days)"] == 1
    assert table.loc["KS", "detection delay (days)"] == "missed"
    assert table.loc["KS", "first alarm after start"] == "—"
    assert table.loc[d.DETECTOR_LABELS[d.Detector.PAGE_HINKLEY], "first alarm after start"] == "day 64"
    assert d.only_the_error_saw_it(alarms, 60) == (False, True)       # PSI alarmed on day 70
    alarms[d.Detector.PSI] = np.array([10])
    assert d.only_the_error_saw_it(alarms, 60) == (True, True)
    assert d.only_the_error_saw_it(alarms, None) == (False, False)
    assert d.alarm_table(alarms, None)["detection delay (days)"].tolist() == ["—"] * 4


def test_example_pair_is_seeded_and_shifted():
    a, b = d.example_pair(3), d.example_pair(3)
    assert a.equals(b) and len(a) == 500
    assert a.current.mean() - a.reference.mean() == pytest.approx(0.3, abs=0.2)
    assert a.current.std() / a.reference.std() == pytest.approx(1.2, abs=0.15)


def test_ks_p_latex_says_the_floor_is_a_bound():
    assert d.ks_p_latex(0.0312) == "= 0.031"
    assert d.ks_p_latex(d.KS_P_FLOOR) == r"\le 10^{-16}"
