"""Lesson 1: the objective you rank by decides what the feed becomes.

A synthetic video feed. Users and items have latent tastes (their dot product is the affinity);
items also have a *quality* (how satisfied a viewer is after watching), a *click-bait propensity*
(a thumbnail that draws clicks and disappoints) and a length in minutes. Each simulated week every
active user is shown a feed of ``k`` items ranked by the chosen objective; clicks, watch minutes,
satisfaction and survey answers are drawn from the true model; users churn when their week was
unsatisfying. The ranker **learns** from what it logs: each item's click, watch and survey
offsets are estimated from observed vs expected outcomes, so a click-bait item that over-performs
on clicks is promoted week after week (the feedback loop).

The proxy (CTR, watch minutes) is what the objective optimises; the business metric is long-term
retention (share of users still active) and the satisfaction of their sessions.

True model (user ``u``, item ``i``, affinity ``a = 2 x_u·y_i``)::

    P(click)          = σ(c0 + a + γ · s_u · b_i)          s_u: user's bait susceptibility
    watch | click     = L_i · σ(0.5 + a + 0.5 q_i − 2 b_i)   minutes
    satisfaction      = q_i + a − β · b_i + ε                per clicked item
    P(churn in week)  = σ(h0 − h1 · S_u)                     S_u: satisfaction summed over the week's clicks
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from scipy.special import expit


class Objective(StrEnum):
    """What the feed ranks by (values: what share links and presets carry, kept as they were so
    old links still open; show :data:`OBJECTIVE_LABELS`)."""

    CTR = "CTR (clicks)"
    WATCH = "Watch time"
    SURVEY = "Satisfaction survey"
    WEIGHTED = "Weighted multi-objective"


class Business(StrEnum):
    """The business metric (north star) the ranking is judged by (values: what links carry)."""

    RETENTION = "Retention"
    SATISFACTION = "Satisfaction per user"


OBJECTIVES: dict[Objective, tuple[float, float, float]] = {
    Objective.CTR: (1.0, 0.0, 0.0),
    Objective.WATCH: (0.0, 1.0, 0.0),
    Objective.SURVEY: (0.0, 0.0, 1.0),
    Objective.WEIGHTED: (0.0, 0.0, 0.0),  # weights come from the learner
}
OBJECTIVE_LABELS: dict[Objective, str] = {o: o.value for o in Objective}
SIGNALS = ("click", "watch", "survey")
BUSINESS: tuple[Business, ...] = tuple(Business)
BUSINESS_LABELS: dict[Business, str] = {b: b.value for b in Business}


@dataclass(frozen=True)
class World:
    """The simulated users and items (all arrays fixed by the seed).

    Attributes
    ----------
    affinity : ndarray (n_users, n_items)
        True taste match ``a_ui`` (logit units).
    quality : ndarray (n_items,)
        Satisfaction an average viewer gets from the item.
    bait : ndarray (n_items,)
        Click-bait propensity in [0, 1].
    length : ndarray (n_items,)
        Item length in minutes.
    susceptibility : ndarray (n_users,)
        How strongly a user's clicks respond to click-bait (≥ 0).
    """

    affinity: np.ndarray
    quality: np.ndarray
    bait: np.ndarray
    length: np.ndarray
    susceptibility: np.ndarray

    @property
    def n_users(self) -> int:
        """Number of users."""
        return self.affinity.shape[0]

    @property
    def n_items(self) -> int:
        """Number of items."""
        return self.affinity.shape[1]


def make_world(n_users: int = 1000, n_items: int = 200, dim: int = 8, seed: int = 0) -> World:
    """Draw users and items.

    Click-bait is made slightly *negatively* correlated with quality (bait is what poor content
    uses to get clicked), and length is independent of both.
    """
    if n_users < 10 or n_items < 20:
        raise ValueError("the feed needs at least 10 users and 20 items")
    rng = np.random.default_rng(seed)
    users = rng.normal(0, 1 / np.sqrt(dim), (n_users, dim))
    items = rng.normal(0, 1 / np.sqrt(dim), (n_items, dim))
    affinity = 2.0 * users @ items.T
    quality = rng.normal(0, 1, n_items)
    bait = expit(rng.normal(-1.2, 1.2, n_items) - 0.6 * quality)
    length = np.exp(rng.normal(np.log(6.0), 0.6, n_items))
    susceptibility = rng.gamma(2.0, 0.5, n_users)
    return World(affinity, quality, bait, length, susceptibility)


@dataclass(frozen=True)
class Behaviour:
    """Parameters of the true user behaviour.

    Attributes
    ----------
    ctr_base : float
        Click intercept ``c0`` (logit).
    bait_pull : float
        ``γ``: how much click-bait raises the click logit.
    bait_regret : float
        ``β``: satisfaction lost per unit of click-bait after clicking.
    churn_base : float
        ``h0``: churn logit of a user whose week had zero satisfaction.
    churn_sensitivity : float
        ``h1``: how much a unit of weekly satisfaction lowers the churn logit.
    survey_rate : float
        Probability that a click is followed by an answered survey.
    satisfaction_noise : float
        Standard deviation of the per-click satisfaction noise.
    """

    ctr_base: float = -2.5
    bait_pull: float = 3.0
    bait_regret: float = 3.0
    churn_base: float = -2.0
    churn_sensitivity: float = 1.0
    survey_rate: float = 0.1
    satisfaction_noise: float = 0.5

    def click_prob(self, world: World) -> np.ndarray:
        """True P(click | shown), shape (n_users, n_items)."""
        return expit(self.ctr_base + world.affinity
                     + self.bait_pull * world.susceptibility[:, None] * world.bait[None, :])

    def watch_minutes(self, world: World) -> np.ndarray:
        """Expected minutes watched given a click, shape (n_users, n_items)."""
        return world.length * expit(0.5 + world.affinity + 0.5 * world.quality - 2.0 * world.bait)

    def satisfaction(self, world: World) -> np.ndarray:
        """Expected satisfaction given a click, shape (n_users, n_items)."""
        return world.quality + world.affinity - self.bait_regret * world.bait

    def churn_prob(self, weekly_satisfaction: np.ndarray) -> np.ndarray:
        """P(user churns at the end of the week) given the week's summed satisfaction."""
        return expit(self.churn_base - self.churn_sensitivity * weekly_satisfaction)


