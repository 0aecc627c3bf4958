"""Lesson 13's held-out week before ship: the decline threshold a rule picks, what each decision
costs per 1,000 transactions, the ROC / PR / cost curves as the page draws them, and the same
scores re-weighted to rarer fraud.

Costs are in dollars, thresholds are model scores (decline when ``score ≥ threshold``; ``inf``
approves everything), rates and shares are fractions in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playground.cases import fraud

THRESHOLD_RULES = ("minimum expected cost", "0.5", "manual")
"""How the decline threshold is set (the strings links and presets carry)."""
RATE_SWEEP = (0.05, 0.02, 0.01, 0.005, 0.002, 0.001)
"""Fraud rates (share of transactions) the held-out scores are re-weighted to, commonest first."""
PLOT_POINTS = 1500
"""At most this many points of a curve are drawn."""
LOG_FLOOR = 1e-6
"""Smallest threshold drawn on a log axis (a lower one, e.g. 0, is drawn here)."""
HALF_SLACK = 1.1
"""Threshold 0.5 is called out when it costs more than this many times the minimum."""


def thin(n: int, keep: int = PLOT_POINTS) -> np.ndarray:
    """Indices of at most ``keep`` evenly spaced points of a curve of ``n`` points (the first and
    the last included), for drawing only.

    Parameters
    ----------
    n : int
        Number of points of the curve.
    keep : int
        Most points to keep (≥ 2 keeps both ends).
    """
    if keep < 1:
        raise ValueError("keep at least one point of a curve")
    return np.unique(np.linspace(0, n - 1, min(n, keep)).astype(int))


def choose_threshold(cost: fraud.CostCurve, rule: str, manual: float | None = None) -> float:
    """The decline threshold (a score) set by ``rule``, one of :data:`THRESHOLD_RULES`.

    ``"minimum expected cost"``: the threshold minimising ``cost`` (``inf`` when approving
    everything is cheapest); ``"0.5"``: 0.5; ``"manual"``: ``manual``, a score in [0, 1].
    """
    if rule == "minimum expected cost":
        return float(cost.thresholds[cost.best])
    if rule == "0.5":
        return 0.5
    if rule == "manual":
        if manual is None or not 0 <= manual <= 1:
            raise ValueError("the manual threshold must be a score between 0 and 1")
        return float(manual)
    raise ValueError(f"unknown threshold rule {rule!r}: pick one of {', '.join(THRESHOLD_RULES)}")


def log_marker(x: float) -> tuple[float, float]:
    """Where a vertical line at threshold ``x`` sits on a log axis: the line takes the data value
    (at least :data:`LOG_FLOOR`), its label the log10 of that value (plotly places annotations on
    a log axis in log10 units).

    Returns
    -------
    (float, float)
        The line's x (a score) and its label's x (log10 of it).
    """
    x = max(float(x), LOG_FLOOR)
    return x, float(np.log10(x))


@dataclass(frozen=True)
class HeldOut:
    """Every handling's scores on the held-out week and the decisions of the chosen one.

    Attributes
    ----------
    test : pandas.DataFrame
        The held-out rows (:func:`playground.cases.fraud.static_split_scores`).
    handling : str
        The imbalance handling whose scores set the threshold (one of ``fraud.HANDLING``).
    rule : str
        How the threshold was set (one of :data:`THRESHOLD_RULES`).
    curves : dict
        Handling -> its ROC / PR curves (:func:`playground.cases.fraud.curves`).
    cost : playground.cases.fraud.CostCurve
        Cost curve of the chosen handling's scores ($ over the held-out week).
    threshold : float
        Decline when the score is at least this.
    confusion : dict
        Counts and rates at ``threshold`` (:func:`playground.cases.fraud.confusion_at`).
    cost_now, cost_half, cost_bayes : float
        Dollars over the week: at ``threshold``, at 0.5, and declining by the amount-aware rule
        (:func:`playground.cases.fraud.bayes_decline`; meaningful for calibrated scores only).
    sweep : pandas.DataFrame
        :func:`playground.cases.fraud.prevalence_sweep` of the chosen scores over :data:`RATE_SWEEP`.
    """

    test: pd.DataFrame
    handling: str
    rule: str
    curves: dict[str, fraud.Curves]
    cost: fraud.CostCurve
    threshold: float
    confusion: dict[str, float]
    cost_now: float
    cost_half: float
    cost_bayes: float
    sweep: pd.DataFrame

    @property
    def n(self) -> int:
        """Held-out transactions."""
        return len(self.test)

    @property
    def fraud_rate(self) -> float:
        """Share of held-out transactions that are fraud."""
        return float(self.test["fraud"].mean())

    @property
    def chosen(self) -> fraud.Curves:
        """Curves of the chosen handling's scores."""
        return self.curves[self.handling]

    @property
    def best_threshold(self) -> float:
        """The threshold of minimum expected cost (``inf``: approve everything)."""
        return float(self.cost.thresholds[self.cost.best])

    @property
    def legit(self) -> int:
        """Legitimate held-out transactions (FP + TN at any threshold)."""
        return int(self.confusion["fp"] + self.confusion["tn"])

    @property
    def declines_per_catch(self) -> float:
        """False declines per caught fraud at the threshold (``inf`` when nothing is caught)."""
        tp = self.confusion["tp"]
        return self.confusion["fp"] / tp if tp else float("inf")

    def per_1k(self, dollars):
        """``dollars`` over the held-out week expressed per 1,000 transactions (scalar or array)."""
        return 1000 * dollars / self.n

    @property
    def cost_per_1k(self) -> float:
        """$ per 1,000 transactions at the threshold."""
        return self.per_1k(self.cost_now)

    @property
    def half_per_1k(self) -> float:
        """$ per 1,000 transactions at threshold 0.5."""
        return self.per_1k(self.cost_half)

    @property
    def approve_all_per_1k(self) -> float:
        """$ per 1,000 transactions when everything is approved (every fraud charged back)."""
        return self.per_1k(float(self.cost.cost[0]))

    @property
    def bayes_per_1k(self) -> float:
        """$ per 1,000 transactions under the amount-aware rule."""
        return self.per_1k(self.cost_bayes)

    @property
    def half_excess_per_1k(self) -> float:
        """$ per 1,000 transactions that threshold 0.5 costs above the minimum."""
        return self.per_1k(self.cost_half - float(self.cost.cost[self.cost.best]))

    @property
    def half_is_costly(self) -> bool:
        """Whether threshold 0.5 costs more than :data:`HALF_SLACK` times the minimum."""
        return self.cost_half > HALF_SLACK * float(self.cost.cost[self.cost.best])

    @property
    def rarest(self) -> pd.Series:
        """The :attr:`sweep` row of the rarest fraud rate (``fraud rate``, ``ROC-AUC``, ``PR-AUC``)."""
        return self.sweep.iloc[int(self.sweep["fraud rate"].to_numpy().argmin())]

    @property
    def cost_axis_top(self) -> float:
        """Top of the cost chart's y axis ($ per 1k): 1.3 times the dearer of approving everything
        and threshold 0.5."""
        return 1.3 * self.per_1k(max(float(self.cost.cost[0]), self.cost_half))


