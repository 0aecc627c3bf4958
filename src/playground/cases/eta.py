"""Lesson 14: ETA prediction as quantiles (P50 / P90) with pinball loss, on a synthetic grid city.

Trips have spatial effects (a slow downtown, distance) and temporal ones (hour, weekday rush hours,
weather), and a right-skewed delay: a log-normal spread plus occasional incidents whose chance and
size grow in rush hour and bad weather. Because the spread depends on the context, a quantile model
promises short where trips are predictable and long where they are not; a squared-error model
predicts the mean trip and, used as a promise, is late on every slow trip.

Times are in minutes, distances in kilometres.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits


GRID = 6            # the city is GRID × GRID zones
ZONE_KM = 2.0       # side of a zone
WEATHER = ("clear", "rain", "snow")
FEATURES = ("zone", "ox", "oy", "dx", "dy", "distance_km", "hour", "day", "rush", "weather")
FEATURE_GROUPS = {"spatial": ("zone", "ox", "oy", "dx", "dy"), "temporal": ("hour", "day", "rush"),
                  "weather": ("weather",)}
"""Feature groups the ablation switches off (``distance_km`` always stays: without it there is no ETA)."""
CATEGORICAL = ("zone", "weather")


class HeatMetric(StrEnum):
    """What the zone × hour heat map shows (values: what share links carry, kept as they were so
    old links still open; show :func:`heat_label`)."""

    P50_ERROR = "P50 absolute error (min)"
    QUANTILE_LATE = "quantile-model late rate"
    MEAN_LATE = "mean-model late rate"


HEAT_METRICS: tuple[HeatMetric, ...] = tuple(HeatMetric)


def heat_label(metric: str, quantile: float) -> str:
    """The heat-map metric as shown, naming the quantile model (e.g. "P90 late rate")."""
    return {HeatMetric.P50_ERROR: "P50 absolute error (min)",
            HeatMetric.QUANTILE_LATE: f"{quantile_name(quantile)} late rate",
            HeatMetric.MEAN_LATE: "mean-model late rate"}[HeatMetric(metric)]


class PromiseBasis(StrEnum):
    """What the promise shown to the rider is built from (values: what links and presets carry)."""

    QUANTILE = "quantile model"
    MEAN = "mean (MSE model)"
    MEAN_BUFFER = "mean + buffer"


PROMISE_BASES: tuple[PromiseBasis, ...] = tuple(PromiseBasis)


def pinball_loss(y_true, y_pred, quantile: float) -> float:
    """Mean pinball (quantile) loss: q·(y − ŷ) when y ≥ ŷ, (1 − q)·(ŷ − y) otherwise.

    It is minimised by the q-quantile of y, as squared error is by the mean.
    """
    if not 0 < quantile < 1:
        raise ValueError("the quantile must be strictly between 0 and 1")
    diff = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    return float(np.mean(np.maximum(quantile * diff, (quantile - 1) * diff)))


def simulate_trips(n: int, seed: int = 0, tail: float = 1.0, rain: float = 0.2) -> pd.DataFrame:
    """``n`` synthetic trips with their true durations.

    Parameters
    ----------
    n : int
        Number of trips.
    seed : int
        Random seed.
    tail : float
        Heaviness of the right tail: scales the size of incident delays (0 = log-normal noise only).
    rain : float
        Share of trips in rain; snow is a quarter of that.
    """
    if n < 100:
        raise ValueError("simulate at least 100 trips")
    if tail < 0 or not 0 <= rain <= 0.75:
        raise ValueError("tail must be ≥ 0 and the rain share in [0, 0.75]")
    rng = np.random.default_rng(seed)
    centre = (GRID - 1) / 2
    cells = np.arange(GRID * GRID)
    cx, cy = cells % GRID, cells // GRID
    pull = np.exp(-((cx - centre) ** 2 + (cy - centre) ** 2) / 6.0)
    zone = rng.choice(cells, size=n, p=pull / pull.sum())
    dest = rng.choice(cells, size=n)
    ox = (zone % GRID + rng.random(n)) * ZONE_KM
    oy = (zone // GRID + rng.random(n)) * ZONE_KM
    dx = (dest % GRID + rng.random(n)) * ZONE_KM
    dy = (dest // GRID + rng.random(n)) * ZONE_KM
    distance = np.maximum(1.25 * (np.abs(ox - dx) + np.abs(oy - dy)), 0.5)

    demand = np.array([1, .6, .4, .3, .3, .5, 1.2, 2.2, 2.5, 1.8, 1.4, 1.5, 1.7, 1.6, 1.5, 1.7, 2.2,
                       2.6, 2.4, 2.0, 1.8, 1.6, 1.4, 1.2])
    hour = rng.choice(24, size=n, p=demand / demand.sum())
    day = rng.integers(0, 7, n)
    weekday = day < 5
    rush = weekday & (((hour >= 7) & (hour <= 9)) | ((hour >= 16) & (hour <= 19)))
    weather = rng.choice(3, size=n, p=[1 - 1.25 * rain, rain, 0.25 * rain])

    mid_x, mid_y = (ox + dx) / 2 / ZONE_KM, (oy + dy) / 2 / ZONE_KM
    downtown = np.exp(-((mid_x - centre - 0.5) ** 2 + (mid_y - centre - 0.5) ** 2) / 4.0)
    speed = 34.0 * (1 - 0.45 * downtown)
    speed *= np.where(rush, 0.6, 1.0) * np.where((hour < 6) | (hour >= 22), 1.3, 1.0)
    speed *= np.where(day >= 5, 1.1, 1.0) * np.array([1.0, 0.8, 0.6])[weather]
    median = 3.0 + 60.0 * distance / speed

    sigma = 0.12 + 0.10 * rush + 0.06 * weather + 0.05 * downtown
    p_incident = 0.04 + 0.12 * rush + 0.08 * weather + 0.06 * downtown
    incident = rng.random(n) < p_incident
    delay = np.where(incident, rng.exponential(4.0 + 0.4 * median) * tail, 0.0)
    minutes = median * np.exp(sigma * rng.standard_normal(n)) + delay

    return pd.DataFrame({"zone": zone, "ox": ox, "oy": oy, "dx": dx, "dy": dy, "distance_km": distance,
                         "hour": hour, "day": day, "rush": rush.astype(int), "weather": weather,
                         "minutes": minutes})


def _model(loss: str, quantile: float | None, seed: int,
           features: tuple[str, ...] = FEATURES) -> HistGradientBoostingRegressor:
    kwargs = {"quantile": quantile} if loss == "quantile" else {}
    categorical = [i for i, f in enumerate(features) if f in CATEGORICAL] or None
    # small trees and no early stopping: deeper quantile trees overfit the tail and under-cover
    return HistGradientBoostingRegressor(loss=loss, max_iter=200, learning_rate=0.05, max_leaf_nodes=8,
                                         min_samples_leaf=100, early_stopping=False,
                                         categorical_features=categorical, random_state=seed, **kwargs)


@dataclass(frozen=True)
class EtaModels:
    """The three fitted models: P50 and Pq (pinball loss) and the mean (squared error)."""

    p50: HistGradientBoostingRegressor
    pq: HistGradientBoostingRegressor
    mean: HistGradientBoostingRegressor
    quantile: float

    def predict(self, trips: pd.DataFrame) -> pd.DataFrame:
        """Predicted minutes per trip: columns ``P50``, ``Pq`` (named e.g. ``P90``) and ``mean``."""
        x = trips[list(FEATURES)].to_numpy()
        with threadpool_limits(limits=1, user_api="openmp"):
            return pd.DataFrame({"P50": self.p50.predict(x),
                                 quantile_name(self.quantile): self.pq.predict(x),
                                 "mean": self.mean.predict(x)}, index=trips.index)


def quantile_name(quantile: float) -> str:
    """``0.9`` -> ``"P90"``."""
    return f"P{round(100 * quantile)}"


def fit_models(train: pd.DataFrame, quantile: float = 0.9, seed: int = 0) -> EtaModels:
    """Fit gradient-boosted P50 and P``quantile`` models with pinball loss and a mean model with
    squared error on the same trips."""
    if not 0.5 < quantile < 1:
        raise ValueError("the promise quantile must be above 0.5 and below 1")
    if len(train) < 100:
        raise ValueError("train on at least 100 trips")
    x, y = train[list(FEATURES)].to_numpy(), train["minutes"].to_numpy()
    # one OpenMP thread: on a shared 2-core machine, contended threads make boosting 20-40x slower
    with threadpool_limits(limits=1, user_api="openmp"):
        return EtaModels(_model("quantile", 0.5, seed).fit(x, y), _model("quantile", quantile, seed).fit(x, y),
                         _model("squared_error", None, seed).fit(x, y), quantile)


def matched_buffer(y_true, mean_pred, coverage: float) -> float:
    """The constant buffer b (minutes) for which the promise ``mean + b`` covers the share
    ``coverage`` of trips (the empirical quantile of the residuals)."""
    resid = np.asarray(y_true, dtype=float) - np.asarray(mean_pred, dtype=float)
    return float(np.quantile(resid, coverage))


def scorecard(y_true, preds: pd.DataFrame, quantile: float) -> pd.DataFrame:
    """One row per model: pinball loss at 0.5 and at ``quantile``, coverage (share of trips that
    arrive by the prediction), late rate used as a promise, mean promise, MAE and RMSE."""
    y = np.asarray(y_true, dtype=float)
    rows = []
    for name in preds.columns:
        p = preds[name].to_numpy()
        rows.append({"model": name, "pinball q=0.5": pinball_loss(y, p, 0.5),
                     f"pinball q={quantile:g}": pinball_loss(y, p, quantile),
                     "coverage": float(np.mean(y <= p)), "late rate": float(np.mean(y > p)),
                     "mean promise (min)": float(p.mean()), "MAE (min)": float(np.mean(np.abs(y - p))),
                     "RMSE (min)": float(np.sqrt(np.mean((y - p) ** 2)))})
    return pd.DataFrame(rows).set_index("model")


def conditions(trips: pd.DataFrame) -> dict[str, np.ndarray]:
    """Boolean masks of the trip segments a promise must hold in (night, rush, rain, ...)."""
    hour = trips["hour"].to_numpy()
    night = (hour < 6) | (hour >= 22)
    rush = trips["rush"].to_numpy() == 1
    return {"night": night, "off-peak day": ~night & ~rush, "rush hour": rush,
            "rain": trips["weather"].to_numpy() == 1, "snow": trips["weather"].to_numpy() == 2,
            "long trip (> 15 km)": trips["distance_km"].to_numpy() > 15}


def late_by_condition(trips: pd.DataFrame, promises: dict[str, np.ndarray]) -> pd.DataFrame:
    """Late-arrival rate (share of trips slower than the promise) per segment and promise rule,
    with the number of trips in each segment."""
    y = trips["minutes"].to_numpy()
    rows = []
    for segment, mask in conditions(trips).items():
        for name, promise in promises.items():
            late = y[mask] > np.asarray(promise)[mask]
            rows.append({"segment": segment, "promise": name, "late rate": float(late.mean()) if mask.any()
                         else np.nan, "trips": int(mask.sum())})
    return pd.DataFrame(rows)


def heat_grid(trips: pd.DataFrame, preds: pd.DataFrame, metric: str, quantile: float = 0.9) -> pd.DataFrame:
    """A zone × hour table of ``metric`` (one of :data:`HEAT_METRICS`) on held-out trips; NaN where
    a cell has no trip."""
    y = trips["minutes"].to_numpy()
    if metric == HeatMetric.QUANTILE_LATE:
        values = (y > preds[quantile_name(quantile)].to_numpy()).astype(float)
    elif metric == HeatMetric.MEAN_LATE:
        values = (y > preds["mean"].to_numpy()).astype(float)
    elif metric == HeatMetric.P50_ERROR:
        values = np.abs(y - preds["P50"].to_numpy())
    else:
        raise ValueError(f"unknown heat-map metric {metric!r}")
    frame = pd.DataFrame({"zone": trips["zone"].to_numpy(), "hour": trips["hour"].to_numpy(), "v": values})
    grid = frame.pivot_table(index="zone", columns="hour", values="v", aggfunc="mean")
    return grid.reindex(index=range(GRID * GRID), columns=range(24))


def crossing_share(p50, pq) -> float:
    """Share of trips whose upper-quantile prediction lies below their P50 (quantile crossing)."""
    return float(np.mean(np.asarray(pq, dtype=float) < np.asarray(p50, dtype=float)))


def rearrange(p50, pq) -> tuple[np.ndarray, np.ndarray]:
    """Monotone rearrangement (Chernozhukov, Fernández-Val and Galichon, 2010): sort each trip's
    predicted quantiles, so the lower quantile gets the smaller value. For two quantiles
    :math:`q_1 < q_2` with crossed predictions :math:`a > b`, swapping changes the summed pinball
    loss by :math:`(a - b)(q_1 - q_2) < 0`: the fix never raises the loss."""
    p50, pq = np.asarray(p50, dtype=float), np.asarray(pq, dtype=float)
    return np.minimum(p50, pq), np.maximum(p50, pq)


def ablation(train: pd.DataFrame, test: pd.DataFrame, quantile: float, seed: int,
             full: pd.DataFrame | None = None) -> pd.DataFrame:
    """P50 and P``quantile`` models refitted without each of :data:`FEATURE_GROUPS`.

    One row per feature set ("all features", "without spatial", ...): pinball loss at 0.5 and at
    ``quantile`` (minutes), coverage of the upper quantile, share of crossed trips, and the summed
    pinball loss before and after :func:`rearrange`. ``full`` may hold the all-feature predictions
    (columns ``P50`` and e.g. ``P90``) to avoid refitting them.
    """
    y, qname = test["minutes"].to_numpy(), quantile_name(quantile)
    sets = {"all features": FEATURES} | {f"without {g}": tuple(f for f in FEATURES if f not in cols)
                                         for g, cols in FEATURE_GROUPS.items()}
    rows = []
    for name, features in sets.items():
        if name == "all features" and full is not None:
            p50, pq = full["P50"].to_numpy(), full[qname].to_numpy()
        else:
            x, xt = train[list(features)].to_numpy(), test[list(features)].to_numpy()
            with threadpool_limits(limits=1, user_api="openmp"):
                p50, pq = (_model("quantile", a, seed, features).fit(x, train["minutes"]).predict(xt)
                           for a in (0.5, quantile))
        lo, hi = rearrange(p50, pq)
        rows.append({"features": name, "pinball q=0.5": pinball_loss(y, p50, 0.5),
                     f"pinball q={quantile:g}": pinball_loss(y, pq, quantile),
                     f"{qname} coverage": float(np.mean(y <= pq)), "crossed": crossing_share(p50, pq),
                     "summed pinball": pinball_loss(y, p50, 0.5) + pinball_loss(y, pq, quantile),
                     "summed pinball, rearranged": pinball_loss(y, lo, 0.5) + pinball_loss(y, hi, quantile)})
    return pd.DataFrame(rows).set_index("features")


@dataclass(frozen=True)
class PromiseComparison:
    """Held-out trip times, the scorecard, and every candidate promise with its late rate.

    ``promises`` maps a label to promise times (min): the quantile model, the mean, the mean plus
    the chosen flat buffer, and the mean plus ``matched`` (the buffer with the quantile model's
    overall coverage). ``chosen`` is the label of the promise shown to riders.
    """

    y: np.ndarray
    card: pd.DataFrame
    matched: float
    promises: dict[str, np.ndarray]
    chosen: str
    late_chosen: float

    @property
    def trip_mean(self) -> float:
        """Mean held-out trip time (min)."""
        return float(self.y.mean())

    def trip_quantile(self, quantile: float) -> float:
        """The ``quantile``-quantile of the held-out trip times (min)."""
        return float(np.quantile(self.y, quantile))

    def duration_marks(self, quantile: float) -> list[tuple[str, float]]:
        """The median, mean and ``quantile``-quantile of the held-out trip times (min)."""
        return [("median", float(np.median(self.y))), ("mean", self.trip_mean),
                (f"{quantile:.0%} quantile", self.trip_quantile(quantile))]


def compare_promises(test: pd.DataFrame, preds: pd.DataFrame, quantile: float, buffer: float,
                     basis: str) -> PromiseComparison:
    """Score the models on held-out ``test`` trips (:func:`scorecard`), find the matched buffer
    (:func:`matched_buffer`) and the late rate of the promise built from ``basis`` (one of
    :data:`PROMISE_BASES`; a flat ``buffer`` in minutes for :attr:`PromiseBasis.MEAN_BUFFER`)."""
    qname = quantile_name(quantile)
    y = test["minutes"].to_numpy()
    card = scorecard(y, preds, quantile)
    matched = matched_buffer(y, preds["mean"], card.loc[qname, "coverage"])
    mean = preds["mean"].to_numpy()
    promises = {f"{qname} model": preds[qname].to_numpy(), "mean": mean, f"mean + {buffer:g} min": mean + buffer,
                f"mean + {matched:.1f} min (same overall coverage as {qname})": mean + matched}
    chosen = {PromiseBasis.QUANTILE: f"{qname} model", PromiseBasis.MEAN: "mean",
              PromiseBasis.MEAN_BUFFER: f"mean + {buffer:g} min"}[PromiseBasis(basis)]
    return PromiseComparison(y, card, matched, promises, chosen, float(np.mean(y > promises[chosen])))
