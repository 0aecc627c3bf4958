"""Lesson 4: why A/B results stop making sense when a blended ranker's heads are not calibrated.

A feed ranks candidates by a multi-task blend ``score = p̂(click) + λ · p̂(watch)``, whose weight
``λ`` was tuned for *probabilities*. The A/B test pits the current heads (control) against a new
click head (treatment) with a clearly better AUC, trained on negatives kept at rate ``w`` and
shipped without recalibration: its outputs are inflated to ``p / (p + (1 - p) w)``. AUC cannot
see that (it is a monotone map), but the blend can: clicks now outweigh watches, the feed fills
with click-bait and the "better" model loses the A/B test. Calibrating the new head (Platt on a
held-out split of full traffic) restores the blend and the decision agrees with the offline AUC.

Model of the world, per candidate: true click log-odds ``l_c ~ N(-2, 1)``; true long-watch
log-odds ``l_w = -2.2 - ρ (l_c + 2) + N(0, 0.8²)`` (click-bait: items that attract clicks hold
attention less, ρ = 0.3). A head predicts its true log-odds plus Gaussian noise (control click
head sd 2.0, treatment click head sd 0.5, watch head sd 0.6), then is Platt-calibrated. The value
of an impression is ``click + λ · watch``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from playground.experiments.guardrails import MetricRead, read_means
from playground.recsys.calibration import auc, fit_calibrator

_RHO = 0.3
LAMBDA = 2.5
"""Default blend weight of p(watch): a long watch is worth 2.5 clicks."""
_NOISE = {"click_old": 2.0, "click_new": 0.5, "watch": 0.6}


@dataclass(frozen=True)
class BlendArm:
    """One arm of the experiment.

    Attributes
    ----------
    auc : float
        Offline ROC AUC of the arm's click head on held-out impressions.
    mean_p_click : float
        Mean predicted click probability of that head on held-out impressions (true rate in
        ``BlendExperiment.true_ctr``).
    above_threshold : float
        Share of candidates whose blended score clears the quality threshold.
    click_rate, watch_rate, value : float
        Expected clicks, long watches and value per shown impression (true probabilities).
    """

    auc: float
    mean_p_click: float
    above_threshold: float
    click_rate: float
    watch_rate: float
    value: float


@dataclass(frozen=True)
class BlendExperiment:
    control: BlendArm
    treatment: BlendArm
    read: MetricRead
    true_ctr: float
    threshold: float
    calibrated: bool

    @property
    def ships(self) -> bool:
        """Ship when the A/B read of value per impression is a significant win."""
        return self.read.status == "win"

    @property
    def consistent(self) -> bool:
        """Does the A/B decision agree with the offline AUC comparison?"""
        return self.ships == (self.treatment.auc > self.control.auc)


def _world(rng: np.random.Generator, shape) -> tuple[np.ndarray, np.ndarray]:
    lc = rng.normal(-2.0, 1.0, shape)
    lw = -2.2 - _RHO * (lc + 2.0) + rng.normal(0.0, 0.8, shape)
    return lc, lw


def simulate_blend_ab(calibrate: bool = False, w: float = 0.1, lam: float = LAMBDA, users: int = 20_000,
                      candidates: int = 40, k: int = 5, holdout: int = 50_000,
                      seed: int = 0) -> BlendExperiment:
    """Simulate the offline comparison and the A/B test of a new click head in a blended ranker.

    Parameters
    ----------
    calibrate : bool
        Platt-calibrate the new click head on held-out full traffic before blending.
    w : float
        Negative keep rate the new head was trained with (1 = no downsampling), in (0, 1].
    lam : float
        Blend weight of p(watch) (value of a long watch in clicks), > 0.
    users : int
        Users per arm in the A/B test (each sees ``k`` items).
    candidates, k : int
        Candidates ranked per user and items shown.
    holdout : int
        Held-out impressions for calibration and offline AUC.
    seed : int
        Random seed.
    """
    if not 0 < w <= 1:
        raise ValueError(f"the negative keep rate w ({w}) must be in (0, 1]")
    if lam <= 0:
        raise ValueError(f"the blend weight λ ({lam}) must be positive")
    if not 1 <= k <= candidates:
        raise ValueError(f"items shown k ({k}) must be between 1 and the candidates ({candidates})")
    if not 100 <= users <= 200_000 or holdout < 1000:
        raise ValueError("users per arm must be between 100 and 200,000 and the holdout at least 1,000")
    rng = np.random.default_rng(seed)

    def noisy(l: np.ndarray, head: str) -> np.ndarray:
        return l + rng.normal(0.0, _NOISE[head], l.shape)

    # held-out impressions: fit every head's calibrator, measure offline AUC
    lc, lw = _world(rng, holdout)
    yc, yw = rng.random(holdout) < expit(lc), rng.random(holdout) < expit(lw)
    z = {"click_old": noisy(lc, "click_old"), "click_new": noisy(lc, "click_new") - np.log(w),
         "watch": noisy(lw, "watch")}
    cals = {h: fit_calibrator("platt", z[h], yc if h.startswith("click") else yw) for h in z}

    def head(name: str, zz: np.ndarray) -> np.ndarray:
        if name == "click_new" and not calibrate:
            return expit(zz)  # read the downsampled model's output as a probability
        return cals[name](zz)

    p_hold = {h: head(h, z[h]) for h in ("click_old", "click_new")}
    threshold = float(np.quantile(p_hold["click_old"] + lam * cals["watch"](z["watch"]), 0.8))

    def arm(click_head: str):
        lc, lw = _world(rng, (users, candidates))
        pc, pw = expit(lc), expit(lw)
        zc = noisy(lc, click_head) - (np.log(w) if click_head == "click_new" else 0.0)
        score = head(click_head, zc) + lam * cals["watch"](noisy(lw, "watch"))
        shown = np.argsort(-score, axis=1)[:, :k]
        sc, sw = np.take_along_axis(pc, shown, 1), np.take_along_axis(pw, shown, 1)
        clicks, watches = rng.random(sc.shape) < sc, rng.random(sw.shape) < sw
        per_user = (clicks + lam * watches).mean(axis=1)
        summary = BlendArm(auc(p_hold[click_head], yc), float(p_hold[click_head].mean()),
                           float(np.mean(score > threshold)), float(sc.mean()), float(sw.mean()),
                           float((sc + lam * sw).mean()))
        return summary, per_user

    control, v_c = arm("click_old")
    treatment, v_t = arm("click_new")
    read = read_means("value per impression", "clicks + λ·watches", v_c, v_t, True)
    return BlendExperiment(control, treatment, read, float(yc.mean()), threshold, calibrate)
