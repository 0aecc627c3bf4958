"""Lesson 7: inject drift into a stream of features and labels, and detect it.

The stream is ``days`` batches of ``batch`` examples with two features. Before any drift::

    x ~ N(0, I),   P(y = 1 | x) = sigmoid(f(x)),   f(x) = 1.0 x1 + 2.5 x2 - 0.8 x1^2 + 0.5

A drift of intensity ``s(t)`` in [0, 1] (the *pattern*: sudden, gradual or recurring) and
``magnitude`` m in [0, 1] changes one part of the joint distribution:

* ``covariate``: P(x) moves (x1's mean shifts by 2.5 m s), P(y | x) is unchanged;
* ``prior``: P(y) moves from its base rate toward 0.95 by m s, P(x | y) is unchanged;
* ``concept``: P(y | x) moves (the linear part of f rotates by 180° × m s), P(x) is unchanged.

Detectors: PSI, two-sample Kolmogorov–Smirnov and the Wasserstein-1 distance between a trailing
window of a monitored signal and the reference (training) window, and Page–Hinkley on the
deployed model's daily error rate (which needs labels, so it sees them ``label_delay`` days late).
"""

from __future__ import annotations

import warnings

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from scipy import stats

from playground.seeds import derived_seeds


KINDS = ("covariate", "prior", "concept", "none")


class Detector(StrEnum):
    """The drift detectors compared on the page (values: the keys of the alarm tables)."""

    PSI = "PSI"
    KS = "KS"
    WASSERSTEIN = "Wasserstein"
    PAGE_HINKLEY = "Page–Hinkley (error)"


DETECTOR_LABELS = {d: d.value for d in Detector}
LABEL_FREE = (Detector.PSI, Detector.KS, Detector.WASSERSTEIN)  # watch inputs or scores
NEEDS_LABELS = frozenset({Detector.PAGE_HINKLEY})  # watches the error: waits for labels
PATTERNS = ("sudden", "gradual", "recurring")
W_LINEAR = np.array([1.0, 2.5])
QUAD = -0.8
BIAS = 0.5


