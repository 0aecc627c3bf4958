"""Lesson 4: ranking with calibration.

A ranker is trained on synthetic click data whose true click probability is known, so every
calibration number can be checked against the truth. The pipeline is

    model logit z  ->  distortion k·z + b  ->  downsampling correction  ->  calibrator  ->  p

- Negative downsampling keeps every click and a share ``w`` of the non-clicks; a model trained on
  that sample learns ``p' = p / (p + (1 - p) w)`` and the correction
  ``q = p' / (p' + (1 - p') / w)`` (a shift of ``log w`` in logit space) restores ``p``.
- Calibrators are fit on a held-out split drawn from the full (not downsampled) traffic: Platt
  (a logistic regression on the logit), isotonic regression, temperature scaling (one scalar).
- Metrics: reliability table, ECE, Brier score, log loss, AUC, and the decision error of an
  expected-value threshold (show when pCTR × value > cost) and of a bid (value × pCTR).
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np
import pandas as pd
from scipy.special import expit, log_expit
from scipy.stats import rankdata
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits


MODELS: tuple[str, ...] = ("logistic", "gbdt")
CALIBRATORS: tuple[str, ...] = ("none", "platt", "isotonic", "temperature")
STRATEGIES: tuple[str, ...] = ("uniform", "quantile")
N_FEATURES = 8
_WEIGHTS = np.array([1.0, -0.8, 0.6, 0.5, -0.4, 0.3, 0.0, 0.0])
_BASE_LOGIT = -2.0


# ---- synthetic click data ---------------------------------------------------------------
@dataclass(frozen=True)
class ClickData:
    """Train / calibration / test splits of synthetic impressions.

    ``p_*`` is the true click probability of each impression (known because the data is
    simulated); ``y_*`` is the observed click (0/1).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_cal: np.ndarray
    y_cal: np.ndarray
    p_cal: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    p_test: np.ndarray

    @property
    def test_ctr(self) -> float:
        """Observed click rate of the test split."""
        return float(self.y_test.mean())


def true_logit(X: np.ndarray) -> np.ndarray:
    """True click log-odds: linear terms plus an interaction and a curvature a linear model misses."""
    return _BASE_LOGIT + X @ _WEIGHTS + 0.6 * X[:, 0] * X[:, 1] - 0.4 * (X[:, 2] ** 2 - 1)


def make_clicks(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate ``n`` impressions.

    Returns
    -------
    X : (n, 8) features, y : (n,) clicks in {0, 1}, p : (n,) true click probabilities.
    """
    if n < 1:
        raise ValueError(f"the number of impressions ({n}) must be at least 1")
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES))
    p = expit(true_logit(X))
    y = (rng.random(n) < p).astype(int)
    return X, y, p


def click_splits(seed: int, n_train: int = 20_000, n_cal: int = 10_000,
                 n_test: int = 20_000) -> ClickData:
    """Independent train, held-out calibration and test splits from the same traffic."""
    X, y, p = make_clicks(n_train + n_cal + n_test, seed)
    a, b = n_train, n_train + n_cal
    return ClickData(X[:a], y[:a], X[a:b], y[a:b], p[a:b], X[b:], y[b:], p[b:])


# ---- negative downsampling --------------------------------------------------------------
def _check_rate(w: float) -> None:
    if not 0 < w <= 1:
        raise ValueError(f"the negative keep rate w ({w}) must be in (0, 1]")


def downsample_mask(y: np.ndarray, w: float, seed: int) -> np.ndarray:
    """Keep every positive and each negative with probability ``w`` (boolean mask)."""
    _check_rate(w)
    rng = np.random.default_rng(seed)
    y = np.asarray(y)
    return (y == 1) | (rng.random(y.shape[0]) < w)


def inflated(p: np.ndarray, w: float) -> np.ndarray:
    """Click probability in the downsampled data: ``p / (p + (1 - p) w)``."""
    _check_rate(w)
    p = np.asarray(p, dtype=float)
    return p / (p + (1 - p) * w)


def correct_downsampling(p: np.ndarray, w: float) -> np.ndarray:
    """Undo negative downsampling: ``q = p / (p + (1 - p) / w)``."""
    _check_rate(w)
    p = np.asarray(p, dtype=float)
    return p / (p + (1 - p) / w)


# ---- the ranker -------------------------------------------------------------------------
def train_ranker(X: np.ndarray, y: np.ndarray, model: str, seed: int):
    """Fit a logistic regression or a histogram gradient-boosted tree model on clicks."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    if len(np.unique(y)) < 2:
        raise ValueError("the training sample needs both clicks and non-clicks")
    if model == "logistic":
        est = LogisticRegression(max_iter=1000)
    else:
        est = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.1, max_leaf_nodes=15,
                                             early_stopping=False, random_state=seed)
    with threadpool_limits(1):  # OpenMP threads spin badly on a shared 2-core machine
        return est.fit(X, y)


