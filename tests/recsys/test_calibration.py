import numpy as np
import pytest
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.metrics import log_loss as sk_log_loss

from playground.recsys import calibration as cal


@pytest.fixture(scope="module")
def data():
    return cal.click_splits(0, n_train=8_000, n_cal=6_000, n_test=8_000)


def _ece_by_loop(p, y, edges):
    """ECE the slow way: one bin at a time, first bin closed on the left."""
    total = 0.0
    for i in range(len(edges) - 1):
        lo, hi = edges[i], edges[i + 1]
        inside = (p > lo) & (p <= hi) if i else (p >= lo) & (p <= hi)
        if inside.any():
            total += inside.sum() / len(p) * abs(y[inside].mean() - p[inside].mean())
    return total


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 7, 15])
def test_ece_matches_a_direct_computation(strategy, n_bins):
    rng = np.random.default_rng(3)
    p = rng.beta(0.7, 2.0, 3000)
    y = (rng.random(3000) < np.clip(p * 1.3, 0, 1)).astype(int)
    table = cal.reliability(p, y, n_bins, strategy)
    assert table.ece == pytest.approx(_ece_by_loop(p, y, table.edges), abs=1e-12)
    assert table.counts.sum() == 3000
    # the per-bin curve is scikit-learn's calibration_curve (which drops empty bins)
    if strategy == "uniform":
        frac, mean = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
        keep = table.counts > 0
        np.testing.assert_allclose(table.frac_pos[keep], frac, atol=1e-12)
        np.testing.assert_allclose(table.mean_pred[keep], mean, atol=1e-12)


def test_ece_by_hand():
    p = np.array([0.1, 0.2, 0.8, 0.9])
    y = np.array([0, 1, 1, 1])
    # two bins: [0, .5] holds .1,.2 (mean .15, rate .5); (.5, 1] holds .8,.9 (mean .85, rate 1)
    table = cal.reliability(p, y, 2)
    assert table.ece == pytest.approx(0.5 * 0.35 + 0.5 * 0.15)
    np.testing.assert_array_equal(table.counts, [2, 2])


def test_by_true_probability_by_hand():
    p_true = np.array([0.1, 0.2, 0.3, 0.4])
    p_pred = np.array([0.5, 0.7, 0.2, 0.6])
    truth, pred = cal.by_true_probability(p_true, p_pred, n_bands=2)
    np.testing.assert_allclose(truth, [0.15, 0.35])
    np.testing.assert_allclose(pred, [0.6, 0.4])


def test_brier_and_log_loss_match_sklearn():
    rng = np.random.default_rng(1)
    p = rng.random(500)
    p[:3] = [0.0, 1.0, 1e-20]
    y = rng.integers(0, 2, 500)
    y[:2] = [1, 0]  # confidently wrong: clipping must agree with sklearn
    assert cal.brier(p, y) == pytest.approx(brier_score_loss(y, p))
    # no pre-clipping: our clip must be sklearn's own (machine epsilon of the dtype, both columns)
    assert cal.log_loss(p, y) == pytest.approx(sk_log_loss(y, p), rel=1e-13)
    extreme = np.array([0.0, 1.0, 1e-20, 1 - 1e-17, 0.5])
    for labels in ([1, 0, 1, 0, 1], [0, 1, 0, 1, 0]):
        assert cal.log_loss(extreme, labels) == pytest.approx(sk_log_loss(labels, extreme), rel=1e-13)
    p32 = extreme.astype(np.float32)
    assert cal.log_loss(p32, [1, 0, 1, 0, 1]) == pytest.approx(sk_log_loss([1, 0, 1, 0, 1], p32), rel=1e-6)


def test_isotonic_ties_can_move_auc_platt_and_temperature_cannot():
    # hand-worked: isotonic pools the violating pair (2, 3) into one level 0.5, so the positive at
    # 2 now ties the negative at 3: AUC 3/4 -> 3.5/4
    z, y = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 1, 0, 1])
    iso = cal.fit_calibrator("isotonic", z, y)
    np.testing.assert_allclose(iso(z), [0.0, 0.5, 0.5, 1.0])
    assert roc_auc_score(y, z) == 0.75 and roc_auc_score(y, iso(z)) == 0.875
    rng = np.random.default_rng(4)
    z = rng.normal(size=3000)
    y = (rng.random(3000) < expit(1.5 * z - 1)).astype(int)
    for method in ("platt", "temperature"):
        assert roc_auc_score(y, cal.fit_calibrator(method, z, y)(z)) == pytest.approx(roc_auc_score(y, z), abs=1e-12)
    assert roc_auc_score(y, cal.fit_calibrator("isotonic", z, y)(z)) != pytest.approx(roc_auc_score(y, z), abs=1e-6)


