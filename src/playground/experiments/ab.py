"""Lesson 6: online A/B testing, the parts that decide whether a "win" is real.

* Power and duration of a two-proportion test (normal approximation, unpooled variance).
* A novelty effect: a lift that decays to its steady state, read daily and cumulatively, with
  existing users (who had the old experience) separated from users who joined during the test.
* Peeking: repeated significance tests on A/A experiments vs an O'Brien–Fleming (Lan–DeMets)
  alpha-spending boundary.
* CUPED: variance reduction with a pre-period covariate.
* Sample-ratio mismatch (chi-square goodness of fit on the observed split).

All rates are probabilities per user-day (0 … 1); lifts are either absolute (difference in rate)
or relative (difference / control rate), as each function says.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats


# ---------------------------------------------------------------------------------------------
# Power and sample size
# ---------------------------------------------------------------------------------------------


def _check_rate(name: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be a rate strictly between 0 and 1 (got {value:g})")


def _check_alpha_power(alpha: float, power: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1 (got {alpha:g})")
    if not 0.0 < power < 1.0:
        raise ValueError(f"power must be between 0 and 1 (got {power:g})")


def treatment_rate(baseline: float, mde: float, relative: bool = False) -> float:
    """Conversion rate of the treatment arm implied by a minimum detectable effect.

    Parameters
    ----------
    baseline : float
        Control conversion rate (0 … 1).
    mde : float
        Minimum detectable effect: an absolute difference in rate (``relative=False``), or a
        fraction of the baseline (``relative=True``, 0.05 = +5 %).
    relative : bool
        How ``mde`` is expressed.

    Returns
    -------
    float
        The treatment rate ``baseline + mde`` or ``baseline * (1 + mde)``.
    """
    _check_rate("baseline", baseline)
    if mde == 0:
        raise ValueError("the minimum detectable effect cannot be 0: no sample size detects no change")
    p2 = baseline * (1 + mde) if relative else baseline + mde
    if not 0.0 < p2 < 1.0:
        raise ValueError(f"baseline {baseline:g} with an effect of {mde:g}"
                         f"{' (relative)' if relative else ''} gives a treatment rate of {p2:.4g}, "
                         "outside 0 … 1")
    return p2


def sample_size_per_arm(baseline: float, mde: float, alpha: float = 0.05, power: float = 0.8,
                        relative: bool = False, ratio: float = 1.0) -> int:
    """Users needed in the control arm of a two-sided two-proportion z-test.

    Normal approximation with unpooled variances::

        n_c = (z_{1-alpha/2} + z_{power})^2 * (p1 (1 - p1) + p2 (1 - p2) / ratio) / (p2 - p1)^2

    and the treatment arm needs ``ratio * n_c`` users (``ratio = 1`` for a 50/50 split, where the
    result is the familiar "n per arm").

    Parameters
    ----------
    baseline : float
        Control conversion rate p1 (0 … 1), e.g. 0.10.
    mde : float
        Minimum detectable effect, absolute (0.01 = one percentage point) or relative to the
        baseline when ``relative=True`` (0.05 = +5 %). Its sign does not matter.
    alpha : float
        Two-sided false-positive rate.
    power : float
        Probability of detecting an effect of size ``mde``.
    relative : bool
        Whether ``mde`` is relative to the baseline.
    ratio : float
        Treatment users per control user (allocation share a gives ``ratio = a / (1 - a)``).

    Returns
    -------
    int
        Control-arm users, rounded up.

    Examples
    --------
    >>> sample_size_per_arm(0.10, 0.01)
    14749
    """
    _check_alpha_power(alpha, power)
    if ratio <= 0:
        raise ValueError(f"ratio must be positive (got {ratio:g})")
    p1 = baseline
    p2 = treatment_rate(baseline, mde, relative)
    z = stats.norm.isf(alpha / 2) + stats.norm.ppf(power)
    n = z**2 * (p1 * (1 - p1) + p2 * (1 - p2) / ratio) / (p2 - p1) ** 2
    return int(np.ceil(n - 1e-9))


def power_two_proportions(baseline: float, mde, n_per_arm, alpha: float = 0.05,
                          relative: bool = False, ratio: float = 1.0):
    """Power of the two-sided two-proportion z-test (both tails counted).

    Parameters
    ----------
    baseline : float
        Control conversion rate.
    mde : float or array
        True effect, absolute or relative (see :func:`treatment_rate`).
    n_per_arm : float or array
        Control-arm users; the treatment arm has ``ratio`` times as many.
    alpha : float
        Two-sided significance level.
    relative, ratio :
        As in :func:`sample_size_per_arm`.

    Returns
    -------
    float or ndarray
        Probability of rejecting the null, broadcast over ``mde`` and ``n_per_arm``.
    """
    _check_rate("baseline", baseline)
    mde = np.asarray(mde, dtype=float)
    n1 = np.asarray(n_per_arm, dtype=float)
    p1 = baseline
    p2 = baseline * (1 + mde) if relative else baseline + mde
    p2 = np.clip(p2, 1e-12, 1 - 1e-12)
    se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / (ratio * n1))
    shift = np.abs(p2 - p1) / se
    z = stats.norm.isf(alpha / 2)
    out = stats.norm.cdf(shift - z) + stats.norm.cdf(-shift - z)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class PowerPlan:
    """Sample size and duration of a test.

    Attributes
    ----------
    p_control, p_treatment : float
        Rates under the alternative.
    n_control, n_treatment, n_total : int
        Users per arm and in total.
    days : int
        Days of traffic needed (whole days).
    daily_in_test : float
        Users entering the test per day.
    """

    p_control: float
    p_treatment: float
    n_control: int
    n_treatment: int
    n_total: int
    days: int
    daily_in_test: float


def plan(baseline: float, mde: float, alpha: float = 0.05, power: float = 0.8,
         relative: bool = False, daily_traffic: float = 10_000, allocation: float = 0.5,
         exposure: float = 1.0, variance_factor: float = 1.0) -> PowerPlan:
    """Sample size per arm and test duration.

    Parameters
    ----------
    baseline, mde, alpha, power, relative :
        As in :func:`sample_size_per_arm`.
    daily_traffic : float
        Eligible users per day.
    allocation : float
        Share of the tested users sent to treatment (0.5 = 50/50).
    exposure : float
        Share of daily traffic put in the experiment at all (0 … 1).
    variance_factor : float
        Multiplier on the required sample size, e.g. ``1 - rho**2`` with CUPED.
    """
    if not 0.0 < allocation < 1.0:
        raise ValueError(f"allocation must be strictly between 0 and 1 (got {allocation:g})")
    if daily_traffic <= 0 or not 0.0 < exposure <= 1.0:
        raise ValueError("daily traffic must be positive and exposure in (0, 1]")
    if not 0.0 < variance_factor <= 1.0:
        raise ValueError(f"variance factor must be in (0, 1] (got {variance_factor:g})")
    ratio = allocation / (1 - allocation)
    n_c = sample_size_per_arm(baseline, mde, alpha, power, relative, ratio)
    n_c = int(np.ceil(n_c * variance_factor - 1e-9))
    n_t = int(np.ceil(n_c * ratio - 1e-9))
    daily = daily_traffic * exposure
    days = int(np.ceil(max(n_c / ((1 - allocation) * daily), n_t / (allocation * daily)) - 1e-9))
    return PowerPlan(baseline, treatment_rate(baseline, mde, relative), n_c, n_t, n_c + n_t,
                     max(days, 1), daily)


# ---------------------------------------------------------------------------------------------
# Confidence interval of a difference in proportions
# ---------------------------------------------------------------------------------------------


def diff_ci(conv_c, n_c, conv_t, n_t, alpha: float = 0.05):
    """Wald confidence interval for ``p_t - p_c`` (vectorised).

    Returns
    -------
    (diff, lo, hi) : tuple of float or ndarray
        Estimated absolute difference and its two-sided ``1 - alpha`` interval; NaN where an arm
        has no users.
    """
    conv_c, n_c, conv_t, n_t = (np.asarray(a, dtype=float) for a in (conv_c, n_c, conv_t, n_t))
    with np.errstate(divide="ignore", invalid="ignore"):
        pc, pt = conv_c / n_c, conv_t / n_t
        se = np.sqrt(pc * (1 - pc) / n_c + pt * (1 - pt) / n_t)
    z = stats.norm.isf(alpha / 2)
    d = pt - pc
    return d, d - z * se, d + z * se


# ---------------------------------------------------------------------------------------------
# Novelty effect
# ---------------------------------------------------------------------------------------------


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
    _check_rate("baseline", baseline)
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


# ---------------------------------------------------------------------------------------------
# Peeking and sequential testing
# ---------------------------------------------------------------------------------------------


def obf_spending(t, alpha: float = 0.05):
    """Lan–DeMets O'Brien–Fleming-type alpha spending ``2 - 2 Φ(z_{1-α/2} / sqrt(t))``."""
    t = np.asarray(t, dtype=float)
    return 2 * stats.norm.sf(stats.norm.isf(alpha / 2) / np.sqrt(t))


