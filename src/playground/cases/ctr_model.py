"""Lesson 12: a real CTR model on a simulated impression log, and what delayed conversions do to
the labels.

The log (:func:`simulate_log`): impressions over ``days`` days, each with categorical features
(advertiser, site, device, hour of day). The true click probability is a logistic model with an
effect per advertiser, site, device and hour **plus an advertiser × device interaction** (some
ads work on phones only), so a model without that feature cross is mis-specified.

The model (:func:`train_ctr`): every feature becomes a string ``"adv=17"`` (and, with the cross,
``"adv=17&device=phone"``), hashed into ``2**bits`` columns by scikit-learn's ``FeatureHasher``
(the hashing trick of production CTR systems: no vocabulary to maintain, collisions traded for
memory), then an L2 logistic regression. Trained on the first days, scored on the last one.

Metrics: log loss; **normalised entropy** (He et al., 2014, *Practical lessons from predicting
clicks on ads at Facebook*): log loss divided by the entropy of the training CTR, so 1.0 is "no
better than predicting the average"; **calibration by segment**: predicted clicks ÷ observed clicks
per device (1.0 = calibrated; an auction needs this per segment, not only overall).

Delayed conversions (:func:`observed_conversions`): a click converts with probability ``cvr`` after
an exponential delay (mean ``delay_days``). At a training cut-off, conversions that have not
happened yet are labelled negative: the observed rate of an impression ``a`` days old is
``cvr * (1 - exp(-a / delay_days))``, so the freshest data looks worst.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DEVICES = ("desktop", "phone", "tablet")


@dataclass(frozen=True)
class LogSpec:
    """The simulated market. ``base_ctr`` is the CTR of an average impression (before effects)."""

    n: int = 60_000
    days: int = 7
    advertisers: int = 40
    sites: int = 25
    base_ctr: float = 0.03
    effect_sd: float = 0.6
    cross_sd: float = 1.0
    cvr: float = 0.1
    delay_days: float = 2.0


def simulate_log(spec: LogSpec = LogSpec(), seed: int = 0) -> pd.DataFrame:
    """One row per impression: ``day``, ``time`` (days since the start), ``adv``, ``site``,
    ``device``, ``hour``, ``p_true``, ``click`` (0/1), ``converted`` (eventually, 0/1) and
    ``conv_time`` (days since the start; inf when it never converts)."""
    if spec.n < 100 or spec.days < 2:
        raise ValueError("simulate at least 100 impressions over at least 2 days")
    if not 0 < spec.base_ctr < 1 or not 0 <= spec.cvr <= 1 or spec.delay_days <= 0:
        raise ValueError("base CTR must be in (0, 1), CVR in [0, 1] and the delay positive")
    rng = np.random.default_rng(seed)
    adv_eff = rng.normal(0, spec.effect_sd, spec.advertisers)
    site_eff = rng.normal(0, spec.effect_sd, spec.sites)
    dev_eff = np.array([0.0, 0.3, -0.2])
    hour_eff = 0.3 * np.sin(np.arange(24) / 24 * 2 * np.pi)
    cross = rng.normal(0, spec.cross_sd, (spec.advertisers, len(DEVICES)))
    time = np.sort(rng.uniform(0, spec.days, spec.n))
    adv = rng.integers(0, spec.advertisers, spec.n)
    site = rng.integers(0, spec.sites, spec.n)
    device = rng.choice(len(DEVICES), spec.n, p=[0.35, 0.55, 0.10])
    hour = ((time % 1) * 24).astype(int)
    logit = (np.log(spec.base_ctr / (1 - spec.base_ctr)) + adv_eff[adv] + site_eff[site]
             + dev_eff[device] + hour_eff[hour] + cross[adv, device])
    p = 1 / (1 + np.exp(-logit))
    click = (rng.random(spec.n) < p).astype(int)
    converted = click * (rng.random(spec.n) < spec.cvr)
    conv_time = np.where(converted == 1, time + rng.exponential(spec.delay_days, spec.n), np.inf)
    return pd.DataFrame({"day": time.astype(int), "time": time, "adv": adv, "site": site,
                         "device": np.asarray(DEVICES)[device], "hour": hour, "p_true": p,
                         "click": click, "converted": converted, "conv_time": conv_time})


def feature_strings(log: pd.DataFrame, cross: bool) -> list[list[str]]:
    """Each impression as the feature strings that get hashed (the cross ``adv&device`` optional)."""
    cols = [("adv=" + log["adv"].astype(str)), ("site=" + log["site"].astype(str)),
            ("device=" + log["device"]), ("hour=" + log["hour"].astype(str))]
    if cross:
        cols.append("adv=" + log["adv"].astype(str) + "&device=" + log["device"])
    return [list(row) for row in zip(*(c.tolist() for c in cols))]


def hash_features(log: pd.DataFrame, cross: bool, bits: int = 18):
    """Sparse design matrix from scikit-learn's ``FeatureHasher`` (``2**bits`` columns)."""
    from sklearn.feature_extraction import FeatureHasher

    if not 4 <= bits <= 24:
        raise ValueError(f"hash bits must be between 4 and 24 (got {bits})")
    return FeatureHasher(n_features=2 ** bits, input_type="string").transform(feature_strings(log, cross))