def schedule(days: int, pattern: str, start: int, width: int = 20, period: int = 20) -> np.ndarray:
    """Drift intensity per day, in [0, 1].

    Parameters
    ----------
    days : int
        Length of the stream.
    pattern : {"sudden", "gradual", "recurring"}
        ``sudden``: 0 before ``start``, 1 from ``start``. ``gradual``: a linear ramp from 0 at
        ``start`` to 1 at ``start + width``. ``recurring``: on for ``period`` days, off for
        ``period`` days, repeating from ``start`` (e.g. a seasonal regime).
    start : int
        First drifted day (0-based).
    width : int
        Ramp length in days (gradual).
    period : int
        Half-cycle in days (recurring).
    """
    if pattern not in PATTERNS:
        raise ValueError(f"pattern must be one of {', '.join(PATTERNS)} (got {pattern!r})")
    if not 0 <= start < days:
        raise ValueError(f"drift start (day {start}) must fall inside the {days}-day stream")
    t = np.arange(days)
    after = t >= start
    if pattern == "sudden":
        return after.astype(float)
    if pattern == "gradual":
        if width < 1:
            raise ValueError("a gradual drift needs a ramp of at least 1 day")
        return np.clip((t - start + 1) / width, 0, 1) * after
    if period < 1:
        raise ValueError("a recurring drift needs a period of at least 1 day")
    return (after & (((t - start) // period) % 2 == 0)).astype(float)


def shifted_prior(magnitude: float) -> float:
    """Positive rate at full intensity of a prior drift of ``magnitude`` (base rate → 0.95)."""
    return BASE_RATE + magnitude * (0.95 - BASE_RATE)


def describe(kind: str, magnitude: float) -> str:
    """One sentence saying what a drift of this kind and magnitude changes, in the stream's units."""
    if kind not in KINDS:
        raise ValueError(f"drift kind must be one of {', '.join(KINDS)} (got {kind!r})")
    return {"covariate": f"x1's mean moves by {2.5 * magnitude:.2f} sd; the labelling rule P(y|x) is unchanged.",
            "prior": f"the positive rate moves from {BASE_RATE:.0%} toward {shifted_prior(magnitude):.0%}; "
                     "P(x|y) is unchanged.",
            "concept": f"the labelling rule rotates by {180 * magnitude:.0f}°; the features' distribution "
                       "is unchanged.",
            "none": "nothing changes: every alarm is a false alarm."}[kind]


def true_logit(x: np.ndarray, angle: float | np.ndarray = 0.0) -> np.ndarray:
    """The labelling function f(x) with its linear part rotated by ``angle`` radians.

    ``x`` has shape (..., 2); ``angle`` broadcasts against ``x[..., 0]``.
    """
    c, s = np.cos(angle), np.sin(angle)
    w1 = c * W_LINEAR[0] - s * W_LINEAR[1]
    w2 = s * W_LINEAR[0] + c * W_LINEAR[1]
    return w1 * x[..., 0] + w2 * x[..., 1] + QUAD * x[..., 0] ** 2 + BIAS


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _class_pool(rng: np.random.Generator, n_pos: int, n_neg: int) -> tuple[np.ndarray, np.ndarray]:
    """``n_pos`` positive and ``n_neg`` negative examples of the undrifted joint distribution."""
    pos, neg = [], []
    have_pos = have_neg = 0
    while have_pos < n_pos or have_neg < n_neg:
        pool = rng.standard_normal((4 * max(n_pos, n_neg, 1), 2))
        label = rng.random(len(pool)) < _sigmoid(true_logit(pool))
        pos.append(pool[label])
        neg.append(pool[~label])
        have_pos += int(label.sum())
        have_neg += int((~label).sum())
    return np.concatenate(pos)[:n_pos], np.concatenate(neg)[:n_neg]


def base_rate(seed: int = 12345, n: int = 400_000) -> float:
    """P(y = 1) of the undrifted stream (Monte Carlo, fixed seed)."""
    x = np.random.default_rng(seed).standard_normal((n, 2))
    return float(_sigmoid(true_logit(x)).mean())


BASE_RATE = base_rate()


@dataclass(frozen=True)
class Stream:
    """A drifted stream.

    Attributes
    ----------
    x : ndarray (days, batch, 2)
        Features.
    y : ndarray (days, batch)
        Labels (0/1).
    intensity : ndarray (days,)
        Drift intensity s(t) in [0, 1].
    bayes_acc : ndarray (days,)
        Accuracy of the Bayes-optimal classifier for each day's distribution, evaluated on the
        day's batch (the best any model could do).
    kind, pattern : str
    start : int
        First drifted day.
    magnitude : float
    """

    x: np.ndarray
    y: np.ndarray
    intensity: np.ndarray
    bayes_acc: np.ndarray
    kind: str
    pattern: str
    start: int
    magnitude: float

    @property
    def days(self) -> int:
        return self.x.shape[0]

    @property
    def batch(self) -> int:
        return self.x.shape[1]

    def best_accuracy(self, since: int = 0) -> float:
        """Mean daily accuracy of the Bayes-optimal classifier from day ``since`` on."""
        return float(np.mean(self.bayes_acc[since:]))

    def daily(self) -> pd.DataFrame:
        """One row per day: ``day``, ``mean_x1`` (mean of feature x1), ``positive_rate``,
        ``best_error`` (1 − the Bayes-optimal accuracy) and the drift ``intensity``."""
        return pd.DataFrame({"day": np.arange(self.days), "mean_x1": self.x[..., 0].mean(axis=1),
                             "positive_rate": self.y.mean(axis=1), "best_error": 1 - self.bayes_acc,
                             "intensity": self.intensity})


def simulate_stream(kind: str = "concept", pattern: str = "sudden", magnitude: float = 0.5,
                    start: int = 60, days: int = 120, batch: int = 400, width: int = 20,
                    period: int = 15, seed: int = 0) -> Stream:
    """Generate a stream with one injected drift.

    Parameters
    ----------
    kind : {"covariate", "prior", "concept", "none"}
        What changes (see the module docstring).
    pattern : {"sudden", "gradual", "recurring"}
        How it changes over time (:func:`schedule`).
    magnitude : float
        0 … 1: x1 mean shift of 2.5 m (covariate), prior moved by m of the way to 0.95 (prior),
        rotation of 180° × m (concept).
    start : int
        First drifted day.
    days : int
        Stream length (10 … 1000).
    batch : int
        Examples per day (20 … 20 000).
    width, period : int
        Ramp length (gradual) and half-cycle (recurring), days.
    seed : int
        Random seed.
    """
    if kind not in KINDS:
        raise ValueError(f"drift kind must be one of {', '.join(KINDS)} (got {kind!r})")
    if not 0.0 <= magnitude <= 1.0:
        raise ValueError(f"magnitude must be between 0 and 1 (got {magnitude:g})")
    if not 10 <= days <= 1000 or not 20 <= batch <= 20_000:
        raise ValueError("use 10 … 1000 days and 20 … 20000 examples per day")
    s = schedule(days, pattern, start, width, period)
    if kind == "none":
        s = np.zeros(days)
    rng = np.random.default_rng(seed)
    shift = 2.5 * magnitude * s if kind == "covariate" else np.zeros(days)
    angle = np.pi * magnitude * s if kind == "concept" else np.zeros(days)
    x = rng.standard_normal((days, batch, 2))
    x[..., 0] += shift[:, None]
    logit = true_logit(x, angle[:, None])
    y = (rng.random((days, batch)) < _sigmoid(logit)).astype(np.int8)
    prior_logit_shift = np.zeros(days)
    if kind == "prior":
        prior = BASE_RATE + s * (shifted_prior(magnitude) - BASE_RATE)
        prior_logit_shift = np.log(prior / (1 - prior)) - np.log(BASE_RATE / (1 - BASE_RATE))
        # P(x | y) stays fixed: draw each label at the new prior, then x from that class of the
        # base joint distribution (rejection from a pool)
        for day in np.flatnonzero(s > 0):
            n_pos = rng.binomial(batch, prior[day])
            pos, neg = _class_pool(rng, n_pos, batch - n_pos)
            order = rng.permutation(batch)
            x[day] = np.concatenate([pos, neg])[order]
            y[day] = np.r_[np.ones(n_pos, np.int8), np.zeros(batch - n_pos, np.int8)][order]
        logit = true_logit(x)
    posterior = logit + prior_logit_shift[:, None]
    bayes = ((posterior > 0).astype(np.int8) == y).mean(axis=1)
    return Stream(x, y, s, bayes, kind, pattern, start, magnitude)


# ---------------------------------------------------------------------------------------------
# Distribution-distance detectors
# ---------------------------------------------------------------------------------------------


def _sample(name: str, values) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size < 2 or not np.all(np.isfinite(arr)):
        raise ValueError(f"the {name} sample needs at least 2 finite values")
    return arr


def psi(reference, current, bins: int = 10, eps: float = 1e-4) -> float:
    """Population stability index of ``current`` against ``reference``.

    Bins are the ``bins`` quantiles of the reference (outer edges open); each bin share is floored
    at ``eps`` so an empty bin does not give an infinite index::

        PSI = sum_b (c_b - r_b) ln(c_b / r_b)

    Rule of thumb: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 major shift.
    """
    ref, cur = _sample("reference", reference), _sample("current", current)
    if not 2 <= bins <= 100:
        raise ValueError(f"bins must be between 2 and 100 (got {bins})")
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1]))
    r = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=edges.size + 1) / ref.size
    c = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=edges.size + 1) / cur.size
    r, c = np.maximum(r, eps), np.maximum(c, eps)
    return float(np.sum((c - r) * np.log(c / r)))