def obrien_fleming_bounds(looks: int, alpha: float = 0.05, grid: int = 601) -> np.ndarray:
    """Two-sided z boundaries of a group-sequential test with equally spaced looks.

    Alpha is spent with the Lan–DeMets O'Brien–Fleming function (:func:`obf_spending`): look k
    may reject only if ``|Z_k| > c_k``, and the chance of ever rejecting under the null is
    ``alpha``. The boundaries are found by numerical integration of the score process (the
    Armitage–McPherson–Rowe recursion) on a grid.

    Parameters
    ----------
    looks : int
        Number of analyses, the last at the full sample (1 … 100).
    alpha : float
        Overall two-sided false-positive rate.
    grid : int
        Grid points for the integration.

    Returns
    -------
    ndarray of shape (looks,)
        Critical |z| at each look (decreasing; the last is a little above ``z_{1-α/2}``).
    """
    if not 1 <= looks <= 100:
        raise ValueError(f"looks must be between 1 and 100 (got {looks})")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1 (got {alpha:g})")
    return _obf_bounds(int(looks), float(alpha), int(grid)).copy()


@functools.lru_cache(maxsize=256)
def _obf_bounds(looks: int, alpha: float, grid: int) -> np.ndarray:
    spend = np.diff(np.concatenate([[0.0], obf_spending(np.arange(1, looks + 1) / looks, alpha)]))
    bounds = np.empty(looks)
    # score S_k = sum of k N(0, 1) increments; Z_k = S_k / sqrt(k)
    bounds[0] = min(stats.norm.isf(spend[0] / 2), 50.0)
    b = min(bounds[0], 9.0)
    x = np.linspace(-b, b, grid)
    dens = stats.norm.pdf(x)
    for k in range(2, looks + 1):
        w = np.full(grid, x[1] - x[0])
        w[0] = w[-1] = w[0] / 2  # trapezoid weights on the continuation region of look k-1
        mass = dens * w

        def crossing(c: float) -> float:
            edge = c * np.sqrt(k)
            return float(mass @ (stats.norm.sf(edge - x) + stats.norm.cdf(-edge - x)))

        target = spend[k - 1]
        lo, hi = 0.1, 50.0
        if crossing(hi) >= target:
            c = hi
        else:
            c = optimize.brentq(lambda v: crossing(v) - target, lo, hi, xtol=1e-10)
        bounds[k - 1] = c
        edge = c * np.sqrt(k)
        reach = min(edge, 9 * np.sqrt(k))
        new_x = np.linspace(-reach, reach, grid)
        dens = stats.norm.pdf(new_x[:, None] - x[None, :]) @ mass
        x = new_x
    return bounds