def scores(est, X: np.ndarray) -> np.ndarray:
    """The model's raw log-odds (decision function)."""
    with threadpool_limits(1):
        return np.asarray(est.decision_function(X), dtype=float)


def distort(z: np.ndarray, sharpness: float = 1.0, shift: float = 0.0) -> np.ndarray:
    """Distort log-odds: ``k·z + b``. k > 1 is over-confident, k < 1 under-confident."""
    if sharpness <= 0:
        raise ValueError(f"sharpness k ({sharpness}) must be positive")
    return sharpness * np.asarray(z, dtype=float) + shift


# ---- calibrators ------------------------------------------------------------------------
def _check_labels(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if y.size == 0 or np.unique(y).size < 2:
        raise ValueError("a calibrator needs held-out data with both clicks and non-clicks")
    return y


def fit_temperature(z: np.ndarray, y: np.ndarray, iters: int = 100) -> float:
    """Temperature ``T`` minimising the log loss of ``sigmoid(z / T)`` (Newton's method on 1/T).

    The loss is convex in ``a = 1/T``: gradient ``Σ (σ(a z) − y) z``, curvature
    ``Σ σ(1 − σ) z²``.
    """
    z = np.asarray(z, dtype=float)
    y = _check_labels(y)
    if not np.any(z):
        raise ValueError("temperature scaling needs scores that are not all zero")

    def nll(a: float) -> float:
        return float(-np.sum(y * log_expit(a * z) + (1 - y) * log_expit(-a * z)))

    a = 1.0
    for _ in range(iters):
        s = expit(a * z)
        grad = float(np.sum((s - y) * z))
        hess = float(np.sum(s * (1 - s) * z * z)) + 1e-12
        step = grad / hess
        current = nll(a)
        while step and nll(a - step) > current:  # damped Newton: never increase the loss
            step /= 2
            if abs(step) < 1e-14:
                step = 0.0
        a -= step
        if abs(step) < 1e-10 * max(1.0, abs(a)):
            break
    if a <= 0:
        raise ValueError("the scores rank clicks backwards: no positive temperature fits")
    return 1.0 / a


@dataclass(frozen=True)
class Calibrator:
    """A fitted calibrator: call it on log-odds to get probabilities.

    ``params``: Platt ``alpha``, ``beta`` (``σ(α z + β)``); temperature ``T`` (``σ(z / T)``);
    isotonic ``steps`` (number of distinct output levels).
    """

    method: str
    params: dict
    isotonic: IsotonicRegression | None = None

    def __call__(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        if self.method == "platt":
            return expit(self.params["alpha"] * z + self.params["beta"])
        if self.method == "temperature":
            return expit(z / self.params["T"])
        if self.method == "isotonic":
            return self.isotonic.predict(z)
        return expit(z)


def fit_calibrator(method: str, z_cal: np.ndarray, y_cal: np.ndarray) -> Calibrator:
    """Fit ``method`` on held-out log-odds ``z_cal`` and clicks."""
    if method not in CALIBRATORS:
        raise ValueError(f"unknown calibrator {method!r}; choose one of {', '.join(CALIBRATORS)}")
    if method == "none":
        return Calibrator("none", {})
    z_cal = np.asarray(z_cal, dtype=float)
    y_cal = _check_labels(y_cal)
    if method == "platt":
        lr = LogisticRegression(C=np.inf, max_iter=1000).fit(z_cal[:, None], y_cal)
        return Calibrator("platt", {"alpha": float(lr.coef_[0, 0]), "beta": float(lr.intercept_[0])})
    if method == "isotonic":
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(z_cal, y_cal)
        return Calibrator("isotonic", {"steps": int(np.unique(iso.y_thresholds_).size)}, iso)
    return Calibrator("temperature", {"T": fit_temperature(z_cal, y_cal)})


# ---- metrics ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Reliability:
    """Reliability table: per bin, the count, mean prediction and observed click rate."""

    edges: np.ndarray
    counts: np.ndarray
    mean_pred: np.ndarray
    frac_pos: np.ndarray
    ece: float

    @property
    def centers(self) -> np.ndarray:
        """Middle of each bin."""
        return (self.edges[:-1] + self.edges[1:]) / 2

    @property
    def widths(self) -> np.ndarray:
        """Width of each bin."""
        return np.diff(self.edges)


def bin_edges(p: np.ndarray, n_bins: int, strategy: str = "uniform") -> np.ndarray:
    """Bin edges on [0, 1]: equal width, or equal mass (quantiles of ``p``; ties merged)."""
    if n_bins < 1:
        raise ValueError(f"the number of bins ({n_bins}) must be at least 1")
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    if strategy == "quantile":
        edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
        edges[0], edges[-1] = 0.0, 1.0
        return np.unique(edges)
    raise ValueError(f"unknown binning {strategy!r}; choose one of {', '.join(STRATEGIES)}")


def _bin_sums(key: np.ndarray, edges: np.ndarray, *values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Count of ``key`` per bin (right-closed, first bin also holds its left edge) and the sum of
    each of ``values`` per bin."""
    k = len(edges) - 1
    idx = np.clip(np.searchsorted(edges, key, side="left") - 1, 0, k - 1)
    return (np.bincount(idx, minlength=k), *(np.bincount(idx, weights=v, minlength=k) for v in values))


def _means(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def reliability(p: np.ndarray, y: np.ndarray, n_bins: int = 10, strategy: str = "uniform") -> Reliability:
    """Bin predictions and compare the mean prediction with the click rate in each bin.

    ``ECE = Σ_b (n_b / N) · |ȳ_b − p̄_b|`` over non-empty bins. Bins are right-closed except
    the first, which also holds 0.
    """
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    if p.shape != y.shape or p.size == 0:
        raise ValueError("predictions and labels must be non-empty and the same length")
    edges = bin_edges(p, n_bins, strategy)
    counts, sum_p, sum_y = _bin_sums(p, edges, p, y)
    ece = float(np.sum(np.abs(sum_y - sum_p)) / p.size)
    return Reliability(edges, counts, _means(sum_p, counts), _means(sum_y, counts), ece)


def by_true_probability(p_true: np.ndarray, p_pred: np.ndarray, n_bands: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Mean true probability and mean prediction in ``n_bands`` equal-mass bands of the truth."""
    p_true = np.asarray(p_true, dtype=float)
    p_pred = np.asarray(p_pred, dtype=float)
    edges = bin_edges(p_true, n_bands, "quantile")
    counts, sum_true, sum_pred = _bin_sums(p_true, edges, p_true, p_pred)
    keep = counts > 0
    return sum_true[keep] / counts[keep], sum_pred[keep] / counts[keep]


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """Brier score: mean squared error of the probability."""
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(y, dtype=float)) ** 2))


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood (nats), clipped exactly as ``sklearn.metrics.log_loss`` does.

    scikit-learn (≥ 1.5) forms the two columns ``1 - p`` and ``p`` and clips both to
    ``[eps, 1 - eps]`` with ``eps`` the machine epsilon of the input's float type (2.2e-16 for
    float64), so a confidently wrong prediction costs at most ``-log(eps) ≈ 36.04`` nats.
    """
    p = np.asarray(p)
    p = p if p.dtype in (np.float32, np.float64) else p.astype(float)
    eps = np.finfo(p.dtype).eps
    y = np.asarray(y).astype(bool)
    picked = np.where(y, np.clip(p, eps, 1 - eps), np.clip(1 - p, eps, 1 - eps))
    return float(-np.mean(np.log(picked.astype(float))))


def auc(p: np.ndarray, y: np.ndarray) -> float:
    """ROC AUC as the Mann–Whitney statistic: P(score of a click > score of a non-click),
    ties counted half (average ranks)."""
    y = np.asarray(y).astype(bool)
    n1 = int(y.sum())
    n0 = y.size - n1
    if n1 == 0 or n0 == 0:
        raise ValueError("AUC needs both clicks and non-clicks")
    ranks = rankdata(np.asarray(p, dtype=float))
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


# ---- downstream decisions ---------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    """What mis-calibration costs a consumer of the probabilities.

    ``wrong``: share of impressions where "show iff p > t" differs from the decision the true
    probability makes; ``regret``: expected value lost per 1,000 impressions (in units of the
    value of a click) against deciding with the true probability; ``bid_ratio``: mean bid
    (value × pCTR) over the fair bid (value × true p).
    """

    wrong: float
    regret: float
    bid_ratio: float


def decision_error(p_pred: np.ndarray, p_true: np.ndarray, threshold: float) -> Decision:
    """Decision error of "show when pCTR × value > cost", i.e. pCTR > t = cost / value."""
    if not 0 < threshold < 1:
        raise ValueError(f"the break-even CTR ({threshold}) must be between 0 and 1")
    p_pred = np.asarray(p_pred, dtype=float)
    p_true = np.asarray(p_true, dtype=float)
    gain = p_true - threshold                 # expected value of showing, per unit click value
    show = p_pred > threshold
    best = np.maximum(gain, 0.0)
    regret = float(np.mean(best - np.where(show, gain, 0.0)) * 1000)
    wrong = float(np.mean(show != (p_true > threshold)))
    return Decision(wrong, regret, float(np.mean(p_pred) / np.mean(p_true)))


# ---- the full pipeline ------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One way of turning the ranker's scores into probabilities, scored on the test split."""

    name: str
    p: np.ndarray
    table: Reliability
    brier: float
    log_loss: float
    auc: float
    mean_p: float
    decision: Decision