KS_EXACT_MAX_N = 10_000  # scipy's ks_2samp(method="auto") tries the exact p-value up to this size


def ks_method(n_reference: int, n_current: int) -> str:
    """Which p-value scipy's default ``ks_2samp(method="auto")`` computes for these sample sizes:
    ``"exact"`` when both are at most 10,000, else ``"asymptotic"``."""
    return "exact" if max(n_reference, n_current) <= KS_EXACT_MAX_N else "asymptotic"


KS_P_FLOOR = 1e-16
"""Smallest KS p-value :func:`window_stats` reports. Below it only the fact matters (the chart's log
axis stops there, every alarm level is far above), and scipy's exact p-value of a strongly drifted
window costs O(n m): about 2 s for 8,000 reference values against a 2,800-value window."""


def _ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """``D = sup |F_a - F_b|`` of two sorted samples."""
    grid = np.concatenate([a, b])
    return float(np.max(np.abs(np.searchsorted(a, grid, side="right") / a.size
                               - np.searchsorted(b, grid, side="right") / b.size)))


def ks_test(reference, current) -> tuple[float, float]:
    """Two-sample Kolmogorov–Smirnov statistic ``D = sup |F_ref - F_cur|`` and its two-sided
    p-value as ``scipy.stats.ks_2samp`` gives it by default (``method="auto"``): exact when both
    samples have at most 10,000 values (:func:`ks_method`), else the asymptotic Kolmogorov
    distribution at the effective size ``n m / (n + m)``."""
    a, b = np.sort(_sample("reference", reference)), np.sort(_sample("current", current))
    return _ks_statistic(a, b), _ks_p_value(a, b)


