"""Lesson 14 core: pinball loss against scikit-learn, P90 coverage on held-out trips, the mean as a
promise, segment late rates and the heat grid against a direct recount."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_pinball_loss

from playground.cases import eta


@pytest.fixture(scope="module")
def fitted():
    train, test = eta.simulate_trips(20000, seed=0), eta.simulate_trips(20000, seed=1)
    models = eta.fit_models(train, 0.9, seed=0)
    return test, models.predict(test)


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9, 0.99])
def test_pinball_loss_matches_sklearn(q):
    rng = np.random.default_rng(0)
    y, p = rng.gamma(2.0, 10.0, 500), rng.gamma(2.0, 10.0, 500)
    assert eta.pinball_loss(y, p, q) == pytest.approx(mean_pinball_loss(y, p, alpha=q))


def test_pinball_loss_hand_case_and_minimiser():
    # y - ŷ = [2, -1]: 0.9·2 and 0.1·1 -> mean 0.95
    assert eta.pinball_loss([3.0, 1.0], [1.0, 2.0], 0.9) == pytest.approx(0.95)
    y = np.random.default_rng(1).lognormal(3, 0.5, 2001)
    grid = np.linspace(y.min(), y.max(), 4000)
    best = grid[np.argmin([eta.pinball_loss(y, g, 0.9) for g in grid])]
    assert best == pytest.approx(np.quantile(y, 0.9), rel=0.02)
    with pytest.raises(ValueError):
        eta.pinball_loss(y, y, 1.0)


def test_trips_are_right_skewed_and_slower_in_rush_and_snow():
    trips = eta.simulate_trips(20000, seed=3)
    assert trips["minutes"].mean() > trips["minutes"].median()
    per_km = trips["minutes"] / trips["distance_km"]
    assert per_km[trips.rush == 1].median() > per_km[trips.rush == 0].median()
    assert per_km[trips.weather == 2].median() > per_km[trips.weather == 0].median()


def test_p90_coverage_on_held_out_trips(fitted):
    test, preds = fitted
    card = eta.scorecard(test["minutes"], preds, 0.9)
    assert abs(card.loc["P90", "coverage"] - 0.9) < 0.03
    assert abs(card.loc["P50", "coverage"] - 0.5) < 0.03
    # each model wins its own loss
    assert card["pinball q=0.9"].idxmin() == "P90"
    assert card.loc["P50", "pinball q=0.5"] < card.loc["P90", "pinball q=0.5"]
    assert card["RMSE (min)"].idxmin() == "mean"
    # the mean as a promise time is late far more often than 10 %
    assert card.loc["mean", "late rate"] > 0.3
    assert card.loc["mean", "late rate"] == pytest.approx(np.mean(test["minutes"] > preds["mean"]))


def test_matched_buffer_hits_its_coverage_but_not_per_segment(fitted):
    test, preds = fitted
    b = eta.matched_buffer(test["minutes"], preds["mean"], 0.9)
    assert np.mean(test["minutes"] <= preds["mean"] + b) == pytest.approx(0.9, abs=0.002)
    late = eta.late_by_condition(test, {"P90": preds["P90"], "mean + buffer": preds["mean"] + b})
    spread = late.groupby("promise")["late rate"].agg(lambda s: s.max() - s.min())
    assert spread["mean + buffer"] > spread["P90"]
    snow = test["weather"] == 2
    row = late[(late.segment == "snow") & (late.promise == "P90")].iloc[0]
    assert row["late rate"] == pytest.approx(np.mean(test["minutes"][snow] > preds["P90"][snow]))


def test_heat_grid_against_a_direct_recount(fitted):
    test, preds = fitted
    grid = eta.heat_grid(test, preds, "P50 absolute error (min)")
    assert grid.shape == (eta.GRID ** 2, 24)
    cell = (test.zone == 14) & (test.hour == 8)
    assert grid.loc[14, 8] == pytest.approx(np.mean(np.abs(test.minutes[cell] - preds.P50[cell])))
    with pytest.raises(ValueError):
        eta.heat_grid(test, preds, "nope")


def test_bad_parameters_raise():
    with pytest.raises(ValueError):
        eta.simulate_trips(10)
    with pytest.raises(ValueError):
        eta.fit_models(pd.DataFrame(columns=[*eta.FEATURES, "minutes"]), 0.9)
    with pytest.raises(ValueError):
        eta.fit_models(eta.simulate_trips(200), 0.5)


def test_rearrangement_fixes_crossing_on_a_hand_worked_case():
    y, p50, p90 = np.array([12.0, 6.0]), np.array([10.0, 5.0]), np.array([8.0, 9.0])
    assert eta.crossing_share(p50, p90) == 0.5
    lo, hi = eta.rearrange(p50, p90)
    assert lo.tolist() == [8.0, 5.0] and hi.tolist() == [10.0, 9.0]
    # trip 1 before: 0.5·2 + 0.9·4 = 4.6; after: 0.5·4 + 0.9·2 = 3.8 (= 4.6 + (10 − 8)(0.5 − 0.9));
    # trip 2 is not crossed: 0.5·1 + 0.1·3 = 0.8 both times
    before = mean_pinball_loss(y, p50, alpha=0.5) + mean_pinball_loss(y, p90, alpha=0.9)
    after = mean_pinball_loss(y, lo, alpha=0.5) + mean_pinball_loss(y, hi, alpha=0.9)
    assert before == pytest.approx((4.6 + 0.8) / 2) and after == pytest.approx((3.8 + 0.8) / 2)


def test_rearrangement_never_raises_the_summed_pinball_loss():
    rng = np.random.default_rng(3)
    y, a, b = rng.gamma(2, 10, (3, 500))
    lo, hi = eta.rearrange(a, b)
    assert eta.crossing_share(lo, hi) == 0 and eta.crossing_share(a, b) > 0.3
    before = mean_pinball_loss(y, a, alpha=0.5) + mean_pinball_loss(y, b, alpha=0.9)
    assert mean_pinball_loss(y, lo, alpha=0.5) + mean_pinball_loss(y, hi, alpha=0.9) < before


@pytest.mark.slow  # ~10 s: one model fit per feature group
def test_ablation_each_feature_group_matters_and_matches_the_full_fit():
    train, test = eta.simulate_trips(5000, seed=0), eta.simulate_trips(5000, seed=1)
    table = eta.ablation(train, test, 0.9, seed=0)
    full = eta.fit_models(train, 0.9, seed=0).predict(test)
    assert table.loc["all features", "pinball q=0.5"] == pytest.approx(
        mean_pinball_loss(test["minutes"], full["P50"], alpha=0.5))
    assert table.loc["all features", "P90 coverage"] == pytest.approx(np.mean(test["minutes"] <= full["P90"]))
    assert eta.ablation(train, test, 0.9, seed=0, full=full).loc["all features"].equals(table.loc["all features"])
    for group in ("temporal", "weather"):
        assert table.loc[f"without {group}", "pinball q=0.9"] > table.loc["all features", "pinball q=0.9"]
    assert (table["summed pinball, rearranged"] <= table["summed pinball"] + 1e-12).all()


def test_compare_promises_on_a_hand_made_case():
    test = pd.DataFrame({"minutes": [10.0, 20.0, 30.0, 40.0]})
    preds = pd.DataFrame({"P50": [12.0, 18.0, 31.0, 35.0], "P90": [15.0, 25.0, 35.0, 45.0],
                          "mean": [20.0, 20.0, 20.0, 20.0]})
    late_mean = eta.compare_promises(test, preds, 0.9, 5.0, "mean (MSE model)")
    assert late_mean.chosen == "mean" and late_mean.late_chosen == 0.5          # 30 and 40 > 20
    assert late_mean.card.loc["P90", "coverage"] == 1.0
    assert late_mean.matched == pytest.approx(np.quantile([-10.0, 0.0, 10.0, 20.0], 1.0))
    buffered = eta.compare_promises(test, preds, 0.9, 15.0, eta.PromiseBasis.MEAN_BUFFER)
    assert buffered.chosen == "mean + 15 min" and buffered.late_chosen == 0.25   # 40 > 35
    assert eta.compare_promises(test, preds, 0.9, 0.0, "quantile model").late_chosen == 0.0
    assert [v for _, v in late_mean.duration_marks(0.5)] == [25.0, 25.0, 25.0]
    assert late_mean.trip_quantile(1.0) == 40.0 and late_mean.trip_mean == 25.0


def test_promise_bases_keep_the_strings_old_links_carry():
    assert [b.value for b in eta.PROMISE_BASES] == ["quantile model", "mean (MSE model)", "mean + buffer"]
    assert eta.PromiseBasis("mean + buffer") is eta.PromiseBasis.MEAN_BUFFER


def test_heat_metric_enum_keeps_the_strings_old_links_carry():
    assert [m.value for m in eta.HEAT_METRICS] == ["P50 absolute error (min)", "quantile-model late rate",
                                                   "mean-model late rate"]
    assert eta.heat_label("quantile-model late rate", 0.9) == "P90 late rate"
    assert eta.heat_label(eta.HeatMetric.P50_ERROR, 0.9) == "P50 absolute error (min)"