@dataclass(frozen=True)
class PeekingResult:
    """Outcome of simulated experiments read at every look.

    Attributes
    ----------
    looks : int
    z : ndarray (sims, looks)
        Pooled two-proportion z statistic at each look.
    bounds : ndarray (looks,)
        O'Brien–Fleming critical |z| per look.
    z_crit : float
        Fixed-horizon critical |z| (``z_{1-α/2}``).
    naive_by_look : ndarray (looks,)
        Share of experiments that have been declared significant by look k when stopping at the
        first |z| > z_crit.
    obf_by_look : ndarray (looks,)
        The same with the O'Brien–Fleming boundary.
    final_only : float
        Share significant when read once, at the end.
    msprt_by_look : ndarray (looks,)
        The same with the mixture SPRT (always-valid) rule.
    """

    looks: int
    z: np.ndarray
    bounds: np.ndarray
    z_crit: float
    naive_by_look: np.ndarray
    obf_by_look: np.ndarray
    final_only: float
    msprt_by_look: np.ndarray

    @property
    def naive_rate(self) -> float:
        """Rejection rate when stopping at the first nominally significant look."""
        return float(self.naive_by_look[-1])

    @property
    def obf_rate(self) -> float:
        """Rejection rate with the O'Brien–Fleming boundary."""
        return float(self.obf_by_look[-1])

    @property
    def msprt_rate(self) -> float:
        """Rejection rate with the mixture SPRT."""
        return float(self.msprt_by_look[-1])