def weights_for(objective: Objective, custom: tuple[float, float, float]) -> tuple[float, float, float]:
    """The (click, watch, survey) weights the feed ranks by: the objective's own, or ``custom``
    (the learner's) for the weighted multi-objective. Not normalised (see :func:`validate_weights`)."""
    return tuple(custom) if objective == Objective.WEIGHTED else tuple(OBJECTIVES[objective])


def validate_weights(weights) -> np.ndarray:
    """Objective weights (click, watch, survey) as an array; raises if they are unusable."""
    w = np.asarray(weights, dtype=float)
    if w.shape != (3,) or not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("objective weights must be three non-negative numbers (clicks, watch, survey)")
    if w.sum() <= 0:
        raise ValueError("at least one objective weight must be above zero: the feed needs "
                         "something to rank by")
    return w / w.sum()


def standardise(x: np.ndarray) -> np.ndarray:
    """``(x − mean) / std`` over the whole array (a constant array maps to zeros)."""
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` highest scores in each row (order within the k not defined)."""
    if not 1 <= k <= scores.shape[1]:
        raise ValueError(f"feed size k ({k}) must be between 1 and the number of items ({scores.shape[1]})")
    return np.argpartition(-scores, k - 1, axis=1)[:, :k]


def ratio_offset(observed: np.ndarray, expected: np.ndarray, prior: float) -> np.ndarray:
    """Learned item offset ``log((observed + prior) / (expected + prior))``.

    The ranker's model knows the affinity; what it learns per item is how much the item beats
    (offset > 0) or misses (offset < 0) what affinity alone predicts. ``prior`` pseudo-counts keep
    an unseen item at 0.
    """
    return np.log((observed + prior) / (expected + prior))


def shrunk_mean(total: np.ndarray, count: np.ndarray, prior: float) -> np.ndarray:
    """Posterior mean of an item effect with a zero-mean prior worth ``prior`` answers."""
    return total / (count + prior)


@dataclass(frozen=True)
class Run:
    """One simulated feed over time.

    ``weekly`` has one row per week with columns ``week``, ``active`` (users at the start),
    ``ctr``, ``watch_per_user`` (minutes per active user), ``sat_per_click``, ``sat_per_user``,
    ``bait_share`` (mean click-bait of shown items), ``length_shown`` (mean length of shown items,
    minutes), ``retention`` (share of all users still active at the end of the week).
    """

    weekly: pd.DataFrame
    weights: tuple[float, float, float]

    @property
    def retention(self) -> float:
        """Share of the users still active after the last week (the business metric)."""
        return float(self.weekly["retention"].iloc[-1])

    @property
    def ctr(self) -> float:
        """Impression-weighted CTR over the whole run (the proxy)."""
        w = self.weekly
        return float((w["ctr"] * w["active"]).sum() / w["active"].sum())

    @property
    def watch(self) -> float:
        """Watch minutes per active user per week, averaged over the run."""
        w = self.weekly
        return float((w["watch_per_user"] * w["active"]).sum() / w["active"].sum())

    @property
    def satisfaction(self) -> float:
        """Satisfaction per original user per week (churned users count as zero)."""
        w = self.weekly
        return float((w["sat_per_user"] * w["active"]).sum() / (w["active"].iloc[0] * len(w)))

    def business(self, name: str) -> float:
        """The business metric called ``name`` (one of :data:`BUSINESS`)."""
        if name == Business.RETENTION:
            return self.retention
        if name == Business.SATISFACTION:
            return self.satisfaction
        raise ValueError(f"unknown business metric {name!r}")


RETENTION_TOLERANCE = 0.05
"""A run keeps its users when its retention is at most this far (share of all users) below the
production blend's."""


@dataclass(frozen=True)
class Verdict:
    """The one verdict the page states about a run, against the production blend.

    Attributes
    ----------
    keeps_users : bool
        Retention within :data:`RETENTION_TOLERANCE` of the production blend's (green); otherwise
        the business shrinks (red), whatever the proxy does.
    proxy_first, proxy_last : float
        The proxy in the first and the last week with data (its own unit: a share or minutes).
    gap : float
        Production's retention minus the run's (share of all users; positive: the run loses more).
    """

    keeps_users: bool
    proxy_first: float
    proxy_last: float
    gap: float

    @property
    def proxy_climbs(self) -> bool:
        """The dashboard's number went up over the run."""
        return self.proxy_last > self.proxy_first


def judge(run: Run, production: Run, proxy_column: str, tolerance: float = RETENTION_TOLERANCE) -> Verdict:
    """The verdict on ``run``: one colour, decided by retention alone (the business metric), so a
    rising proxy can never be reported as good news next to users leaving. ``proxy_column`` is a
    column of ``run.weekly`` (``"ctr"``, ``"watch_per_user"``)."""
    weekly = run.weekly.dropna()
    gap = production.retention - run.retention
    return Verdict(gap <= tolerance, float(run.weekly[proxy_column].iloc[0]), float(weekly[proxy_column].iloc[-1]),
                   float(gap))


def simulate(world: World, behaviour: Behaviour, weights, weeks: int = 12, k: int = 10,
             seed: int = 0, prior: float = 5.0) -> Run:
    """Run the feed for ``weeks`` weeks with the ranker optimising ``weights``.

    Parameters
    ----------
    world, behaviour
        The simulated users/items and their true behaviour.
    weights : 3 numbers
        Weights on the standardised predicted (click, watch, survey) of each item; normalised to
        sum to one.
    weeks : int
        Simulated weeks (one feed of ``k`` items per active user per week).
    k : int
        Feed size.
    seed : int
        Seed of the weekly draws (clicks, watches, surveys, churn). Two runs with the same seed
        face the same random numbers, so objectives are compared on the same users.
    prior : float
        Pseudo-count that keeps the ranker's learned item offsets near zero until data arrives.
    """
    w = validate_weights(weights)
    if not 1 <= weeks <= 104:
        raise ValueError(f"weeks ({weeks}) must be between 1 and 104")
    top_k(world.affinity[:1], k)  # validates k
    rng = np.random.default_rng(seed)
    n_users, n_items = world.affinity.shape
    f32 = np.float32
    aff_all = world.affinity.astype(f32)
    p_true = behaviour.click_prob(world).astype(f32)
    watch_true = behaviour.watch_minutes(world).astype(f32)
    sat_true = behaviour.satisfaction(world).astype(f32)
    # What the ranker's model predicts from affinity alone (it does not see quality or bait).
    base_logit = (behaviour.ctr_base + aff_all).astype(f32)
    p_base = expit(base_logit)
    watch_base = (world.length * expit(0.5 + world.affinity)).astype(f32)
    obs = {s: np.zeros(n_items) for s in ("clicks", "exp_clicks", "watch", "exp_watch", "sat", "answers")}
    active = np.ones(n_users, dtype=bool)
    rows = []
    for week in range(weeks):
        users = np.flatnonzero(active)
        n_active = users.size
        if n_active == 0:
            rows.append(dict(week=week + 1, active=0, ctr=np.nan, watch_per_user=np.nan,
                             sat_per_click=np.nan, sat_per_user=np.nan, bait_share=np.nan,
                             length_shown=np.nan, retention=0.0))
            continue
        pick = slice(None) if n_active == n_users else users
        click_off = ratio_offset(obs["clicks"], obs["exp_clicks"], prior).astype(f32)
        score = np.zeros((n_active, n_items), dtype=f32)
        if w[0] or w[1]:
            p_hat = expit(base_logit[pick] + click_off)
        if w[0]:
            score += f32(w[0]) * standardise(p_hat)
        if w[1]:
            watch_off = ratio_offset(obs["watch"], obs["exp_watch"], prior).astype(f32)
            score += f32(w[1]) * standardise(p_hat * watch_base[pick] * np.exp(watch_off))
        if w[2]:
            sat_hat = shrunk_mean(obs["sat"], obs["answers"], prior).astype(f32)
            score += f32(w[2]) * standardise(aff_all[pick] + sat_hat)
        shown = top_k(score, k)
        rows_idx = users[:, None]
        p = p_true[rows_idx, shown]
        aff_shown = aff_all[rows_idx, shown]
        clicks = rng.random(p.shape) < p
        minutes = clicks * watch_true[rows_idx, shown]
        sat = clicks * (sat_true[rows_idx, shown]
                        + rng.normal(0, behaviour.satisfaction_noise, p.shape))
        answered = clicks & (rng.random(p.shape) < behaviour.survey_rate)
        # the ranker logs outcomes against what affinity alone predicted
        flat = shown.ravel()
        obs["clicks"] += np.bincount(flat, clicks.ravel(), n_items)
        obs["exp_clicks"] += np.bincount(flat, p_base[rows_idx, shown].ravel(), n_items)
        obs["watch"] += np.bincount(flat, minutes.ravel(), n_items)
        obs["exp_watch"] += np.bincount(flat, (clicks * watch_base[rows_idx, shown]).ravel(), n_items)
        obs["sat"] += np.bincount(flat, (answered * (sat - aff_shown)).ravel(), n_items)
        obs["answers"] += np.bincount(flat, answered.ravel(), n_items)
        weekly_sat = sat.sum(axis=1)
        churn = rng.random(n_active) < behaviour.churn_prob(weekly_sat)
        active[users[churn]] = False
        n_clicks = clicks.sum()
        rows.append(dict(
            week=week + 1, active=n_active, ctr=n_clicks / clicks.size,
            watch_per_user=minutes.sum() / n_active,
            sat_per_click=sat.sum() / n_clicks if n_clicks else np.nan,
            sat_per_user=weekly_sat.mean(), bait_share=float(world.bait[shown].mean()),
            length_shown=float(world.length[shown].mean()),
            retention=active.mean(),
        ))
    return Run(pd.DataFrame(rows), tuple(float(x) for x in w))


def weight_grid(step: float = 0.25) -> list[tuple[float, float, float]]:
    """All (click, watch, survey) weights on the simplex with the given step."""
    n = round(1 / step)
    if not np.isclose(n * step, 1.0) or n < 1:
        raise ValueError("the grid step must divide 1 (e.g. 0.25, 0.2, 0.1)")
    return [(i / n, j / n, (n - i - j) / n) for i in range(n + 1) for j in range(n + 1 - i)]


def pareto_mask(proxy: np.ndarray, business: np.ndarray) -> np.ndarray:
    """True for the points no other point beats on both axes (higher is better on both)."""
    x, y = np.asarray(proxy, float), np.asarray(business, float)
    order = np.lexsort((-y, -x))  # by proxy descending, ties by business descending
    mask = np.zeros(x.size, dtype=bool)
    best = -np.inf
    for i in order:
        if y[i] > best:
            mask[i] = True
            best = y[i]
    return mask


def frontier(world: World, behaviour: Behaviour, weeks: int, k: int, seed: int,
             step: float = 0.25) -> pd.DataFrame:
    """Simulate every weight on the grid; one row per weight with its proxy and business metrics."""
    rows = []
    for weights in weight_grid(step):
        run = simulate(world, behaviour, weights, weeks=weeks, k=k, seed=seed)
        rows.append(dict(w_click=weights[0], w_watch=weights[1], w_survey=weights[2], ctr=run.ctr,
                         watch=run.watch, retention=run.retention, satisfaction=run.satisfaction))
    table = pd.DataFrame(rows)
    return table
