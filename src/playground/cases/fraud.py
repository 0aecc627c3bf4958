"""Lesson 13: real-time fraud detection: imbalance, streaming velocity features, cost-based
thresholds and adversarial drift.

A seeded stream of card transactions over eight weeks: legitimate spending (daytime, everyday
merchants, near home) and fraud episodes on compromised cards. Before the model ships (day 21)
fraudsters run fast bursts of large electronics purchases from far away; afterwards a growing share
of them adapt: slow, small, daytime gift-card purchases that look like the cardholder. Velocity
features (transactions of the same card in the last minute / hour / day) are computed in event-time
order from the past only.

Amounts and costs are in dollars, times in seconds from the start of the stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits


DAY = 86_400
DAYS = 56
SHIP_DAY = 21
TRAIN_DAYS = 14
MERCHANTS = ("grocery", "restaurant", "fuel", "online retail", "electronics", "gift cards")
LEGIT_MIX = np.array([0.30, 0.25, 0.15, 0.20, 0.07, 0.03])
BURST_MIX = np.array([0.04, 0.04, 0.04, 0.28, 0.50, 0.10])   # fraud before it adapts
ADAPTED_MIX = np.array([0.08, 0.08, 0.04, 0.15, 0.05, 0.60])  # fraud after it adapts
WINDOWS = {"v_1m": 60, "v_1h": 3_600, "v_24h": DAY}
FEATURES = ("log_amount", "hour", "merchant", "log_distance", "new_device", *WINDOWS)
SHIP_WEEK = SHIP_DAY / 7
"""The ship day in weeks from the start of the stream."""
FROZEN, RETRAINED = "frozen at ship", "retrained weekly"
"""The two models of :func:`weekly_scores`."""


class Handling(StrEnum):
    """Class-imbalance treatments (values: what share links and presets carry, kept as they were so
    old links still open; show :data:`HANDLING_LABELS`)."""

    NONE = "none"
    CLASS_WEIGHTS = "class weights"
    UNDERSAMPLE = "undersample legit"


HANDLING: tuple[Handling, ...] = tuple(Handling)
HANDLING_LABELS: dict[Handling, str] = {Handling.NONE: "none", Handling.CLASS_WEIGHTS: "class weights",
                                        Handling.UNDERSAMPLE: "undersample legit"}
HOURLY = np.array([.2, .1, .1, .1, .1, .2, .5, 1, 1.4, 1.5, 1.6, 1.8, 2, 1.8, 1.6, 1.6, 1.7, 1.9, 2,
                   1.8, 1.5, 1.1, .7, .4])


def velocity_counts(card, t, window: float) -> np.ndarray:
    """For each transaction, how many *earlier* transactions of the same card happened in the last
    ``window`` seconds: ``#{j before i : card_j = card_i, t_i − window < t_j ≤ t_i}``.

    "Earlier" is event order: rows must be given sorted by time (ties keep their row order), so a
    transaction never counts itself or anything after it, which is what a streaming feature store
    can know when the transaction arrives.

    Parameters
    ----------
    card : array_like of int
        Card id per transaction.
    t : array_like of int
        Event time in whole seconds, non-decreasing.
    window : float
        Window length in seconds (> 0).
    """
    card, t = np.asarray(card, dtype=np.int64), np.asarray(t, dtype=np.int64)
    if window <= 0:
        raise ValueError("the window must be longer than zero seconds")
    if np.any(np.diff(t) < 0):
        raise ValueError("transactions must be in event-time order")
    if len(t) == 0:
        return np.zeros(0, dtype=int)
    order = np.lexsort((np.arange(len(t)), t, card))          # by card, then time, then arrival
    span = int(t.max() - t.min()) + int(np.ceil(window)) + 1
    key = (card[order] - card.min()) * span + (t[order] - t.min())
    first = np.searchsorted(key, key - window, side="right")   # first event with t_j > t_i - window
    counts = np.empty(len(t), dtype=int)
    counts[order] = np.arange(len(t)) - first
    return counts


def batch_counts(card, t, window: float) -> np.ndarray:
    """The naive batch version of a velocity feature: the card's *other* transactions in the same
    tumbling window ``floor(t / window)`` (a nightly job counting per card per minute / hour / day).

    It counts transactions that happen *after* the one being scored, which the live system cannot
    know: offline it leaks the future, online the same feature is computed from the past only.
    """
    card, t = np.asarray(card, dtype=np.int64), np.asarray(t, dtype=np.int64)
    if window <= 0:
        raise ValueError("the window must be longer than zero seconds")
    bucket = t // int(window)
    keys = pd.Series(card) * (int(bucket.max()) + 1 if len(t) else 1) + pd.Series(bucket)
    return keys.map(keys.value_counts()).to_numpy() - 1


def with_batch_features(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose velocity columns come from :func:`batch_counts` (leaky)."""
    leaky = frame.copy()
    for name, window in WINDOWS.items():
        leaky[name] = batch_counts(frame["card"], frame["t"], window)
    return leaky


