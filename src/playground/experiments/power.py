"""Lesson 6: power, sample size and duration of a two-proportion A/B test.

Normal approximation, unpooled variance; the Wald interval of a difference in proportions.
All rates are probabilities per user-day (0 … 1); lifts are absolute (difference in rate) or
relative (difference / control rate), as each function says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


def check_rate(name: str, value: float) -> None:
    """Raise ``ValueError`` unless ``value`` is a rate strictly between 0 and 1."""
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
    check_rate("baseline", baseline)
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
    check_rate("baseline", baseline)
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


def z_quantiles(alpha: float, power: float) -> tuple[float, float]:
    """The two normal quantiles of the sample-size formula: ``(z_{1-alpha/2}, z_{power})``."""
    _check_alpha_power(alpha, power)
    return float(stats.norm.isf(alpha / 2)), float(stats.norm.ppf(power))


def power_curves(baseline: float, mde: float, n_control: int, alpha: float = 0.05,
                 relative: bool = False, allocation: float = 0.5, variance_factor: float = 1.0,
                 multiples: tuple[float, ...] = (0.5, 1.0, 2.0),
                 points: int = 120) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """Power against control-arm users around a planned sample size, for effects that are
    multiples of the MDE.

    Parameters
    ----------
    baseline, mde, alpha, relative :
        As in :func:`sample_size_per_arm`.
    n_control : int
        The planned control-arm users; the grid spans 5 % (at least 0.5 user) to 250 % of it.
    allocation : float
        Treatment share (the treatment arm has ``allocation / (1 - allocation)`` users per control user).
    variance_factor : float
        Sample-size factor of a variance reduction (CUPED: ``1 - rho**2``): ``n`` users with it
        have the power of ``n / variance_factor`` without it.
    multiples : tuple of float
        True effects as multiples of ``mde``.
    points : int
        Grid size.

    Returns
    -------
    grid : ndarray (points,)
        Control-arm users.
    curves : dict of multiple -> ndarray (points,)
        Power at each grid point.
    """
    if not 0.0 < allocation < 1.0:
        raise ValueError(f"allocation must be strictly between 0 and 1 (got {allocation:g})")
    if not 0.0 < variance_factor <= 1.0:
        raise ValueError(f"variance factor must be in (0, 1] (got {variance_factor:g})")
    grid = np.linspace(max(n_control, 10) * 0.05, n_control * 2.5, points)
    ratio = allocation / (1 - allocation)
    curves = {m: power_two_proportions(baseline, mde * m, grid / variance_factor, alpha, relative, ratio)
              for m in multiples}
    return grid, curves