def msprt_statistic(z, se, tau: float):
    """Mixture sequential probability ratio of a normal estimate (Johari et al., 2017).

    With the estimate ``d = z * se`` of the effect, ``d ~ N(theta, se^2)`` and a ``N(0, tau^2)``
    mixture over ``theta``::

        Lambda = sqrt(se^2 / (se^2 + tau^2)) * exp(z^2 / 2 * tau^2 / (se^2 + tau^2))

    Rejecting the first time ``Lambda >= 1 / alpha`` keeps the false-positive rate at most
    ``alpha`` however often the test is checked (an always-valid p-value ``min(1, 1 / max Lambda)``).

    Parameters
    ----------
    z : float or ndarray
        z statistic of the estimate.
    se : float or ndarray
        Its standard error (same units as ``tau``).
    tau : float
        Spread of the mixing prior over effects, e.g. the MDE.
    """
    if tau <= 0:
        raise ValueError(f"the mSPRT mixture scale tau must be positive (got {tau:g})")
    z = np.asarray(z, dtype=float)
    v = np.asarray(se, dtype=float) ** 2
    with np.errstate(over="ignore"):  # an overwhelming z gives Lambda = inf: reject, as it should
        return np.sqrt(v / (v + tau**2)) * np.exp(z**2 / 2 * tau**2 / (v + tau**2))


def two_prop_z(conv_c, n_c, conv_t, n_t):
    """Pooled two-proportion z statistic ``(p_t - p_c) / sqrt(p (1-p) (1/n_c + 1/n_t))`` (vectorised)."""
    conv_c, n_c, conv_t, n_t = (np.asarray(a, dtype=float) for a in (conv_c, n_c, conv_t, n_t))
    pooled = (conv_c + conv_t) / (n_c + n_t)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_t))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (conv_t / n_t - conv_c / n_c) / se
    return np.where(se > 0, z, 0.0)


def simulate_peeking(sims: int = 2000, looks: int = 14, users_per_look: int = 1000,
                     baseline: float = 0.10, lift: float = 0.0, alpha: float = 0.05,
                     seed: int = 0, tau: float | None = None) -> PeekingResult:
    """Simulate experiments checked at ``looks`` equally spaced times.

    Parameters
    ----------
    sims : int
        Number of simulated experiments (1 … 20 000).
    looks : int
        Number of checks (e.g. one per day).
    users_per_look : int
        New users per arm between two checks.
    baseline : float
        Control conversion rate.
    lift : float
        True relative lift of treatment; 0 gives A/A tests, where every rejection is a false
        positive.
    alpha : float
        Two-sided level of each test.
    seed : int
        Random seed.
    tau : float, optional
        Mixture scale of the mSPRT, an absolute difference in rate (default: 5 % of the
        baseline).
    """
    if not 1 <= sims <= 20_000:
        raise ValueError(f"simulations must be between 1 and 20000 (got {sims})")
    if users_per_look < 1:
        raise ValueError("each look needs at least one user per arm")
    p_t = treatment_rate(baseline, lift, relative=True) if lift else baseline
    _check_rate("baseline", baseline)
    bounds = obrien_fleming_bounds(looks, alpha)
    rng = np.random.default_rng(seed)
    conv_c = rng.binomial(users_per_look, baseline, size=(sims, looks)).cumsum(axis=1)
    conv_t = rng.binomial(users_per_look, p_t, size=(sims, looks)).cumsum(axis=1)
    n = users_per_look * np.arange(1, looks + 1)
    z = two_prop_z(conv_c, n, conv_t, n)
    z_crit = float(stats.norm.isf(alpha / 2))
    naive = np.maximum.accumulate(np.abs(z) > z_crit, axis=1).mean(axis=0)
    obf = np.maximum.accumulate(np.abs(z) > bounds, axis=1).mean(axis=0)
    pooled = (conv_c + conv_t) / (2 * n)
    se = np.sqrt(np.maximum(pooled * (1 - pooled), 1e-12) * 2 / n)
    lam = msprt_statistic(z, se, 0.05 * baseline if tau is None else tau)
    msprt = np.maximum.accumulate(lam >= 1 / alpha, axis=1).mean(axis=0)
    return PeekingResult(looks, z, bounds, z_crit, naive, obf, float(np.mean(np.abs(z[:, -1]) > z_crit)),
                         msprt)