def leakage_check(frame: pd.DataFrame, seed: int = 0) -> dict[str, float]:
    """PR-AUC of a model trained on streaming (causal) velocity features vs one trained on the batch
    (leaky) ones, each scored offline (features as in training) and online (features as the live
    system computes them: causal), on the week after the training window."""
    train, test = frame[frame.day < TRAIN_DAYS], frame[(frame.day >= TRAIN_DAYS) & (frame.day < SHIP_DAY)]
    y = test["fraud"].to_numpy()
    causal = fit_model(train, "none", seed)
    leaky = fit_model(with_batch_features(train), "none", seed)
    online = curves(y, score(causal, test)).average_precision
    return {"streaming features, offline": online, "streaming features, online": online,
            "batch features, offline": curves(y, score(leaky, with_batch_features(test))).average_precision,
            "batch features, online": curves(y, score(leaky, test)).average_precision}


def batch_online_change(check: dict[str, float]) -> float:
    """PR-AUC of the batch-feature model online minus offline (:func:`leakage_check`): what the
    leaked counts promised and the live system does not deliver (negative when the leak flattered)."""
    return check["batch features, online"] - check["batch features, offline"]


def velocity_sample(frame: pd.DataFrame, cards: int = 3, rows: int = 12, busy: int = 3) -> pd.DataFrame:
    """The first ``rows`` transactions, in time order per card, of the first ``cards`` cards that
    had at least ``busy`` earlier transactions within a day at some point.

    Returns
    -------
    pandas.DataFrame
        ``card``, ``time`` ("day DD HH:MM:SS", day 01 the first day of the stream), the velocity
        counts (:data:`WINDOWS`), ``amount`` ($) and ``fraud``.
    """
    chosen = frame.loc[frame["v_24h"] >= busy, "card"].unique()[:cards]
    sample = frame[frame["card"].isin(chosen)].sort_values(["card", "t"]).head(rows)
    time = pd.to_datetime(sample["t"], unit="s").dt.strftime("day %d %H:%M:%S")
    return sample.assign(time=time)[["card", "time", *WINDOWS, "amount", "fraud"]]