def _ks_p_value(a: np.ndarray, b: np.ndarray) -> float:
    """scipy's default two-sided KS p-value of two sorted samples, clipped to [0, 1]."""
    with warnings.catch_warnings():  # scipy falls back to the asymptotic p when exact fails
        warnings.simplefilter("ignore", RuntimeWarning)
        p = stats.ks_2samp(a, b, method="auto").pvalue
    return float(np.clip(p, 0.0, 1.0))


def ks_p_latex(p: float) -> str:
    """LaTeX for a :func:`window_stats` p-value after ``p``: ``= 0.031``, or ``\\le 10^{-16}`` at
    :data:`KS_P_FLOOR`."""
    return r"\le 10^{-16}" if p <= KS_P_FLOOR else f"= {p:.2g}"


def wasserstein(reference, current) -> float:
    """Wasserstein-1 (earth mover's) distance ``∫ |F_ref(x) - F_cur(x)| dx`` between two samples,
    in the units of the signal."""
    a, b = np.sort(_sample("reference", reference)), np.sort(_sample("current", current))
    grid = np.sort(np.concatenate([a, b]))
    widths = np.diff(grid)
    fa = np.searchsorted(a, grid[:-1], side="right") / a.size
    fb = np.searchsorted(b, grid[:-1], side="right") / b.size
    return float(np.sum(np.abs(fa - fb) * widths))