def test_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 2000)
    p = np.round(rng.random(2000) * 0.5 + 0.3 * y, 1)   # coarse scores: many ties
    assert cal.auc(p, y) == pytest.approx(roc_auc_score(y, p), abs=1e-12)


def test_temperature_matches_a_scipy_optimisation():
    rng = np.random.default_rng(5)
    z_true = rng.normal(-1, 1.5, 5000)
    y = (rng.random(5000) < expit(z_true)).astype(int)
    for k in (0.3, 1.0, 3.0):
        z = k * z_true

        def nll(log_t):
            return sk_log_loss(y, expit(z / np.exp(log_t)))

        best = minimize_scalar(nll, bounds=(-5, 5), method="bounded", options={"xatol": 1e-10})
        assert cal.fit_temperature(z, y) == pytest.approx(np.exp(best.x), rel=1e-4)
        assert abs(cal.fit_temperature(z, y) - k) < 0.15 * k  # it undoes the sharpening


def test_platt_matches_a_scipy_optimisation_of_the_two_parameter_log_loss():
    rng = np.random.default_rng(8)
    z = rng.normal(0, 2, 4000)
    y = (rng.random(4000) < expit(0.6 * z - 1.0)).astype(int)

    def nll(theta):
        return sk_log_loss(y, np.clip(expit(theta[0] * z + theta[1]), 1e-15, 1 - 1e-15))

    best = minimize(nll, x0=[1.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-12})
    platt = cal.fit_calibrator("platt", z, y)
    assert platt.params["alpha"] == pytest.approx(best.x[0], abs=1e-3)
    assert platt.params["beta"] == pytest.approx(best.x[1], abs=1e-3)
    np.testing.assert_allclose(platt(z), expit(best.x[0] * z + best.x[1]), atol=1e-4)
    # isotonic: the fitted levels are non-decreasing in z and average to the click rate
    iso = cal.fit_calibrator("isotonic", z, y)
    fitted = iso(np.sort(z))
    assert np.all(np.diff(fitted) >= 0) and fitted.mean() == pytest.approx(y.mean(), abs=1e-9)


def test_downsampling_correction_against_simulation():
    rng = np.random.default_rng(11)
    n, w = 400_000, 0.2
    p = rng.uniform(0.01, 0.5, n)
    y = (rng.random(n) < p).astype(int)
    keep = cal.downsample_mask(y, w, seed=2)
    assert keep[y == 1].all()
    assert abs(keep[y == 0].mean() - w) < 0.005
    # in the kept sample, the click rate in a narrow band of true p is the inflated p'
    edges = np.linspace(0.01, 0.5, 8)
    band = np.digitize(p[keep], edges)
    for b in range(1, 8):
        sel = band == b
        observed = y[keep][sel].mean()
        predicted = cal.inflated(p[keep][sel], w).mean()
        assert abs(observed - predicted) < 0.01
        # ...and the correction maps the observed inflated rate back to the true rate
        assert abs(cal.correct_downsampling(observed, w) - p[keep][sel].mean()) < 0.015
    np.testing.assert_allclose(cal.correct_downsampling(cal.inflated(p, w), w), p, rtol=1e-12)


def test_model_trained_on_downsampled_data_is_inflated_then_corrected(data):
    w = 0.1
    keep = cal.downsample_mask(data.y_train, w, seed=0)
    est = cal.train_ranker(data.X_train[keep], data.y_train[keep], "logistic", 0)
    variants = cal.evaluate(data, cal.scores(est, data.X_cal), cal.scores(est, data.X_test), w,
                            1.0, 0.0, 10, "uniform", 0.2)
    true_ctr = data.y_test.mean()
    assert variants["naive"].mean_p > 2 * true_ctr
    assert abs(variants["corrected"].mean_p - true_ctr) < 0.02
    assert variants["naive"].table.ece > 0.2 > 0.05 > variants["corrected"].table.ece
    # monotone calibrators keep the ranking: AUC of Platt/temperature equals the naive AUC
    assert variants["platt"].auc == pytest.approx(variants["naive"].auc, abs=1e-9)
    assert variants["temperature"].auc == pytest.approx(variants["naive"].auc, abs=1e-9)
    assert variants["naive"].decision.regret > 3 * variants["isotonic"].decision.regret