def velocity_means(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean velocity count per window (columns :data:`WINDOWS`, transactions) of legit (row 0)
    and fraud (row 1) transactions."""
    return frame.groupby("fraud")[list(WINDOWS)].mean()


def _fraud_episodes(rng, n_fraud: int, n_cards: int, drift: float):
    """Fraud transactions in episodes on compromised cards: times, cards and style (adapted or not)."""
    sizes = []
    while sum(sizes) < n_fraud:
        sizes.append(1 + rng.poisson(3))
    sizes = np.array(sizes)
    sizes[-1] -= sizes.sum() - n_fraud
    sizes = sizes[sizes > 0]
    n_ep = len(sizes)
    start = rng.integers(0, DAYS * DAY - 6 * 3600, n_ep)
    day = start // DAY
    p_adapted = drift * np.clip((day - SHIP_DAY) / 14, 0, 1)
    adapted = rng.random(n_ep) < p_adapted
    # adapted fraud starts in the daytime, like the cardholder
    start = np.where(adapted, day * DAY + rng.choice(24, n_ep, p=HOURLY / HOURLY.sum()) * 3600, start)
    ep = np.repeat(np.arange(n_ep), sizes)
    gap = np.where(adapted[ep], rng.exponential(3 * 3600, len(ep)), rng.exponential(300, len(ep)))
    first = np.r_[0, np.cumsum(sizes)[:-1]]
    gap[first] = 0
    offset = np.cumsum(gap) - np.repeat(np.cumsum(gap)[first], sizes)
    t = np.minimum(start[ep] + offset.astype(np.int64), DAYS * DAY - 1)
    return t, rng.integers(0, n_cards, n_ep)[ep], adapted[ep]


def simulate_transactions(fraud_rate: float = 0.005, drift: float = 0.8, n_cards: int = 2000,
                          seed: int = 0) -> pd.DataFrame:
    """Eight weeks of card transactions in event-time order, with features and labels.

    Parameters
    ----------
    fraud_rate : float
        Share of transactions that are fraud (0.001 … 0.05).
    drift : float
        Share of fraud episodes that have adapted by two weeks after the ship day (0 … 1).
    n_cards : int
        Number of cards (each makes about 1.5 transactions a day).
    seed : int
        Random seed.

    Returns
    -------
    DataFrame
        ``t`` (s), ``day``, ``card``, ``amount`` ($), ``merchant`` (index into MERCHANTS),
        ``distance_km``, ``new_device``, the model features, ``fraud`` (0/1) and ``adapted`` (0/1).
    """
    if not 0.001 <= fraud_rate <= 0.05:
        raise ValueError("the fraud rate must be between 0.1 % and 5 %")
    if not 0 <= drift <= 1:
        raise ValueError("drift must be between 0 and 1")
    if n_cards < 10:
        raise ValueError("simulate at least 10 cards")
    rng = np.random.default_rng(seed)
    per_day = np.exp(rng.normal(np.log(1.3), 0.5, n_cards))
    counts = rng.poisson(per_day * DAYS)
    n_legit = int(counts.sum())
    legit_card = np.repeat(np.arange(n_cards), counts)
    legit_t = (rng.integers(0, DAYS, n_legit) * DAY + rng.choice(24, n_legit, p=HOURLY / HOURLY.sum()) * 3600
               + rng.integers(0, 3600, n_legit))
    # one legit purchase in eight follows another of the same card within minutes (parking, tip, top-up)
    follow = np.flatnonzero(rng.random(n_legit) < 0.125)
    source = rng.integers(0, n_legit, len(follow))
    legit_card[follow] = legit_card[source]
    legit_t[follow] = np.minimum(legit_t[source] + rng.exponential(180, len(follow)).astype(np.int64),
                                 DAYS * DAY - 1)
    n_fraud = max(1, int(round(fraud_rate / (1 - fraud_rate) * n_legit)))
    fraud_t, fraud_card, adapted = _fraud_episodes(rng, n_fraud, n_cards, drift)

    fraud = np.r_[np.zeros(n_legit, dtype=int), np.ones(n_fraud, dtype=int)]
    adapted = np.r_[np.zeros(n_legit, dtype=bool), adapted]
    burst = (fraud == 1) & ~adapted
    n = len(fraud)
    merchant = np.where(fraud == 0, rng.choice(6, n, p=LEGIT_MIX),
                        np.where(adapted, rng.choice(6, n, p=ADAPTED_MIX), rng.choice(6, n, p=BURST_MIX)))
    amount = np.round(np.exp(np.where(burst, rng.normal(np.log(120), 1.0, n), rng.normal(np.log(35), 0.9, n))), 2)
    travelling = rng.random(n) < np.where(burst, 0.4, 0.05)
    distance = np.where(travelling, rng.exponential(300, n), rng.exponential(8, n))
    new_device = rng.random(n) < np.where(fraud == 0, 0.03, np.where(adapted, 0.6, 0.3))
    frame = pd.DataFrame({"t": np.r_[legit_t, fraud_t].astype(np.int64), "card": np.r_[legit_card, fraud_card],
                          "amount": amount, "merchant": merchant, "distance_km": distance,
                          "new_device": new_device.astype(int), "fraud": fraud, "adapted": adapted.astype(int)})
    frame = frame.sort_values("t", kind="stable").reset_index(drop=True)
    frame["day"] = frame["t"] // DAY
    frame["hour"] = (frame["t"] % DAY) // 3600
    frame["log_amount"] = np.log1p(frame["amount"])
    frame["log_distance"] = np.log1p(frame["distance_km"])
    for name, window in WINDOWS.items():
        frame[name] = velocity_counts(frame["card"], frame["t"], window)
    return frame


def fit_model(train: pd.DataFrame, handling: str = "none", seed: int = 0,
              weight=None) -> HistGradientBoostingClassifier:
    """Gradient-boosted classifier on :data:`FEATURES` with a class-imbalance treatment.

    ``handling``: ``"none"``; ``"class weights"`` (each class weighs half of the loss);
    ``"undersample legit"`` (keep 10 legit transactions per fraud). Both treatments inflate the
    predicted probabilities: only ``"none"`` stays calibrated. ``weight``: optional weight per row
    (e.g. inverse-propensity weights of explored approvals).
    """
    if handling not in HANDLING:
        raise ValueError(f"unknown imbalance handling {handling!r}")
    y = train["fraud"].to_numpy()
    if y.sum() < 2 or (1 - y).sum() < 2:
        raise ValueError("the training window needs at least two fraud and two legitimate transactions")
    x = train[list(FEATURES)].to_numpy(dtype=float)
    if handling == Handling.UNDERSAMPLE:
        rng = np.random.default_rng(seed)
        legit = np.flatnonzero(y == 0)
        keep = np.r_[np.flatnonzero(y == 1), rng.choice(legit, min(len(legit), 10 * int(y.sum())), replace=False)]
        x, y = x[keep], y[keep]
        weight = None if weight is None else np.asarray(weight, dtype=float)[keep]
    model = HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, max_leaf_nodes=15, min_samples_leaf=20, early_stopping=False,
        l2_regularization=1.0,  # without it, pure-fraud leaves get huge Newton steps and training diverges
        categorical_features=[FEATURES.index("merchant")], random_state=seed,
        class_weight="balanced" if handling == Handling.CLASS_WEIGHTS else None)
    with threadpool_limits(limits=1, user_api="openmp"):
        return model.fit(x, y, sample_weight=weight)


def score(model, frame: pd.DataFrame) -> np.ndarray:
    """Predicted fraud probability of each transaction."""
    with threadpool_limits(limits=1, user_api="openmp"):
        return model.predict_proba(frame[list(FEATURES)].to_numpy(dtype=float))[:, 1]


# ---- curves and costs ------------------------------------------------------------------------
def static_split_scores(frame: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Train one model per imbalance handling on days ``[0, TRAIN_DAYS)`` and score the held-out
    days ``[TRAIN_DAYS, SHIP_DAY)``.

    Returns
    -------
    test : pandas.DataFrame
        The held-out rows (``fraud``, ``amount``, ``card``, ``t`` and the velocity features),
        index reset.
    scores : dict
        Handling (one of :data:`HANDLING`) -> score of each held-out row.
    """
    train = frame[frame.day < TRAIN_DAYS]
    test = frame[(frame.day >= TRAIN_DAYS) & (frame.day < SHIP_DAY)]
    scores = {h: score(fit_model(train, h, seed), test) for h in HANDLING}
    return test[["fraud", "amount", "card", "t", *WINDOWS]].reset_index(drop=True), scores


def _cumulative(y, s, weight=None):
    """Distinct thresholds (descending) and the weighted TP / FP counts of ``score ≥ threshold``."""
    y, s = np.asarray(y), np.asarray(s, dtype=float)
    w = np.ones(len(y)) if weight is None else np.asarray(weight, dtype=float)
    order = np.argsort(-s, kind="stable")
    y, s, w = y[order], s[order], w[order]
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]   # last row of each tied block
    tp, fp = np.cumsum(w * (y == 1))[last], np.cumsum(w * (y == 0))[last]
    return s[last], tp, fp