def score_variant(name: str, p: np.ndarray, data: ClickData, n_bins: int, strategy: str,
                  threshold: float) -> Variant:
    """All metrics of one set of test-split probabilities."""
    return Variant(name, p, reliability(p, data.y_test, n_bins, strategy), brier(p, data.y_test),
                   log_loss(p, data.y_test), auc(p, data.y_test), float(np.mean(p)),
                   decision_error(p, data.p_test, threshold))


def calibrate(z_cal: np.ndarray, y_cal: np.ndarray, z_test: np.ndarray, w: float,
              sharpness: float = 1.0, shift: float = 0.0) -> tuple[dict[str, np.ndarray], dict[str, Calibrator]]:
    """Test-split probabilities of every design, from the raw log-odds of a model trained with
    negatives kept at rate ``w``, and the fitted calibrators.

    Keys: ``"naive"`` (distorted scores read as probabilities), ``"corrected"`` (downsampling
    correction only), then ``"platt"``, ``"isotonic"``, ``"temperature"`` (correction, then the
    calibrator fit on the held-out split ``z_cal``, ``y_cal``).
    """
    _check_rate(w)
    zc = distort(z_cal, sharpness, shift) + np.log(w)
    zt = distort(z_test, sharpness, shift)
    out = {"naive": expit(zt)}
    zt = zt + np.log(w)   # logit(q) = logit(p') + log w  is  q = p'/(p' + (1 - p')/w)
    out["corrected"] = expit(zt)
    fitted = {method: fit_calibrator(method, zc, y_cal) for method in CALIBRATORS[1:]}
    out.update({method: calibrator(zt) for method, calibrator in fitted.items()})
    return out, fitted


