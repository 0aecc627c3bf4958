"""Lesson 6: peeking, and the sequential tests that make daily looks safe.

Repeated significance tests on A/A experiments vs an O'Brien–Fleming (Lan–DeMets) alpha-spending
boundary and the mixture SPRT (always valid). Rates are probabilities per user (0 … 1).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from playground.experiments.power import check_rate, treatment_rate


def obf_spending(t, alpha: float = 0.05):
    """Two-sided alpha spent by information fraction ``t`` with Lan–DeMets O'Brien–Fleming spending.

    The convention of gsDesign (``sfLDOF``, ``test.type=2``), rpact (``asOF``) and ldbounds: each
    side spends ``α/2`` with ``α_side(t) = 2 - 2 Φ(z_{1-α/4} / sqrt(t))``, so the two sides together
    spend ``2 α_side(t)``, which reaches ``α`` at ``t = 1``. (Applying the one-sided formula to the
    whole two-sided α instead spends more early and gives first-look bounds about 10 % lower.)
    """
    t = np.asarray(t, dtype=float)
    return 4 * stats.norm.sf(stats.norm.isf(alpha / 4) / np.sqrt(t))


def obrien_fleming_bounds(looks: int, alpha: float = 0.05, grid: int = 1201) -> np.ndarray:
    """Two-sided z boundaries of a group-sequential test with equally spaced looks.

    Alpha is spent with the Lan–DeMets O'Brien–Fleming function (:func:`obf_spending`, α/2 per
    side as in gsDesign/rpact/ldbounds): look k
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
    check_rate("baseline", baseline)
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


def users_per_look(daily_traffic: int, allocation: float, cap: int = 200_000) -> int:
    """Users per arm that join between two daily looks: daily traffic (capped at ``cap``, to keep
    the simulation small) times the smaller arm's share; at least 1."""
    if not 0.0 < allocation < 1.0:
        raise ValueError(f"allocation must be strictly between 0 and 1 (got {allocation:g})")
    return max(int(min(daily_traffic, cap) * min(allocation, 1 - allocation)), 1)