def held_out(test: pd.DataFrame, scores: dict[str, np.ndarray], handling: str, friction: float, fee: float,
             rule: str, manual: float | None = None, rates=RATE_SWEEP) -> HeldOut:
    """Curves, costs and the threshold of the held-out week.

    Parameters
    ----------
    test, scores
        The held-out rows and each handling's scores (:func:`playground.cases.fraud.static_split_scores`).
    handling : str
        Whose scores set the threshold and the costs.
    friction : float
        Cost of a false decline ($).
    fee : float
        Chargeback fee on top of a missed fraud's amount ($).
    rule, manual
        How the threshold is set (:func:`choose_threshold`).
    rates : sequence of float
        Fraud rates for the prevalence sweep.
    """
    if handling not in scores:
        raise ValueError(f"no scores for the imbalance handling {handling!r}")
    y, amount = test["fraud"].to_numpy(), test["amount"].to_numpy()
    curves = {h: fraud.curves(y, s) for h, s in scores.items()}
    p = scores[handling]
    cost = fraud.cost_curve(y, p, amount, friction, fee)
    threshold = choose_threshold(cost, rule, manual)
    bayes = fraud.bayes_decline(p, amount, friction, fee).astype(float)
    return HeldOut(test, handling, rule, curves, cost, threshold, fraud.confusion_at(y, p, threshold),
                   fraud.cost_at(y, p, amount, threshold, friction, fee),
                   fraud.cost_at(y, p, amount, 0.5, friction, fee),
                   fraud.cost_at(y, bayes, amount, 0.5, friction, fee),
                   fraud.prevalence_sweep(y, p, rates))


def roc_points(c: fraud.Curves, keep: int = PLOT_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """The ROC curve to draw: (false-positive rate, recall) from the origin, thinned to ``keep``
    points (:func:`thin`) plus the origin."""
    i = thin(len(c.recall), keep)
    return np.r_[0.0, c.fpr[i]], np.r_[0.0, c.recall[i]]


def pr_points(c: fraud.Curves, keep: int = PLOT_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """The precision-recall curve to draw: (recall, precision), thinned to ``keep`` points."""
    i = thin(len(c.recall), keep)
    return c.recall[i], c.precision[i]


def cost_points(h: HeldOut, keep: int = PLOT_POINTS) -> pd.DataFrame:
    """The cost curve to draw on a log threshold axis, thinned to ``keep`` points.

    Returns
    -------
    pandas.DataFrame
        ``threshold`` (a score, at least :data:`LOG_FLOOR`; the ``inf`` of approving everything
        left out) and, in $ per 1,000 transactions, ``missed fraud``, ``false declines`` and
        ``cost`` (their sum).
    """
    cc = h.cost
    shown = np.zeros(len(cc.thresholds), dtype=bool)
    shown[thin(len(cc.thresholds), keep)] = True
    shown &= np.isfinite(cc.thresholds)
    return pd.DataFrame({"threshold": np.clip(cc.thresholds[shown], LOG_FLOOR, None),
                         "missed fraud": h.per_1k(cc.missed_fraud[shown]),
                         "false declines": h.per_1k(cc.friction[shown]),
                         "cost": h.per_1k(cc.cost[shown])})
