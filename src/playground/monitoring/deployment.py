"""Lesson 7: deployment safety — a retrained model goes live only if it beats the one serving.

A scheduled retrain is only as good as its training window. Here a logging incident inverts the
labels of a few days (``bad_days``); the next scheduled retrain learns from them and is worse
than the model it replaces. Two rollouts are replayed on the same stream:

* ``direct``: every retrained model replaces the serving one at once;
* ``shadow``: the candidate scores live traffic in shadow (its predictions are logged, not served)
  for ``shadow_days``; once those days' labels are in (``label_delay`` later) it is promoted only
  if its accuracy on them is at least the serving model's minus ``tolerance``; otherwise it is
  rolled back (discarded) and the serving model stays.

Accuracy is always measured on the true labels of each day: the incident corrupts only what the
retrain learns from. A canary (a small share of traffic served by the candidate) follows the same
decision rule with live exposure instead of shadow scoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from playground.monitoring.drift import Stream
from playground.monitoring.retraining import fit_model, predict_proba


@dataclass
class Rollout:
    """Day-by-day outcome of one rollout strategy.

    Attributes
    ----------
    accuracy : ndarray (days,)
        Accuracy of the model serving each day (NaN in the initial training window).
    promoted, rolled_back : list of int
        Days a candidate went live, and days a candidate was discarded.
    poisoned : list of int
        Days a model trained on incident days went live.
    """

    name: str
    accuracy: np.ndarray
    promoted: list[int] = field(default_factory=list)
    rolled_back: list[int] = field(default_factory=list)
    poisoned: list[int] = field(default_factory=list)

    def mean_accuracy(self, since: int = 0) -> float:
        return float(np.nanmean(self.accuracy[since:]))

    def worst_day(self) -> float:
        return float(np.nanmin(self.accuracy))

    def mean_accuracy_after(self, day: int, days: int) -> float:
        """Mean accuracy over the ``days`` days after ``day`` (``day + 1`` … ``day + days``)."""
        return float(np.nanmean(self.accuracy[day + 1: day + 1 + days]))


def incident_window(start: int, length: int, days: int) -> tuple[int, int] | None:
    """Days ``[start, end)`` of a labelling incident of ``length`` days, cut at the stream's
    end (``days``); None when ``length`` is 0."""
    return (start, min(start + length, days)) if length else None


def _accuracy(model, stream: Stream, days: slice) -> float:
    return float(np.mean((predict_proba(model, stream.x[days]) > 0.5) == stream.y[days]))


def replay(stream: Stream, shadow: bool, bad_days: tuple[int, int] | None = (70, 76),
           train_days: int = 20, every: int = 14, window_days: int = 14, label_delay: int = 0,
           shadow_days: int = 3, tolerance: float = 0.0) -> Rollout:
    """Replay a fixed-schedule retraining with or without a shadow gate.

    Parameters
    ----------
    stream : Stream
        The stream (its labels are the truth).
    shadow : bool
        Gate each candidate behind ``shadow_days`` of shadow scoring.
    bad_days : (int, int) or None
        Days ``[a, b)`` whose *logged* labels are inverted (a logging incident); None for none.
    train_days, every, window_days, label_delay :
        As in :func:`playground.monitoring.retraining.run_policy` (fixed schedule).
    shadow_days : int
        Days a candidate is scored in shadow before the comparison (≥ 1).
    tolerance : float
        Accuracy the candidate may lose against the serving model and still be promoted.
    """
    days = stream.days
    if not 1 <= train_days < days:
        raise ValueError(f"the training window ({train_days} days) must be shorter than the stream")
    if every < 1 or window_days < 1 or label_delay < 0 or shadow_days < 1:
        raise ValueError("schedule, window and shadow must be at least 1 day, label delay ≥ 0")
    logged = stream.y.copy()
    if bad_days is not None:
        a, b = bad_days
        if not 0 <= a < b <= days:
            raise ValueError(f"the incident days {a} … {b} must lie inside the stream (0 … {days})")
        logged[a:b] = 1 - logged[a:b]
    serving = fit_model(stream.x[:train_days], logged[:train_days])
    out = Rollout("shadow" if shadow else "direct", np.full(days, np.nan))
    last_train, candidate, decide_on, tainted = train_days - 1, None, None, False
    for day in range(train_days, days):
        out.accuracy[day] = _accuracy(serving, stream, slice(day, day + 1))
        if candidate is not None and day == decide_on:
            window = slice(decide_on - label_delay - shadow_days + 1, decide_on - label_delay + 1)
            if _accuracy(candidate, stream, window) >= _accuracy(serving, stream, window) - tolerance:
                serving = candidate
                out.promoted.append(day)
                if tainted:
                    out.poisoned.append(day)
            else:
                out.rolled_back.append(day)
            candidate = None
        known = day - label_delay
        if day - last_train >= every and known >= 0 and candidate is None:
            lo = max(0, known - window_days + 1)
            try:
                new = fit_model(stream.x[lo: known + 1], logged[lo: known + 1])
            except ValueError:
                continue
            last_train = day
            tainted = bad_days is not None and lo < bad_days[1] and known >= bad_days[0]
            if shadow:  # scored in shadow on days day+1 … day+shadow_days, judged when labelled
                candidate, decide_on = new, day + shadow_days + label_delay
            else:
                serving = new
                out.promoted.append(day)
                if tainted:
                    out.poisoned.append(day)
    return out