def score_all(probs: dict[str, np.ndarray], data: ClickData, n_bins: int, strategy: str,
              threshold: float) -> dict[str, Variant]:
    """:func:`score_variant` for every design in ``probs``."""
    return {name: score_variant(name, p, data, n_bins, strategy, threshold) for name, p in probs.items()}


def evaluate(data: ClickData, z_cal: np.ndarray, z_test: np.ndarray, w: float, sharpness: float,
             shift: float, n_bins: int, strategy: str, threshold: float) -> dict[str, Variant]:
    """Naive, downsampling-corrected and every calibrator, scored on the same test impressions."""
    probs, _ = calibrate(z_cal, data.y_cal, z_test, w, sharpness, shift)
    return score_all(probs, data, n_bins, strategy, threshold)


def oracle(data: ClickData, n_bins: int, strategy: str, threshold: float) -> Variant:
    """The true probabilities scored like a model: the floor for Brier and log loss."""
    return score_variant("true p", data.p_test, data, n_bins, strategy, threshold)


@dataclass(frozen=True)
class CalibrationReport:
    """Every design scored on the test split (:func:`calibrate`, :func:`score_all`), the fitted
    calibrators, and the true probabilities scored alike (:func:`oracle`)."""

    fitted: dict[str, Calibrator]
    variants: dict[str, Variant]
    oracle: Variant

    def table(self) -> pd.DataFrame:
        """One row per design (the oracle first, then naive, corrected only and each calibrator):
        mean pCTR, ECE, Brier, log loss, AUC and the decision errors at the threshold."""
        rows = [("true p (oracle)", self.oracle), ("naive", self.variants["naive"])] + [
            (name if name != "corrected" else "corrected only", self.variants[name])
            for name in ("corrected", "platt", "isotonic", "temperature")]
        return pd.DataFrame([{
            "scores": name, "mean pCTR": v.mean_p, "ECE": v.table.ece, "Brier": v.brier,
            "log loss": v.log_loss, "AUC": v.auc, "wrong decisions": v.decision.wrong,
            "value lost / 1k": v.decision.regret, "bid ÷ fair bid": v.decision.bid_ratio,
        } for name, v in rows])