@dataclass(frozen=True)
class Curves:
    """PR and ROC curves of one score on one labelled set."""

    thresholds: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    fpr: np.ndarray
    roc_auc: float
    average_precision: float


def curves(y, s, weight=None) -> Curves:
    """Precision/recall and ROC of ``score ≥ threshold`` at every distinct score.

    ``average_precision`` = Σ (Rₙ − Rₙ₋₁) Pₙ (no interpolation) and ``roc_auc`` is the trapezoid
    area under (FPR, TPR), the definitions scikit-learn uses. ``weight`` re-weights rows (for
    example legit rows by k to see the same model at a k-times lower fraud rate).
    """
    y = np.asarray(y)
    if len(np.unique(y)) < 2:
        raise ValueError("the evaluation set needs both fraud and legitimate transactions")
    thr, tp, fp = _cumulative(y, s, weight)
    precision, recall, fpr = tp / (tp + fp), tp / tp[-1], fp / fp[-1]
    ap = float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
    auc = float(np.trapezoid(np.r_[0.0, recall], np.r_[0.0, fpr]))
    return Curves(thr, precision, recall, fpr, auc, ap)


def prevalence_sweep(y, s, rates) -> pd.DataFrame:
    """ROC-AUC and PR-AUC of the same scores as if fraud were rarer or commoner.

    Legit rows are weighted by ``k = (b / (1 − b)) / (r / (1 − r))`` (``b`` the observed fraud
    rate), so the weighted fraud rate is exactly ``r``; the model and its scores stay the same.

    Returns
    -------
    pandas.DataFrame
        ``fraud rate``, ``ROC-AUC``, ``PR-AUC`` (average precision), one row per rate in ``rates``.
    """
    y = np.asarray(y)
    base = y.mean()
    rows = []
    for rate in rates:
        if not 0 < rate < 1:
            raise ValueError(f"a fraud rate ({rate}) must be strictly between 0 and 1")
        k = (base / (1 - base)) / (rate / (1 - rate))
        c = curves(y, s, np.where(y == 0, k, 1.0))
        rows.append({"fraud rate": rate, "ROC-AUC": c.roc_auc, "PR-AUC": c.average_precision})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class CostCurve:
    """Expected cost of declining every transaction with ``score ≥ threshold``.

    ``cost`` is in dollars over the evaluation set; ``best`` indexes its minimum. The first entry is
    the threshold +inf (approve everything).
    """

    thresholds: np.ndarray
    cost: np.ndarray
    missed_fraud: np.ndarray
    friction: np.ndarray
    best: int