def window_stats(signal: np.ndarray, ref_days: int, window: int, bins: int = 10) -> pd.DataFrame:
    """PSI, KS and Wasserstein of a trailing window vs the reference, for every monitored day.

    Parameters
    ----------
    signal : ndarray (days, batch)
        The monitored value per example (a feature or the model's score).
    ref_days : int
        Days 0 … ref_days-1 are the reference (the training window); monitoring starts after.
    window : int
        Trailing window length in days (1 = each day on its own).

    Returns
    -------
    DataFrame
        One row per monitored day: ``day, psi, ks, ks_p, wasserstein``. ``ks_p`` is scipy's
        default p-value (:func:`ks_test`) where it is at least :data:`KS_P_FLOOR`, else the floor.

    Notes
    -----
    For fixed sample sizes the KS p-value does not increase with ``D``. So the windows of each
    size are visited in order of ``D``, and once one reaches the floor the larger ``D`` are at
    the floor without scipy's exact computation (one costly call per window size, not one per
    drifted day).
    """
    signal = np.asarray(signal, dtype=float)
    days = signal.shape[0]
    if not 1 <= ref_days < days:
        raise ValueError(f"the reference window ({ref_days} days) must be shorter than the stream ({days})")
    if not 1 <= window <= days:
        raise ValueError(f"the window must be 1 … {days} days (got {window})")
    ref = signal[:ref_days].ravel()
    ref_sorted = np.sort(ref)
    windows = {day: signal[max(ref_days, day - window + 1): day + 1].ravel() for day in range(ref_days, days)}
    ordered = {day: np.sort(cur) for day, cur in windows.items()}
    ks = {day: _ks_statistic(ref_sorted, cur) for day, cur in ordered.items()}
    ks_p: dict[int, float] = {}
    floored: set[int] = set()  # window sizes whose p already reached the floor at a smaller D
    for day in sorted(windows, key=lambda day: ks[day]):
        size = windows[day].size
        p = KS_P_FLOOR if size in floored else _ks_p_value(ref_sorted, ordered[day])
        if p <= KS_P_FLOOR:
            floored.add(size)
        ks_p[day] = max(p, KS_P_FLOOR)
    rows = [(day, psi(ref, cur, bins), ks[day], ks_p[day], wasserstein(ref, cur)) for day, cur in windows.items()]
    return pd.DataFrame(rows, columns=["day", "psi", "ks", "ks_p", "wasserstein"])


# ---------------------------------------------------------------------------------------------
# Page–Hinkley
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageHinkley:
    """Result of a Page–Hinkley run.

    Attributes
    ----------
    statistic : ndarray
        ``m_t - min_{i<=t} m_i`` after each observation (the value that raised an alarm is kept;
        the statistic restarts from 0 on the next observation when ``reset``).
    alarms : ndarray of int
        Indices (0-based) of the observations that raised an alarm.
    """

    statistic: np.ndarray
    alarms: np.ndarray


@dataclass
class PageHinkleyState:
    """Incremental Page–Hinkley detector (see :func:`page_hinkley`); feed one value at a time."""

    delta: float = 0.005
    threshold: float = 0.1
    min_obs: int = 1
    reset: bool = True
    n: int = 0
    total: float = 0.0
    m: float = 0.0
    m_min: float = 0.0
    last: float = 0.0

    def __post_init__(self) -> None:
        if self.threshold <= 0 or self.delta < 0:
            raise ValueError("Page–Hinkley needs a positive threshold and a non-negative delta")

    def update(self, value: float) -> bool:
        """Add one observation; return True when it raises an alarm (NaN values are skipped)."""
        if not np.isfinite(value):
            return False
        self.n += 1
        self.total += value
        self.m += value - self.total / self.n - self.delta
        self.m_min = min(self.m_min, self.m)
        self.last = self.m - self.m_min
        if self.n >= self.min_obs and self.last > self.threshold:
            if self.reset:
                self.n, self.total, self.m, self.m_min = 0, 0.0, 0.0, 0.0
            return True
        return False


def page_hinkley(values, delta: float = 0.005, threshold: float = 0.1, min_obs: int = 1,
                 reset: bool = True) -> PageHinkley:
    """Page–Hinkley test for an increase in the mean of a stream (e.g. the model's error rate).

    ::

        xbar_t = mean(x_1 … x_t)
        m_t    = sum_{i<=t} (x_i - xbar_i - delta)
        PH_t   = m_t - min_{i<=t} m_i        alarm when PH_t > threshold

    Parameters
    ----------
    values : array-like
        The stream.
    delta : float
        Tolerated drift per observation (magnitude of change ignored).
    threshold : float
        Alarm threshold lambda; larger means fewer false alarms and later detection.
    min_obs : int
        Observations needed (since the last reset) before an alarm may be raised.
    reset : bool
        Restart the statistic after each alarm (so later changes are detected again).
    """
    x = np.asarray(values, dtype=float).ravel()
    detector = PageHinkleyState(delta, threshold, min_obs, reset)
    stat = np.zeros(x.size)
    alarms = []
    for i, value in enumerate(x):
        if detector.update(value):
            alarms.append(i)
        stat[i] = detector.last
    return PageHinkley(stat, np.asarray(alarms, dtype=int))