def calibration_report(data: ClickData, probs: dict[str, np.ndarray], fitted: dict[str, Calibrator],
                       n_bins: int, strategy: str, threshold: float) -> CalibrationReport:
    """Score every design's test-split probabilities and the true probabilities alike (``n_bins``
    bins of ``strategy``, decisions at ``threshold``); ``probs`` and ``fitted`` as :func:`calibrate`
    returns them."""
    return CalibrationReport(fitted, score_all(probs, data, n_bins, strategy, threshold),
                             oracle(data, n_bins, strategy, threshold))


def inflation_curve(w: float, points: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """The click rate a model trained at negative keep rate ``w`` sees, :func:`inflated`, on a
    grid of true rates from 0.001 to 0.999."""
    grid = np.linspace(0.001, 0.999, points)
    return grid, inflated(grid, w)


def regret_curve(p_pred: np.ndarray, p_true: np.ndarray, lo: float = 0.02, hi: float = 0.9,
                 points: int = 45) -> tuple[np.ndarray, list[float]]:
    """Value lost per 1k impressions (:func:`decision_error`) at every break-even CTR of a grid."""
    grid = np.linspace(lo, hi, points)
    return grid, [decision_error(p_pred, p_true, t).regret for t in grid]


def log_keep_rate(w: float) -> float:
    """``log w``: what the downsampling correction adds to the log-odds."""
    _check_rate(w)
    return float(np.log(w))
