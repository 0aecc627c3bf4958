"""Lesson 6: guardrail metrics — a treatment that wins the primary metric can still not ship.

One simulated experiment reads a primary metric (click-through per user) and three guardrails
(page latency, unsubscribes, 7-day retention). Each read is a difference of means with a Wald
(unequal-variance z) interval, the same as ``statsmodels`` ``CompareMeans.zconfint_diff(usevar=
"unequal")``. A guardrail is a non-inferiority check: it passes only when the whole confidence
interval stays on the safe side of its margin (the harm the business tolerates); it is broken
when the harm is significant and its estimate exceeds the margin; anything else is unproven (the
test has too little power to rule the harm out, common for rare events such as unsubscribes).
The production rule: ship when the primary wins and no guardrail is broken, and name the unproven
ones in the launch review.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class MetricRead:
    """One metric of the experiment.

    Attributes
    ----------
    name : str
    unit : str
        What the control mean and the difference are measured in.
    higher_is_better : bool
    control, treatment : float
        Means per user in each arm.
    diff, lo, hi : float
        Treatment minus control and its two-sided CI, in ``unit``.
    margin : float or None
        Harm tolerated, as a fraction of the control mean (guardrails only; None for the primary).
    """

    name: str
    unit: str
    higher_is_better: bool
    control: float
    treatment: float
    diff: float
    lo: float
    hi: float
    margin: float | None

    @property
    def relative(self) -> float:
        """Relative change ``diff / control``."""
        return self.diff / self.control

    @property
    def worst(self) -> float:
        """The end of the CI in the harmful direction, relative to the control mean."""
        return (self.lo if self.higher_is_better else self.hi) / self.control

    @property
    def status(self) -> str:
        """``win``/``loss``/``flat`` for the primary; ``pass``/``broken``/``unproven`` for a guardrail."""
        if self.margin is None:
            if (self.lo > 0) == self.higher_is_better and (self.lo > 0 or self.hi < 0):
                return "win"
            return "loss" if self.lo > 0 or self.hi < 0 else "flat"
        harm = -self.worst if self.higher_is_better else self.worst
        if harm <= self.margin:
            return "pass"
        point_harm = -self.relative if self.higher_is_better else self.relative
        significant = (self.hi < 0) if self.higher_is_better else (self.lo > 0)
        return "broken" if point_harm > self.margin and significant else "unproven"


def read_means(name: str, unit: str, control: np.ndarray, treatment: np.ndarray, higher_is_better: bool,
               margin: float | None = None, alpha: float = 0.05) -> MetricRead:
    """Difference in means with the unequal-variance z interval ``d ± z_{1-α/2} sqrt(s_c²/n_c + s_t²/n_t)``."""
    control, treatment = np.asarray(control, float), np.asarray(treatment, float)
    if control.size < 2 or treatment.size < 2:
        raise ValueError("each arm needs at least two users")
    d = treatment.mean() - control.mean()
    se = np.sqrt(control.var(ddof=1) / control.size + treatment.var(ddof=1) / treatment.size)
    z = stats.norm.isf(alpha / 2)
    return MetricRead(name, unit, higher_is_better, float(control.mean()), float(treatment.mean()),
                      float(d), float(d - z * se), float(d + z * se), margin)


@dataclass(frozen=True)
class LaunchReview:
    """The primary metric, the guardrails and the decision with and without them."""

    primary: MetricRead
    guardrails: tuple[MetricRead, ...]

    @property
    def ships_primary_only(self) -> bool:
        """The naive rule: ship whenever the primary metric wins."""
        return self.primary.status == "win"

    @property
    def ships(self) -> bool:
        """The production rule: the primary wins and no guardrail is broken."""
        return self.ships_primary_only and not self.broken

    @property
    def broken(self) -> list[MetricRead]:
        """Guardrails with a significant harm beyond their margin."""
        return [g for g in self.guardrails if g.status == "broken"]

    @property
    def unproven(self) -> list[MetricRead]:
        """Guardrails whose interval cannot rule out a harm beyond the margin."""
        return [g for g in self.guardrails if g.status == "unproven"]

    def table(self) -> pd.DataFrame:
        rows = [(m.name, m.unit, m.control, m.treatment, m.relative, m.lo / m.control, m.hi / m.control,
                 m.margin, m.status) for m in (self.primary, *self.guardrails)]
        return pd.DataFrame(rows, columns=["metric", "unit", "control", "treatment", "relative change",
                                           "CI low (rel.)", "CI high (rel.)", "harm tolerated", "status"])


def simulate_launch(n_per_arm: int = 50_000, ctr_lift: float = 0.04, latency_ms: float = 30.0,
                    unsub_lift: float = 0.0, retention_lift: float = 0.0, latency_margin: float = 0.05,
                    unsub_margin: float = 0.10, retention_margin: float = 0.01, alpha: float = 0.05,
                    seed: int = 0) -> LaunchReview:
    """Simulate one experiment of a heavier ranking model and review it against its guardrails.

    Per user: clicks ~ Poisson(2 × (1 + ctr_lift)) over ~20 impressions (primary, higher is
    better); mean page latency ~ Gamma with mean 200 ms (+ ``latency_ms`` in treatment, lower is
    better); unsubscribed ~ Bernoulli(0.5 % × (1 + unsub_lift)); retained at day 7 ~
    Bernoulli(40 % × (1 + retention_lift)).

    Parameters
    ----------
    n_per_arm : int
        Users per arm (100 … 1 000 000).
    ctr_lift, unsub_lift, retention_lift : float
        True relative changes of the treatment.
    latency_ms : float
        Latency the treatment adds to every page (ms).
    latency_margin, unsub_margin, retention_margin : float
        Harm each guardrail tolerates, as a fraction of the control mean.
    alpha : float
        Two-sided level of every interval.
    seed : int
        Random seed.
    """
    if not 100 <= n_per_arm <= 1_000_000:
        raise ValueError(f"users per arm must be between 100 and 1,000,000 (got {n_per_arm})")
    if min(latency_margin, unsub_margin, retention_margin) < 0:
        raise ValueError("a guardrail margin is a harm tolerated: it cannot be negative")
    if not 0 < 0.4 * (1 + retention_lift) < 1 or not 0 < 0.005 * (1 + unsub_lift) < 1:
        raise ValueError("the retention and unsubscribe rates must stay between 0 and 1")
    if ctr_lift <= -1 or 200 + latency_ms <= 0:
        raise ValueError("clicks and latency must stay positive")
    rng = np.random.default_rng(seed)
    shape = 4.0  # latency spread: sd = mean / 2

    def arm(treated: bool):
        clicks = rng.poisson(2.0 * (1 + ctr_lift * treated), n_per_arm)
        latency = rng.gamma(shape, (200.0 + latency_ms * treated) / shape, n_per_arm)
        unsub = rng.random(n_per_arm) < 0.005 * (1 + unsub_lift * treated)
        retained = rng.random(n_per_arm) < 0.4 * (1 + retention_lift * treated)
        return clicks, latency, unsub, retained

    c, t = arm(False), arm(True)
    primary = read_means("clicks per user", "clicks", c[0], t[0], True, None, alpha)
    guards = (read_means("page latency", "ms", c[1], t[1], False, latency_margin, alpha),
              read_means("unsubscribe rate", "share of users", c[2], t[2], False, unsub_margin, alpha),
              read_means("7-day retention", "share of users", c[3], t[3], True, retention_margin, alpha))
    return LaunchReview(primary, guards)