def normalised_entropy(y: np.ndarray, p: np.ndarray, base_rate: float) -> float:
    r"""Log loss divided by the entropy of a constant prediction at ``base_rate``:
    :math:`\mathrm{NE} = \frac{-\frac1N\sum y\log p + (1-y)\log(1-p)}{-(\bar p\log\bar p + (1-\bar p)\log(1-\bar p))}`."""
    if not 0 < base_rate < 1:
        raise ValueError("the base rate must be strictly between 0 and 1")
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    y = np.asarray(y, dtype=float)
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    h = -(base_rate * np.log(base_rate) + (1 - base_rate) * np.log(1 - base_rate))
    return float(loss / h)


def calibration_by(frame: pd.DataFrame, segment: str, pred: str = "pred", label: str = "click") -> pd.DataFrame:
    """Per segment: impressions, predicted clicks, observed clicks and their ratio (1 = calibrated)."""
    g = frame.groupby(segment, sort=True).agg(impressions=(label, "size"), predicted=(pred, "sum"),
                                              observed=(label, "sum"))
    g["predicted ÷ observed"] = g["predicted"] / g["observed"].where(g["observed"] > 0)
    return g


@dataclass(frozen=True)
class CtrResult:
    """Held-out metrics of one CTR model (test = the last day)."""

    log_loss: float
    normalised_entropy: float
    auc: float
    calibration: pd.DataFrame  # by device
    test: pd.DataFrame         # the test rows with a ``pred`` column

    def worst_calibrated(self) -> str:
        """The device whose predicted ÷ observed clicks is farthest from 1."""
        return str(self.calibration["predicted ÷ observed"].sub(1).abs().idxmax())


@dataclass(frozen=True)
class CtrExperiment:
    """A simulated impression log's CTR model, its delayed-conversion table (at the end of the
    log) and the log's click-through rate."""

    result: CtrResult
    delayed: pd.DataFrame
    base_ctr: float


def ctr_experiment(n: int, delay_days: float, cross: bool, bits: int, seed: int) -> CtrExperiment:
    """Simulate ``n`` impressions (:func:`simulate_log`), train the hashed CTR model on them
    (:func:`train_ctr`) and tabulate conversions seen at the log's end (:func:`delayed_label_table`)."""
    log = simulate_log(LogSpec(n=n, delay_days=delay_days), seed=seed)
    return CtrExperiment(train_ctr(log, cross=cross, bits=bits),
                         delayed_label_table(log, float(log["time"].max()), delay_days), float(log["click"].mean()))


def train_ctr(log: pd.DataFrame, cross: bool = True, bits: int = 18, c: float = 1.0) -> CtrResult:
    """Hashed-feature logistic regression trained on every day but the last, scored on the last."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss, roc_auc_score

    last = log["day"].max()
    train, test = log[log["day"] < last], log[log["day"] == last].copy()
    if train["click"].nunique() < 2 or test["click"].nunique() < 2:
        raise ValueError("the log needs clicks and non-clicks in both training and test days")
    model = LogisticRegression(C=c, max_iter=1000)
    model.fit(hash_features(train, cross, bits), train["click"])
    test["pred"] = model.predict_proba(hash_features(test, cross, bits))[:, 1]
    return CtrResult(float(log_loss(test["click"], test["pred"])),
                     normalised_entropy(test["click"], test["pred"], float(train["click"].mean())),
                     float(roc_auc_score(test["click"], test["pred"])),
                     calibration_by(test, "device"), test)


def observed_conversions(log: pd.DataFrame, cutoff: float) -> pd.Series:
    """Conversion labels as seen at ``cutoff`` (days): a conversion that has not happened yet is
    a 0. Rows after the cut-off are excluded."""
    seen = log[log["time"] <= cutoff]
    return ((seen["converted"] == 1) & (seen["conv_time"] <= cutoff)).astype(int)


def delayed_label_table(log: pd.DataFrame, cutoff: float, delay_days: float) -> pd.DataFrame:
    """Per impression day (clicked rows): true CVR, CVR observed at ``cutoff``, and the observed
    share expected from the exponential delay, :math:`1 - e^{-a/d}` averaged over the day's ages."""
    clicks = log[(log["click"] == 1) & (log["time"] <= cutoff)].copy()
    clicks["observed"] = observed_conversions(clicks, cutoff)
    clicks["expected_share"] = 1 - np.exp(-(cutoff - clicks["time"]) / delay_days)
    g = clicks.groupby("day").agg(clicks=("click", "size"), true_cvr=("converted", "mean"),
                                  observed_cvr=("observed", "mean"), expected_share=("expected_share", "mean"))
    g["observed ÷ true"] = g["observed_cvr"] / g["true_cvr"].where(g["true_cvr"] > 0)
    return g
