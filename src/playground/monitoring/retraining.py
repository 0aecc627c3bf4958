"""Lesson 7: retraining policies on a drifting stream, compared on quality and cost.

A logistic-regression model is trained on the first ``train_days`` of a
:class:`~playground.monitoring.drift.Stream` and deployed. Each following day it scores that day's
batch; the day's labels arrive ``label_delay`` days later. Policies:

* ``never``: the first model serves forever;
* ``fixed schedule``: retrain every ``every`` days;
* ``drift-triggered``: retrain when a detector alarms: Page–Hinkley on the deployed model's
  (delayed) daily error rate, started from its error on its own training window, or the PSI of
  the model's score against its training scores.

Every retrain fits on the last ``window_days`` of *labelled* days, so label delay costs both
detection time and freshness.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from playground.monitoring.drift import PageHinkleyState, Stream, psi

class Policy(StrEnum):
    """Retraining policies (values: what links, presets and result tables carry)."""

    NEVER = "never"
    FIXED = "fixed schedule"
    TRIGGERED = "drift-triggered"


class Trigger(StrEnum):
    """What fires a drift-triggered retrain (values: what links and presets carry; show
    :data:`TRIGGER_LABELS`)."""

    ERROR = "error (Page-Hinkley)"
    SCORE_DRIFT = "score drift (PSI)"


POLICIES: tuple[Policy, ...] = tuple(Policy)
TRIGGERS: tuple[Trigger, ...] = tuple(Trigger)
TRIGGER_LABELS = {Trigger.ERROR: "error (Page-Hinkley)", Trigger.SCORE_DRIFT: "score drift (PSI)"}


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic regression (same attribute names as scikit-learn's)."""

    coef_: np.ndarray
    intercept_: np.ndarray

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (predict_proba(self, x) > 0.5).astype(int)


def fit_model(x: np.ndarray, y: np.ndarray, C: float = 1.0, iters: int = 50) -> Logistic:
    """Fit the production model: L2-regularised logistic regression on the two features.

    Minimises ``sum_i logloss_i + ||w||^2 / (2 C)`` (intercept not penalised) by Newton's method,
    the objective of ``sklearn.linear_model.LogisticRegression(C=C)``; a dozen retrains per
    widget move stay in milliseconds instead of a tenth of a second each.
    """
    x = x.reshape(-1, x.shape[-1])
    y = y.ravel().astype(float)
    if np.unique(y).size < 2:
        raise ValueError("the training window holds a single class: the model cannot be trained")
    design = np.c_[x, np.ones(len(x))]
    penalty = np.r_[np.full(x.shape[1], 1.0 / C), 0.0]
    beta = np.zeros(design.shape[1])
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-design @ beta))
        grad = design.T @ (p - y) + penalty * beta
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hess + 1e-10 * np.eye(len(beta)), grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return Logistic(beta[None, :-1], beta[-1:])


def predict_proba(model: Logistic | LogisticRegression, x: np.ndarray) -> np.ndarray:
    """P(y = 1) for features of shape (..., 2)."""
    z = x @ model.coef_[0] + model.intercept_[0]
    return 1.0 / (1.0 + np.exp(-z))


@dataclass
class PolicyRun:
    """Day-by-day outcome of one policy.

    Attributes
    ----------
    name : str
    accuracy : ndarray (days,)
        Accuracy of the model serving each day (NaN during the initial training window).
    retrain_days : list of int
        End-of-day retrains (the new model serves from the next day).
    alarms : list of int
        Days the trigger fired (drift-triggered policy).
    """

    name: str
    accuracy: np.ndarray
    retrain_days: list[int] = field(default_factory=list)
    alarms: list[int] = field(default_factory=list)

    @property
    def retrains(self) -> int:
        return len(self.retrain_days)

    def mean_accuracy(self, since: int = 0) -> float:
        """Mean daily accuracy from day ``since`` on."""
        return float(np.nanmean(self.accuracy[since:]))

    def cost(self, retrain_cost: float, error_cost: float, batch: int, since: int = 0) -> float:
        """Retrains × ``retrain_cost`` plus wrong predictions × ``error_cost`` (per error)."""
        errors = np.nansum(1 - self.accuracy[since:]) * batch
        return float(self.retrains * retrain_cost + errors * error_cost)

    def retrain_accuracy(self) -> np.ndarray:
        """Accuracy on each retrain day (in the order of ``retrain_days``)."""
        return self.accuracy[np.asarray(self.retrain_days, dtype=int)]


def policy_summary(runs: dict[str, PolicyRun], since: int, retrain_cost: float, error_cost: float,
                   batch: int, train_days: int) -> tuple[pd.DataFrame, str]:
    """One row per policy (retrains, mean accuracy from day ``since`` and from ``train_days``,
    total cost from ``train_days`` at these prices, see :meth:`PolicyRun.cost`), and the
    cheapest policy's name."""
    summary = pd.DataFrame([{
        "policy": name, "retrains": run.retrains,
        f"accuracy from day {since}": round(run.mean_accuracy(since), 3),
        "accuracy, whole stream": round(run.mean_accuracy(train_days), 3),
        "cost": round(run.cost(retrain_cost, error_cost, batch, train_days)),
    } for name, run in runs.items()])
    return summary, str(summary.loc[summary.cost.idxmin(), "policy"])