def test_calibrators_pull_distorted_scores_back(data):
    est = cal.train_ranker(data.X_train, data.y_train, "gbdt", 0)
    z_cal, z_test = cal.scores(est, data.X_cal), cal.scores(est, data.X_test)
    sharp = cal.evaluate(data, z_cal, z_test, 1.0, 3.0, 0.0, 10, "uniform", 0.2)
    assert sharp["naive"].table.ece > 0.05
    for method in ("platt", "isotonic", "temperature"):
        assert sharp[method].table.ece < sharp["naive"].table.ece / 2
    shifted = cal.evaluate(data, z_cal, z_test, 1.0, 1.0, 1.5, 10, "uniform", 0.2)
    # temperature has no intercept: it cannot undo a shift that Platt and isotonic remove
    assert shifted["temperature"].table.ece > 2 * shifted["platt"].table.ece
    assert shifted["isotonic"].table.ece < 0.03


def test_decision_error_by_hand():
    p_true = np.array([0.1, 0.3, 0.5, 0.05])
    p_pred = np.array([0.3, 0.1, 0.6, 0.01])
    d = cal.decision_error(p_pred, p_true, 0.2)
    # item 0 shown but worth -0.1; item 1 hidden but worth +0.1; items 2 and 3 right
    assert d.wrong == pytest.approx(0.5)
    assert d.regret == pytest.approx((0.1 + 0.1) / 4 * 1000)
    assert d.bid_ratio == pytest.approx(1.01 / 0.95)
    assert cal.decision_error(p_true, p_true, 0.2).regret == 0


def test_bad_parameters_raise_clear_errors():
    with pytest.raises(ValueError, match="keep rate"):
        cal.correct_downsampling(np.array([0.5]), 0.0)
    with pytest.raises(ValueError, match="both clicks"):
        cal.fit_calibrator("platt", np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="sharpness"):
        cal.distort(np.zeros(3), 0.0)
    with pytest.raises(ValueError, match="calibrator"):
        cal.fit_calibrator("magic", np.zeros(2), np.array([0, 1]))
    with pytest.raises(ValueError, match="break-even"):
        cal.decision_error(np.zeros(2), np.zeros(2), 1.0)


def test_calibration_report_matches_evaluate_and_its_table(data):
    keep = cal.downsample_mask(data.y_train, 0.2, seed=0)
    est = cal.train_ranker(data.X_train[keep], data.y_train[keep], "logistic", 0)
    z_cal, z_test = cal.scores(est, data.X_cal), cal.scores(est, data.X_test)
    rep = cal.calibration_report(data, *cal.calibrate(z_cal, data.y_cal, z_test, 0.2), 10, "uniform", 0.2)
    plain = cal.evaluate(data, z_cal, z_test, 0.2, 1.0, 0.0, 10, "uniform", 0.2)
    assert rep.variants.keys() == plain.keys() and set(rep.fitted) == {"platt", "isotonic", "temperature"}
    assert rep.variants["platt"].table.ece == pytest.approx(plain["platt"].table.ece)
    table = rep.table()
    assert table.scores.tolist() == ["true p (oracle)", "naive", "corrected only", "platt", "isotonic", "temperature"]
    assert table.iloc[0]["Brier"] == pytest.approx(brier_score_loss(data.y_test, data.p_test))
    assert table.iloc[1]["AUC"] == pytest.approx(roc_auc_score(data.y_test, rep.variants["naive"].p))
    assert data.test_ctr == pytest.approx(data.y_test.mean())


def test_bins_curves_and_the_log_shift_by_hand():
    rel = cal.reliability(np.array([0.1, 0.3, 0.6, 0.9]), np.array([0, 1, 1, 1]), n_bins=4)
    np.testing.assert_allclose(rel.centers, [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_allclose(rel.widths, [0.25] * 4)
    grid, inflated = cal.inflation_curve(0.5, points=3)
    np.testing.assert_allclose(grid, [0.001, 0.5, 0.999])
    assert inflated[1] == pytest.approx(0.5 / (0.5 + 0.5 * 0.5))
    p_true = np.array([0.1, 0.5])
    t_grid, regret = cal.regret_curve(p_true, p_true, points=5)
    assert len(t_grid) == 5 and regret == [0.0] * 5           # deciding with the truth loses nothing
    assert regret[0] == cal.decision_error(p_true, p_true, 0.02).regret
    assert cal.log_keep_rate(0.1) == pytest.approx(-2.302585)
    with pytest.raises(ValueError):
        cal.log_keep_rate(0.0)