def cost_curve(y, s, amount, friction: float, fee: float) -> CostCurve:
    """Cost(t) = Σ_{fraud, s<t} (amount + fee) + Σ_{legit, s≥t} friction.

    A missed fraud costs its amount (charged back) plus the chargeback fee; a false decline costs
    ``friction`` (lost margin and an annoyed customer). Caught fraud and approved legit cost nothing.
    """
    if friction < 0 or fee < 0:
        raise ValueError("costs cannot be negative")
    y, amount = np.asarray(y), np.asarray(amount, dtype=float)
    loss = np.where(y == 1, amount + fee, 0.0)
    # weight fraud rows by their loss and legit rows by 1: the "TP" sum is the loss caught and the
    # "FP" sum the number of false declines at each threshold
    thr, caught_loss, fp = _cumulative(y, s, weight=np.where(y == 1, loss, 1.0))
    missed = loss.sum() - np.r_[0.0, caught_loss]
    fric = friction * np.r_[0.0, fp]
    cost = missed + fric
    return CostCurve(np.r_[np.inf, thr], cost, missed, fric, int(np.argmin(cost)))


def cost_at(y, s, amount, threshold: float, friction: float, fee: float) -> float:
    """Cost of declining ``score ≥ threshold`` (the direct sum the curve is built from)."""
    y, s, amount = np.asarray(y), np.asarray(s), np.asarray(amount, dtype=float)
    decline = s >= threshold
    return float(np.sum((amount + fee)[(y == 1) & ~decline]) + friction * np.sum((y == 0) & decline))


def confusion_at(y, s, threshold: float) -> dict[str, float]:
    """Precision, recall, false-positive rate and counts of declining ``score ≥ threshold``."""
    y, s = np.asarray(y), np.asarray(s)
    decline = s >= threshold
    tp, fp = int(np.sum(decline & (y == 1))), int(np.sum(decline & (y == 0)))
    fn, tn = int(np.sum(~decline & (y == 1))), int(np.sum(~decline & (y == 0)))
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / (tp + fn) if tp + fn else float("nan"),
            "fpr": fp / (fp + tn) if fp + tn else float("nan")}


def bayes_decline(p, amount, friction: float, fee: float) -> np.ndarray:
    """Decline when the expected chargeback exceeds the expected friction: p·(amount + fee) > (1 − p)·friction.

    Only meaningful with calibrated probabilities (no re-weighting or resampling)."""
    p, amount = np.asarray(p, dtype=float), np.asarray(amount, dtype=float)
    return p * (amount + fee) > (1 - p) * friction


# ---- drift after ship ------------------------------------------------------------------------
@dataclass(frozen=True)
class WeekScores:
    """One model's scores on one week of transactions after the training window."""

    week: int
    model: str
    p: np.ndarray
    y: np.ndarray
    amount: np.ndarray
    adapted_share: float