# ---------------------------------------------------------------------------------------------
# Scoring alarms
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmScore:
    """How a detector did: first alarm at or after the drift start, and alarms before it."""

    first_alarm: int | None
    delay: int | None
    false_alarms: int


def score_alarms(alarm_days, start: int | None) -> AlarmScore:
    """Detection delay (days from the drift start to the first alarm on or after it) and the
    number of false alarms (alarms before the start; every alarm when ``start`` is None)."""
    days = np.sort(np.asarray(alarm_days, dtype=int))
    if start is None:
        return AlarmScore(None, None, int(days.size))
    after = days[days >= start]
    first = int(after[0]) if after.size else None
    return AlarmScore(first, None if first is None else first - start, int((days < start).sum()))


def threshold_alarms(stats_df: pd.DataFrame, psi_threshold: float, ks_alpha: float,
                     w_threshold: float) -> dict[Detector, np.ndarray]:
    """Days on which each distribution detector alarms, from :func:`window_stats` output.

    PSI and Wasserstein alarm above their thresholds; KS alarms when its p-value is below
    ``ks_alpha``.
    """
    day = stats_df.day.to_numpy()
    return {Detector.PSI: day[stats_df.psi.to_numpy() > psi_threshold],
            Detector.KS: day[stats_df.ks_p.to_numpy() < ks_alpha],
            Detector.WASSERSTEIN: day[stats_df.wasserstein.to_numpy() > w_threshold]}


def error_alarms(errors, first_day: int, label_delay: int, delta: float, threshold: float,
                 days: int | None = None) -> tuple[PageHinkley, np.ndarray]:
    """Page–Hinkley on a daily error series whose labels arrive ``label_delay`` days late.

    Parameters
    ----------
    errors : array-like
        Daily error rate of the deployed model from day ``first_day`` on.
    first_day : int
        Day of ``errors[0]``.
    label_delay : int
        Days until a day's error is known: the alarm raised by day t's error rings on day
        ``t + label_delay``.
    delta, threshold : float
        Page–Hinkley settings.
    days : int, optional
        Stream length: alarms that would ring after it are dropped.

    Returns
    -------
    (PageHinkley, ndarray)
        The run (indexed by the day of the error) and the days the alarms ring.
    """
    if label_delay < 0:
        raise ValueError("label delay cannot be negative")
    ph = page_hinkley(errors, delta, threshold, reset=True)
    ring = ph.alarms + first_day + label_delay
    return ph, ring if days is None else ring[ring < days]


@dataclass(frozen=True)
class ThresholdCost:
    """Total cost of an alert rule ``statistic > threshold`` over a stream, for every threshold.

    Attributes
    ----------
    thresholds, false_alarms, missed_days, cost : ndarray
        One entry per candidate threshold: alarm days before the drift start, days of drift
        before the first alarm (to the end of the stream when it never rings) and
        ``false_alarm_cost × false_alarms + missed_day_cost × missed_days``.
    best : float
        The threshold with the lowest cost (the lowest such threshold on ties).
    best_cost : float
    """

    thresholds: np.ndarray
    false_alarms: np.ndarray
    missed_days: np.ndarray
    cost: np.ndarray
    best: float
    best_cost: float

    def at(self, threshold: float) -> tuple[int, int, float]:
        """False alarms, missed days and cost of an arbitrary threshold (the nearest rule below it)."""
        i = int(np.clip(np.searchsorted(self.thresholds, threshold, side="right") - 1, 0, self.thresholds.size - 1))
        return int(self.false_alarms[i]), int(self.missed_days[i]), float(self.cost[i])