def deployed(stream: Stream, train_days: int) -> tuple[np.ndarray, np.ndarray]:
    """The model trained on the first ``train_days`` and never retrained: its score for every
    example (days, batch) and its daily error rate (days,)."""
    model = fit_model(stream.x[:train_days], stream.y[:train_days])
    score = predict_proba(model, stream.x)
    return score, 1 - ((score > 0.5) == stream.y).mean(axis=1)


def _daily_errors(model: LogisticRegression, stream: Stream, first: int, last: int) -> list[float]:
    """The model's daily error rates on days ``first`` … ``last`` (its training window): the
    Page–Hinkley detector starts from this level, so a model that is bad from its first day
    is caught too, not only one that gets worse."""
    prob = predict_proba(model, stream.x[first: last + 1])
    return list(1 - np.mean((prob > 0.5) == stream.y[first: last + 1], axis=1))


def _warm_detector(history: list[float], delta: float, threshold: float) -> PageHinkleyState:
    """A non-resetting Page–Hinkley detector that has already seen ``history``."""
    detector = PageHinkleyState(delta, threshold, reset=False)
    for value in history:
        detector.update(value)
    return detector


def run_policy(stream: Stream, policy: str, train_days: int = 20, window_days: int = 14,
               every: int = 14, label_delay: int = 0, trigger: Trigger = Trigger.ERROR,
               ph_delta: float = 0.005, ph_threshold: float = 0.2, psi_threshold: float = 0.2,
               min_gap: int = 3) -> PolicyRun:
    """Replay ``stream`` day by day under one retraining policy.

    Parameters
    ----------
    stream : Stream
        The drifted stream.
    policy : {"never", "fixed schedule", "drift-triggered"}
    train_days : int
        Days of the initial training window.
    window_days : int
        Labelled days used by each retrain.
    every : int
        Days between retrains (fixed schedule).
    label_delay : int
        Days before a day's labels are known (0 = same day).
    trigger : str
        One of :data:`TRIGGERS` (drift-triggered policy).
    ph_delta, ph_threshold : float
        Page–Hinkley tolerance and alarm threshold on the daily error rate.
    psi_threshold : float
        PSI of the daily scores vs the training scores that triggers a retrain.
    min_gap : int
        Minimum days between two triggered retrains (lets fresh labels accumulate).
    """
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)} (got {policy!r})")
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger must be one of {', '.join(TRIGGERS)}")
    days = stream.days
    if not 1 <= train_days < days:
        raise ValueError(f"the training window ({train_days} days) must be shorter than the stream")
    if window_days < 1 or every < 1 or label_delay < 0 or min_gap < 1:
        raise ValueError("window, schedule and gap must be at least 1 day, label delay ≥ 0")
    model = fit_model(stream.x[:train_days], stream.y[:train_days])
    ref_scores = predict_proba(model, stream.x[:train_days])
    deployed = last_train = train_days - 1
    acc = np.full(days, np.nan)
    errors = np.full(days, np.nan)
    run = PolicyRun(policy, acc)
    ph = _warm_detector(_daily_errors(model, stream, 0, train_days - 1), ph_delta, ph_threshold)
    for day in range(train_days, days):
        prob = predict_proba(model, stream.x[day])
        acc[day] = np.mean((prob > 0.5) == stream.y[day])
        errors[day] = 1 - acc[day]
        known = day - label_delay  # latest day whose labels are in
        retrain = False
        if policy == Policy.FIXED and day - last_train >= every:
            retrain = True
        elif policy == Policy.TRIGGERED:
            fired = False
            if trigger == Trigger.ERROR:
                if known > deployed:  # an error of the current model has just become known
                    fired = ph.update(errors[known])
            else:
                fired = psi(ref_scores, prob) > psi_threshold
            if fired:
                run.alarms.append(day)
                retrain = day - last_train >= min_gap
        if retrain and known >= 0:
            lo = max(0, known - window_days + 1)
            try:
                model = fit_model(stream.x[lo: known + 1], stream.y[lo: known + 1])
            except ValueError:
                continue
            ref_scores = predict_proba(model, stream.x[lo: known + 1])
            run.retrain_days.append(day)
            deployed = last_train = day
            ph = _warm_detector(_daily_errors(model, stream, lo, known), ph_delta, ph_threshold)
    return run


def compare(stream: Stream, **kwargs) -> dict[str, PolicyRun]:
    """Run every policy in :data:`POLICIES` on the same stream with the same settings."""
    return {name: run_policy(stream, name, **kwargs) for name in POLICIES}