def weekly_scores(frame: pd.DataFrame, label_delay: int, seed: int = 0) -> list[WeekScores]:
    """Score every week from the end of training to the end of the stream with the model frozen at
    ship and with a model retrained each week on the last two weeks of *labelled* data, where a
    transaction's label (chargeback) arrives ``label_delay`` days after it."""
    if not 0 <= label_delay <= 28:
        raise ValueError("the label delay must be between 0 and 28 days")
    frozen = fit_model(frame[frame.day < TRAIN_DAYS], "none", seed)
    out = []
    for week in range(TRAIN_DAYS // 7, DAYS // 7):
        test = frame[(frame.day >= 7 * week) & (frame.day < 7 * week + 7)]
        known_until = 7 * week - label_delay
        window = frame[(frame.day >= max(0, known_until - TRAIN_DAYS)) & (frame.day < known_until)]
        retrained = frozen
        if week * 7 >= SHIP_DAY and window.fraud.sum() >= 2:
            retrained = fit_model(window, "none", seed)
        y, amount = test["fraud"].to_numpy(), test["amount"].to_numpy()
        adapted = float(test.loc[test.fraud == 1, "adapted"].mean()) if y.any() else float("nan")
        for name, model in ((FROZEN, frozen), (RETRAINED, retrained)):
            out.append(WeekScores(week, name, score(model, test), y, amount, adapted))
    return out


def weekly_metrics(scores: list[WeekScores], friction: float, fee: float) -> pd.DataFrame:
    """Precision, recall, PR-AUC and cost per 1,000 transactions of each week's decisions
    (:func:`bayes_decline`)."""
    rows = []
    for item in scores:
        decline = bayes_decline(item.p, item.amount, friction, fee)
        conf = confusion_at(item.y, decline.astype(float), 0.5)
        rows.append({"week": item.week, "model": item.model, "precision": conf["precision"],
                     "recall": conf["recall"],
                     "PR-AUC": curves(item.y, item.p).average_precision if 0 < item.y.sum() < len(item.y)
                     else np.nan,
                     "cost per 1k txns ($)": 1000 * cost_at(item.y, decline.astype(float), item.amount, 0.5,
                                                            friction, fee) / len(item.y),
                     "adapted share of fraud": item.adapted_share})
    return pd.DataFrame(rows)


def weekly_drift(frame: pd.DataFrame, label_delay: int, friction: float, fee: float,
                 seed: int = 0) -> pd.DataFrame:
    """:func:`weekly_scores` then :func:`weekly_metrics`: the model frozen at ship vs retrained
    weekly on delayed labels, week by week."""
    return weekly_metrics(weekly_scores(frame, label_delay, seed), friction, fee)


def recent_weeks(weeks: pd.DataFrame, n_weeks: int = 2) -> pd.DataFrame:
    """Mean recall and PR-AUC of each model over the last ``n_weeks`` weeks of
    :func:`weekly_metrics` (rows by ``model``; columns ``recall`` and ``PR-AUC``, fractions)."""
    if n_weeks < 1:
        raise ValueError("average over at least one week")
    last = weeks[weeks.week > weeks.week.max() - n_weeks]
    return last.groupby("model")[["recall", "PR-AUC"]].mean()


def adapted_by_week(weeks: pd.DataFrame) -> list[float]:
    """Share of each week's fraud in the adapted style, week by week from :func:`weekly_metrics`
    (0 for a week without fraud)."""
    frozen = weeks[weeks.model == FROZEN].sort_values("week")
    return frozen["adapted share of fraud"].fillna(0).tolist()


# ---- selective labels and an honest threshold ----------------------------------------------------
def ips_fraud_total(y, declined, explored, explore: float) -> float:
    """Inverse-propensity estimate of the fraud count in a decision window where declined
    transactions never get a label, except a random share ``explore`` of them that is approved
    anyway (``explored``): :math:`\\sum_{\\text{approved}} y_i + \\sum_{\\text{explored}} y_i/\\varepsilon`.
    Unbiased over the exploration draw; ``y`` is only read where a label exists."""
    y, declined, explored = (np.asarray(a, dtype=bool) for a in (y, declined, explored))
    if not 0 < explore <= 1:
        raise ValueError("the exploration share must be in (0, 1]")
    if np.any(explored & ~declined):
        raise ValueError("only would-be-declined transactions can be explored")
    return float(np.sum(y & ~declined) + np.sum(y & explored) / explore)


@dataclass(frozen=True)
class SelectiveLabels:
    """Retraining after two weeks of live decisions, scored on the following week.

    ``table``: one row per training set ("all labels (oracle)", "approved only", "approved +
    exploration, IPS-weighted") with the rows it has, fraud it saw, PR-AUC and recall at the
    deployed threshold on the next week. ``fraud_true``, ``fraud_naive``, ``fraud_ips``: fraud count
    in the decision window, true, counted from approved labels only, and the IPS estimate.
    """

    table: pd.DataFrame
    fraud_true: int
    fraud_naive: int
    fraud_ips: float


def selective_labels(frame: pd.DataFrame, threshold: float, explore: float, seed: int = 0) -> SelectiveLabels:
    """The model trained on days ``[0, TRAIN_DAYS)`` declines ``score ≥ threshold`` on days
    ``[TRAIN_DAYS, TRAIN_DAYS + 14)``; declined transactions get no label except a random share
    ``explore`` approved anyway. Models retrained on that window are scored on the week after it."""
    if not 0 < threshold < 1 or not 0 < explore <= 1:
        raise ValueError("the threshold must be in (0, 1) and the exploration share in (0, 1]")
    deployed = fit_model(frame[frame.day < TRAIN_DAYS], "none", seed)
    window = frame[(frame.day >= TRAIN_DAYS) & (frame.day < TRAIN_DAYS + 14)]
    later = frame[(frame.day >= TRAIN_DAYS + 14) & (frame.day < TRAIN_DAYS + 21)]
    declined = score(deployed, window) >= threshold
    explored = declined & (np.random.default_rng(seed).random(len(window)) < explore)
    y, y_later = window["fraud"].to_numpy(), later["fraud"].to_numpy()
    sets = {"all labels (oracle)": (np.ones(len(window), bool), None),
            "approved only": (~declined, None),
            "approved + exploration, IPS-weighted": (~declined | explored,
                                                     np.where(explored, 1 / explore, 1.0)[~declined | explored])}
    rows = []
    for name, (keep, weight) in sets.items():
        p = score(fit_model(window[keep], "none", seed, weight), later)
        rows.append({"training set": name, "rows": int(keep.sum()), "fraud seen": int(y[keep].sum()),
                     "PR-AUC next week": curves(y_later, p).average_precision,
                     "recall next week": confusion_at(y_later, p, threshold)["recall"]})
    return SelectiveLabels(pd.DataFrame(rows).set_index("training set"), int(y.sum()),
                           int(y[~declined].sum()), ips_fraud_total(y, declined, explored, explore))


@dataclass(frozen=True)
class ThresholdTransfer:
    """A cost threshold chosen on a validation week and the cost it gives on a later week.

    Costs in dollars per 1,000 transactions: ``validation`` at the chosen threshold, ``later`` at
    the same threshold, ``later_best`` at the later week's own optimum (only knowable in hindsight).
    """

    threshold: float
    validation: float
    later: float
    later_best: float


def threshold_transfer(frame: pd.DataFrame, friction: float, fee: float, seed: int = 0) -> ThresholdTransfer:
    """Train on days ``[0, TRAIN_DAYS)``, choose the cost-minimising threshold on the next week,
    report the cost of that threshold on the week after (days ``[TRAIN_DAYS + 7, TRAIN_DAYS + 14)``)."""
    model = fit_model(frame[frame.day < TRAIN_DAYS], "none", seed)
    weeks = [frame[(frame.day >= TRAIN_DAYS + 7 * k) & (frame.day < TRAIN_DAYS + 7 * k + 7)] for k in (0, 1)]
    (yv, pv, av), (yl, pl, al) = ((w["fraud"].to_numpy(), score(model, w), w["amount"].to_numpy()) for w in weeks)
    val = cost_curve(yv, pv, av, friction, fee)
    chosen = float(val.thresholds[val.best])
    later = cost_curve(yl, pl, al, friction, fee)
    return ThresholdTransfer(chosen, 1000 * float(val.cost[val.best]) / len(yv),
                             1000 * cost_at(yl, pl, al, chosen, friction, fee) / len(yl),
                             1000 * float(later.cost[later.best]) / len(yl))