# ---------------------------------------------------------------------------------------------
# CUPED
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CupedResult:
    """Replicated experiments analysed with and without CUPED.

    Attributes
    ----------
    naive, cuped : ndarray (reps,)
        Estimated treatment effect per replicate (difference in means).
    theta : ndarray (reps,)
        CUPED coefficient ``cov(X, Y) / var(X)`` per replicate.
    var_ratio : float
        Empirical ``var(cuped) / var(naive)`` across replicates.
    rho : float
        Correlation of the pre-period covariate with the metric.
    se_naive, se_cuped : float
        Mean standard error of the estimate (one replicate's formula).
    """

    naive: np.ndarray
    cuped: np.ndarray
    theta: np.ndarray
    var_ratio: float
    rho: float
    se_naive: float
    se_cuped: float

    def half_widths(self, alpha: float = 0.05) -> tuple[float, float]:
        """Half-width of the two-sided ``1 - alpha`` CI of the effect: (naive, CUPED)."""
        z = stats.norm.isf(alpha / 2)
        return float(z * self.se_naive), float(z * self.se_cuped)

    @property
    def theory_ratio(self) -> float:
        """``1 - rho^2``: the variance (and sample size) factor CUPED should reach."""
        return 1 - self.rho**2


def cuped_adjust(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, float]:
    """CUPED-adjusted metric ``y - theta (x - mean(x))`` with ``theta = cov(x, y) / var(x)``.

    Parameters
    ----------
    y : ndarray
        The experiment metric per user (both arms pooled).
    x : ndarray
        The same metric in the pre-period (not affected by treatment).
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    if y.shape != x.shape or y.size < 3:
        raise ValueError("metric and covariate need the same length, at least 3 users")
    vx = x.var(ddof=1)
    if vx == 0:
        raise ValueError("the pre-period covariate is constant: CUPED needs variation")
    theta = float(np.cov(x, y, ddof=1)[0, 1] / vx)
    return y - theta * (x - x.mean()), theta


def simulate_cuped(n_per_arm: int = 2000, rho: float = 0.7, effect: float = 0.05,
                   reps: int = 300, seed: int = 0) -> CupedResult:
    """Simulate ``reps`` experiments on a standardised metric with a correlated pre-period value.

    The metric is ``Y = rho X + sqrt(1 - rho^2) E + effect * T`` with X, E standard normal, so
    ``corr(X, Y) = rho`` within an arm. Each replicate is analysed by the difference in means of
    Y (naive) and of the CUPED-adjusted Y (theta pooled over both arms).

    Parameters
    ----------
    n_per_arm : int
        Users per arm (10 … 100 000).
    rho : float
        Correlation between pre-period and in-experiment metric (-0.99 … 0.99).
    effect : float
        True treatment effect in standard deviations.
    reps : int
        Replicated experiments (used to measure the variance of each estimator).
    seed : int
        Random seed.
    """
    if not 10 <= n_per_arm <= 100_000:
        raise ValueError(f"users per arm must be between 10 and 100000 (got {n_per_arm})")
    if not -0.99 <= rho <= 0.99:
        raise ValueError(f"correlation must be between -0.99 and 0.99 (got {rho:g})")
    if not 2 <= reps <= 5000:
        raise ValueError("replicates must be between 2 and 5000")
    rng = np.random.default_rng(seed)
    n = 2 * n_per_arm
    treat = np.r_[np.zeros(n_per_arm), np.ones(n_per_arm)]
    x = rng.standard_normal((reps, n))
    y = rho * x + np.sqrt(1 - rho**2) * rng.standard_normal((reps, n)) + effect * treat
    xc = x - x.mean(axis=1, keepdims=True)
    theta = (xc * (y - y.mean(axis=1, keepdims=True))).sum(axis=1) / (xc**2).sum(axis=1)
    y_adj = y - theta[:, None] * xc
    t, c = treat == 1, treat == 0

    def diff_and_se(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = v[:, t].mean(axis=1) - v[:, c].mean(axis=1)
        se = np.sqrt(v[:, t].var(axis=1, ddof=1) / n_per_arm + v[:, c].var(axis=1, ddof=1) / n_per_arm)
        return d, se

    naive, se_n = diff_and_se(y)
    cuped, se_c = diff_and_se(y_adj)
    return CupedResult(naive, cuped, theta, float(cuped.var(ddof=1) / naive.var(ddof=1)), rho,
                       float(se_n.mean()), float(se_c.mean()))


# ---------------------------------------------------------------------------------------------
# Sample-ratio mismatch
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SrmResult:
    """Chi-square goodness-of-fit test of the observed split.

    Attributes
    ----------
    observed, expected : ndarray
        Users per arm, and what the intended split predicts.
    chi2 : float
    p_value : float
    mismatch : bool
        True when ``p_value`` is below the threshold: do not trust the experiment's results.
    """

    observed: np.ndarray
    expected: np.ndarray
    chi2: float
    p_value: float
    threshold: float

    @property
    def mismatch(self) -> bool:
        return self.p_value < self.threshold


def parse_counts(text: str) -> list[int]:
    """Parse users per arm typed as ``"50123, 49877"`` (commas, spaces or semicolons)."""
    parts = [p for p in re.split(r"[,\s;]+", (text or "").strip()) if p]
    if len(parts) < 2:
        raise ValueError("type at least two counts, one per arm, e.g. 50123, 49877")
    if len(parts) > 10:
        raise ValueError("at most 10 arms")
    counts = []
    for part in parts:
        clean = part.replace("_", "")
        if not clean.isdigit():
            raise ValueError(f"{part[:20]!r} is not a whole number of users")
        if int(clean) > 10**12:  # no population is larger, and huge counts overflow float
            raise ValueError(f"a {len(clean.lstrip('0'))}-digit count of users: at most 10^12 per arm")
        counts.append(int(clean))
    return counts


def srm_test(observed, shares=None, threshold: float = 0.001) -> SrmResult:
    """Sample-ratio-mismatch check: Pearson chi-square of observed users per arm vs the design.

    Parameters
    ----------
    observed : sequence of int
        Users counted in each arm.
    shares : sequence of float, optional
        Intended share of each arm (normalised); equal shares by default.
    threshold : float
        p-value below which the split is declared broken (0.001 is the usual, strict, choice:
        the check runs on every experiment).
    """
    obs = np.asarray(observed, dtype=float)
    if obs.ndim != 1 or obs.size < 2:
        raise ValueError("need the user counts of at least two arms")
    if np.any(obs < 0) or obs.sum() <= 0:
        raise ValueError("user counts must be non-negative and not all zero")
    shares = np.full(obs.size, 1.0 / obs.size) if shares is None else np.asarray(shares, dtype=float)
    if shares.shape != obs.shape:
        raise ValueError(f"{obs.size} counts but {shares.size} intended shares")
    if np.any(shares <= 0):
        raise ValueError("every intended share must be positive")
    expected = obs.sum() * shares / shares.sum()
    chi2 = float(((obs - expected) ** 2 / expected).sum())
    p = float(stats.chi2.sf(chi2, obs.size - 1))
    return SrmResult(obs, expected, chi2, p, threshold)
