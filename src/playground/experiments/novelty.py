"""Lesson 6: a novelty effect, a lift that decays to its steady state, read daily and cumulatively.

Existing users (who had the old experience) are separated from users who joined during the test.
Rates are probabilities per user-day (0 … 1); lifts are relative (difference / control rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
import pandas as pd

from playground.experiments.power import check_rate, diff_ci


def novelty_lift(day, steady_lift: float, novelty_lift: float, half_life: float):
    """True relative lift for existing users on ``day`` (0 = launch day).

    ``lift(t) = steady + novelty * 0.5 ** (t / half_life)``; users who join during the test never
    saw the old experience and get ``steady`` only.
    """
    if half_life <= 0:
        raise ValueError(f"half-life must be positive (got {half_life:g} days)")
    return steady_lift + novelty_lift * 0.5 ** (np.asarray(day, dtype=float) / half_life)


@dataclass(frozen=True)
class NoveltyResult:
    """Daily and cumulative reads of a test with a novelty effect.

    ``daily`` has one row per day and segment (``all``, ``existing``, ``new``) with users and
    conversions per arm, the true relative lift, the estimated relative lift and its CI. ``cumulative``
    has one row per day: the read a team would make if it stopped that day (all users so far).
    """

    daily: pd.DataFrame
    cumulative: pd.DataFrame
    steady_lift: float
    baseline: float
    alpha: float = 0.05

    def segment_read(self, segment: str) -> pd.Series:
        """The whole test pooled over days for one segment (``all``, ``existing`` or ``new``):
        users, conversions, relative lift and its CI."""
        rows = self.daily[self.daily.segment == segment]
        if rows.empty:
            raise ValueError(f"no segment called {segment!r}")
        pooled = rows[["n_c", "conv_c", "n_t", "conv_t"]].sum().to_frame().T
        return _with_lift(pooled, self.alpha).iloc[0]

    def stop_read(self, day: int) -> pd.Series:
        """The cumulative read after ``day`` days (1-based: ``day=3`` uses days 1–3)."""
        if not 1 <= day <= len(self.cumulative):
            raise ValueError(f"stop day must be between 1 and {len(self.cumulative)} (got {day})")
        return self.cumulative.iloc[day - 1]

    def readable(self, day: int) -> bool:
        """Whether the read after ``day`` days has a lift and a CI (some control conversions)."""
        return bool(np.isfinite(self.stop_read(day).lift_hi))

    def arm_totals(self) -> list[int]:
        """Users in (control, treatment) over the whole test."""
        last = self.cumulative.iloc[-1]
        return [int(last.n_c), int(last.n_t)]


class StopRead(Enum):
    """How an early read compares with the steady-state lift (see :func:`judge_stop_read`)."""

    NOVELTY_WIN = "novelty_win"
    """Significant, and the whole CI lies above the steady state: the novelty ships as the win."""
    PRIMACY = "primacy"
    """The whole CI lies below the steady state: stopping now kills a change that works."""
    CONSISTENT = "consistent"
    """The point read is within its CI half-width (upper side) of the steady state."""
    OFF = "off"
    """Neither: off the steady state by more than the CI half-width, but not cleanly."""


def judge_stop_read(read: pd.Series, steady_lift: float) -> StopRead:
    """Compare a read (``lift``, ``lift_lo``, ``lift_hi``, ``significant``: a row of
    :meth:`NoveltyResult.stop_read`) with the true steady-state relative lift."""
    if read.significant and read.lift_lo > steady_lift:
        return StopRead.NOVELTY_WIN
    if read.lift_hi < steady_lift:
        return StopRead.PRIMACY
    if abs(read.lift - steady_lift) < max(read.lift_hi - read.lift, 1e-9):
        return StopRead.CONSISTENT
    return StopRead.OFF


def simulate_novelty(days: int = 28, baseline: float = 0.10, steady_lift: float = 0.02,
                     novelty: float = 0.15, half_life: float = 3.0, existing_users: int = 40_000,
                     return_rate: float = 0.5, new_per_day: int = 2_000, allocation: float = 0.5,
                     alpha: float = 0.05, seed: int = 0) -> NoveltyResult:
    """Simulate a test whose lift among existing users starts high and decays.

    Each day a share ``return_rate`` of the ``existing_users`` comes back, ``new_per_day`` users
    join, and each earlier joiner returns with probability ``return_rate``. Every active user is
    assigned to treatment with probability ``allocation`` and converts (once per day) with
    probability ``baseline`` in control or ``baseline * (1 + lift)`` in treatment, where the lift
    is :func:`novelty_lift` for existing users and ``steady_lift`` for joiners.

    Parameters
    ----------
    days : int
        Length of the test in days.
    baseline : float
        Control conversion rate per user-day.
    steady_lift : float
        Long-run relative lift (0.01 = +1 %).
    novelty : float
        Extra relative lift on launch day among existing users, halving every ``half_life`` days.
    half_life : float
        Days for the novelty part of the lift to halve.
    existing_users : int
        Users who had the old experience before launch.
    return_rate : float
        Daily probability that a user comes back (0 … 1).
    new_per_day : int
        Users joining per day.
    allocation : float
        Treatment share.
    alpha : float
        Two-sided level of the confidence intervals.
    seed : int
        Random seed.
    """
    if not 1 <= days <= 365:
        raise ValueError(f"days must be between 1 and 365 (got {days})")
    check_rate("baseline", baseline)
    if not 0.0 <= return_rate <= 1.0 or not 0.0 < allocation < 1.0:
        raise ValueError("return rate must be in [0, 1] and allocation in (0, 1)")
    if existing_users < 0 or new_per_day < 0 or existing_users + new_per_day == 0:
        raise ValueError("the test needs some users: existing users and joiners cannot both be 0")
    t = np.arange(days)
    lift_existing = novelty_lift(t, steady_lift, novelty, half_life)
    p_t_existing = baseline * (1 + lift_existing)
    p_t_new = baseline * (1 + steady_lift)
    if np.any(p_t_existing >= 1) or np.any(p_t_existing <= 0) or not 0 < p_t_new < 1:
        raise ValueError("baseline × (1 + lift) must stay a rate between 0 and 1; lower the lift")
    rng = np.random.default_rng(seed)
    rows = []
    joined = 0
    for day in range(days):
        active = {"existing": rng.binomial(existing_users, return_rate),
                  "new": new_per_day + rng.binomial(joined, return_rate)}
        joined += new_per_day
        for seg, n in active.items():
            n_t = rng.binomial(n, allocation)
            n_c = n - n_t
            pt = p_t_existing[day] if seg == "existing" else p_t_new
            rows.append((day + 1, seg, n_c, rng.binomial(n_c, baseline), n_t, rng.binomial(n_t, pt),
                         lift_existing[day] if seg == "existing" else steady_lift))
    seg_df = pd.DataFrame(rows, columns=["day", "segment", "n_c", "conv_c", "n_t", "conv_t", "true_lift"])
    both = seg_df.groupby("day", as_index=False)[["n_c", "conv_c", "n_t", "conv_t"]].sum()
    # the true lift of the mixture: expected extra conversions over expected control conversions
    merged = seg_df.assign(w=(seg_df.n_t) * seg_df.true_lift)
    both["true_lift"] = merged.groupby("day")["w"].sum().to_numpy() / np.maximum(both.n_t.to_numpy(), 1)
    both["segment"] = "all"
    daily = pd.concat([both, seg_df], ignore_index=True)
    daily = _with_lift(daily, alpha)
    cum = both[["day"]].copy()
    for col in ("n_c", "conv_c", "n_t", "conv_t"):
        cum[col] = both[col].cumsum()
    cum["true_lift"] = (both.true_lift * both.n_t).cumsum() / np.maximum(cum.n_t, 1)
    cum = _with_lift(cum, alpha)
    return NoveltyResult(daily, cum, steady_lift, baseline, alpha)


def _with_lift(df: pd.DataFrame, alpha: float) -> pd.DataFrame:
    d, lo, hi = diff_ci(df.conv_c, df.n_c, df.conv_t, df.n_t, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        pc = df.conv_c.to_numpy() / df.n_c.to_numpy()
    out = df.copy()
    with np.errstate(divide="ignore", invalid="ignore"):  # no control conversions: NaN lift
        out["lift"] = np.where(pc > 0, d / pc, np.nan)
        out["lift_lo"] = np.where(pc > 0, lo / pc, np.nan)
        out["lift_hi"] = np.where(pc > 0, hi / pc, np.nan)
    out["significant"] = (lo > 0) | (hi < 0)
    return out