def alarm_cost(days, values, start: int | None, end_day: int, false_alarm_cost: float,
               missed_day_cost: float) -> ThresholdCost:
    """Cost of alerting when a daily drift statistic exceeds a threshold, for every threshold.

    Parameters
    ----------
    days, values : array-like
        Monitored days and the statistic on each (e.g. PSI); an alarm rings when value > threshold.
    start : int or None
        First day of drift (None: no drift, every alarm is false).
    end_day : int
        The day the stream ends (exclusive): a drift never alarmed on costs ``end_day - start`` days.
    false_alarm_cost, missed_day_cost : float
        Cost of one false alarm (a page, an investigation) and of one day of undetected drift,
        in the same currency.
    """
    days, values = np.asarray(days, dtype=int), np.asarray(values, dtype=float)
    if days.shape != values.shape or days.size == 0:
        raise ValueError("days and statistic values must be non-empty and of the same length")
    if false_alarm_cost < 0 or missed_day_cost < 0:
        raise ValueError("costs cannot be negative")
    # every distinct rule: alarm on nothing, or on the values strictly above each observed value
    thresholds = np.unique(np.concatenate([[min(values.min(), 0.0) - 1e-12], values]))
    fa, missed = np.empty(thresholds.size, dtype=int), np.empty(thresholds.size, dtype=int)
    for i, thr in enumerate(thresholds):
        score = score_alarms(days[values > thr], start)
        fa[i] = score.false_alarms
        missed[i] = 0 if start is None else (score.delay if score.delay is not None else end_day - start)
    cost = false_alarm_cost * fa + missed_day_cost * missed
    best = int(np.argmin(cost))
    return ThresholdCost(thresholds, fa, missed, cost, float(thresholds[best]), float(cost[best]))


def alarm_table(alarms: dict[Detector, np.ndarray], start: int | None) -> pd.DataFrame:
    """One row per detector (in the order of ``alarms``), scored by :func:`score_alarms`:
    ``detector`` (its label), ``needs labels``, ``first alarm after start`` ("day N" or "—"),
    ``detection delay (days)`` (N, "missed" when a drift started and it never alarmed, "—"
    without drift) and ``false alarms (days)``."""
    rows = []
    for name, when in alarms.items():
        sc = score_alarms(when, start)
        rows.append({"detector": DETECTOR_LABELS[name], "needs labels": name in NEEDS_LABELS,
                     "first alarm after start": "—" if sc.first_alarm is None else f"day {sc.first_alarm}",
                     "detection delay (days)": "missed" if start is not None and sc.delay is None
                     else ("—" if sc.delay is None else str(sc.delay)),
                     "false alarms (days)": sc.false_alarms})
    return pd.DataFrame(rows)


def only_the_error_saw_it(alarms: dict[Detector, np.ndarray], start: int | None) -> tuple[bool, bool]:
    """(every label-free detector missed the drift, the Page–Hinkley error detector caught it);
    both False without drift (``start`` None)."""
    if start is None:
        return False, False
    missed = all(score_alarms(alarms[n], start).first_alarm is None for n in LABEL_FREE)
    return missed, score_alarms(alarms[Detector.PAGE_HINKLEY], start).first_alarm is not None


def example_pair(seed: int, n: int = 500) -> pd.DataFrame:
    """An example upload: ``reference`` ~ N(0, 1) and ``current`` ~ N(0.3, 1.2²), ``n`` values
    each rounded to 4 decimals (current from the seed's first derived stream)."""
    current_rng = np.random.default_rng(derived_seeds(seed, 1)[0])
    return pd.DataFrame({"reference": np.round(np.random.default_rng(seed).normal(0, 1, n), 4),
                         "current": np.round(current_rng.normal(0.3, 1.2, n), 4)})
