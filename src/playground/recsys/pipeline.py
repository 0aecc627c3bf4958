"""Lesson 2: how a training-data pipeline lies, and the online metric that catches it.

A synthetic impression log with timestamps. An old ranker shows each request a slate of items,
popular items on top; the user examines position ``k`` with probability ``k^-η`` and clicks an
examined item with probability ``σ(c0 + a_ui + b_u + τ_u,topic(i) + 0.2 log pop_i)`` (affinity,
the user's own click-happiness, their taste for the item's topic, a little popularity). A daily
feature job writes snapshots at midnight:

* ``user_topic_ctr``: the user's smoothed click rate on the item's topic over every impression
  before the snapshot,
* ``item_pop``: ``log1p`` of the item's impressions over the 7 days before the snapshot.

A pipeline turns the log into training rows and a ranker. Five switches each
swap a production step for its naive version:

======================  ==========================================  ==================================
switch                  naive                                        production
======================  ==========================================  ==================================
label leakage           adds ``dwell`` (seconds watched, known       no feature logged after the label
                        only after the click) as a feature
point-in-time join      joins the *latest* snapshot (built after      ``pandas.merge_asof``: the last
                        the rows, so it contains their labels)        snapshot at or before each row
train/serve skew        the serving team re-implements               one shared definition
                        ``user_topic_ctr``: unsmoothed, in percent
                        (100 · clicks / impressions, 0 if none)
position bias           trains on raw clicks, positions ignored      position is a training feature,
                                                                     fixed to the top slot when serving
negative sampling       clicked impressions + random catalogue       impressed-but-not-clicked
                        items as negatives                           impressions as negatives
======================  ==========================================  ==================================

The ranker is a gradient-boosted tree model (scikit-learn ``HistGradientBoostingClassifier``).
*Offline* AUC is measured the way the team would: on the last week of the log, built by the same
pipeline. *Online* AUC is measured on the following week, built correctly (as-of features,
serving definitions, no post-label features), with labels from the top slot (no position bias):
what the model will actually face.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits


START = pd.Timestamp("2026-01-05")
DAY = pd.Timedelta(days=1)
CTR_PRIOR = (0.3, 2.0)  # smoothing of user_topic_ctr: (clicks + 0.3) / (impressions + 2)
POP_WINDOW_DAYS = 7
FAULTS = {
    "leak": "Label leakage",
    "join": "Non point-in-time join",
    "skew": "Train/serve skew",
    "position": "Position bias ignored",
    "negatives": "Random negatives",
}
PRODUCTION_ROW = "Production (all correct)"  # the production row of fault_table


@dataclass(frozen=True)
class LogConfig:
    """Size and behaviour of the synthetic log.

    Attributes
    ----------
    n_users, n_items : int
        Population sizes.
    train_days, offline_days, online_days : int
        Consecutive windows: training rows, the offline evaluation week, the online week.
    requests_per_day : float
        Mean requests per user per day (Poisson).
    slate : int
        Items shown per request (positions 1 … slate).
    position_bias : float
        ``η`` in P(examine position k) = k^-η (0: every position is seen).
    """

    n_users: int = 1000
    n_items: int = 300
    n_topics: int = 10
    train_days: int = 14
    offline_days: int = 7
    online_days: int = 7
    requests_per_day: float = 0.4
    slate: int = 5
    position_bias: float = 1.0

    @property
    def days(self) -> int:
        """Length of the whole log in days."""
        return self.train_days + self.offline_days + self.online_days


@dataclass(frozen=True)
class EventLog:
    """The simulated log and the hidden truth behind it.

    Attributes
    ----------
    impressions : DataFrame
        One row per shown item: ``ts`` (timestamp), ``day``, ``request``, ``user_id``,
        ``item_id``, ``topic``, ``user_topic`` (user_id · n_topics + topic), ``position``
        (1 = top), ``examined``, ``click`` (0/1), ``dwell`` (seconds watched, 0 without a click)
        and ``relevance`` (true P(click | examined)).
    affinity_feature : ndarray (n_users, n_items)
        The embedding score the ranker may use (true affinity plus noise).
    relevance : ndarray (n_users, n_items)
        True P(click | examined).
    config : LogConfig
        How it was generated.
    """

    impressions: pd.DataFrame
    affinity_feature: np.ndarray
    relevance: np.ndarray
    topic: np.ndarray
    config: LogConfig
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def cached(self, key, make):
        """Memoise a table derived from this log (snapshots, built rows) under ``key``."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]


def validate_config(cfg: LogConfig) -> None:
    """Raise ``ValueError`` with a readable sentence for an unusable configuration."""
    if cfg.n_users < 20 or cfg.n_items < 2 * cfg.slate:
        raise ValueError(f"need at least 20 users and twice the slate size in items (slate {cfg.slate})")
    if min(cfg.train_days, cfg.offline_days, cfg.online_days) < 1:
        raise ValueError("training, offline and online windows must each span at least one day")
    if not 0 < cfg.requests_per_day <= 10:
        raise ValueError("requests per user per day must be in (0, 10]")
    if not 0 <= cfg.position_bias <= 5:
        raise ValueError("position bias η must be between 0 and 5")


def examination(position: np.ndarray, eta: float) -> np.ndarray:
    """P(the user looks at an item at ``position``) = position^-η."""
    return np.asarray(position, float) ** -eta


def make_log(cfg: LogConfig = LogConfig(), seed: int = 0) -> EventLog:
    """Simulate the impression log (see module docstring for the model)."""
    validate_config(cfg)
    rng = np.random.default_rng(seed)
    dim = 8
    users = rng.normal(0, 1 / np.sqrt(dim), (cfg.n_users, dim))
    items = rng.normal(0, 1 / np.sqrt(dim), (cfg.n_items, dim))
    affinity = 2.5 * users @ items.T
    user_bias = rng.normal(0, 0.6, cfg.n_users)
    topic = rng.integers(0, cfg.n_topics, cfg.n_items)
    taste = rng.normal(0, 0.8, (cfg.n_users, cfg.n_topics))
    log_pop = np.log(1.0 / np.arange(1, cfg.n_items + 1) ** 1.0)[rng.permutation(cfg.n_items)]
    log_pop -= log_pop.mean()
    relevance = expit(-1.8 + affinity + user_bias[:, None] + taste[:, topic] + 0.2 * log_pop[None, :])
    affinity_feature = affinity + rng.normal(0, 0.5, affinity.shape)

    activity = rng.gamma(0.5, 2.0, cfg.n_users)  # mean 1: many light users, a few heavy ones
    counts = rng.poisson(cfg.requests_per_day * activity[:, None], (cfg.n_users, cfg.days))
    nz_user, nz_day = np.nonzero(counts)
    req_user = np.repeat(nz_user, counts[nz_user, nz_day])
    req_day = np.repeat(nz_day, counts[nz_user, nz_day])
    n_req = req_user.size
    if n_req == 0:
        raise ValueError("the log is empty: raise the number of users or requests per day")
    ts_days = req_day + rng.random(n_req)
    # the old ranker: candidates by popularity and affinity (Gumbel top-k = sampling without
    # replacement), then ordered by a noisy popularity score (popular on top)
    uniform = rng.random((n_req, cfg.n_items), dtype=np.float32)
    gumbel = -np.log(-np.log(np.maximum(uniform, np.float32(1e-12))))
    keys = (log_pop[None, :] + 0.5 * affinity[req_user]).astype(np.float32) + gumbel
    slate = np.argpartition(-keys, cfg.slate - 1, axis=1)[:, : cfg.slate]
    order_key = log_pop[slate] + rng.normal(0, 0.5, slate.shape)
    slate = np.take_along_axis(slate, np.argsort(-order_key, axis=1), axis=1)

    position = np.tile(np.arange(1, cfg.slate + 1), n_req)
    user = np.repeat(req_user, cfg.slate)
    item = slate.ravel()
    rel = relevance[user, item]
    examined = rng.random(user.size) < examination(position, cfg.position_bias)
    click = (examined & (rng.random(user.size) < rel)).astype(int)
    dwell = click * np.exp(rng.normal(np.log(90), 0.6, user.size))
    t = np.repeat(ts_days, cfg.slate)
    frame = pd.DataFrame({
        "ts": START + pd.to_timedelta(t, unit="D"), "day": np.floor(t).astype(int),
        "request": np.repeat(np.arange(n_req), cfg.slate), "user_id": user, "item_id": item,
        "topic": topic[item], "user_topic": user * cfg.n_topics + topic[item], "position": position,
        "examined": examined, "click": click, "dwell": dwell.round(1),
        "relevance": rel,
    }).sort_values(["ts", "position"], kind="stable").reset_index(drop=True)
    return EventLog(frame, affinity_feature, relevance, topic, cfg)


# ---- the daily feature job -----------------------------------------------------------------

def _daily(log: EventLog, key: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Impressions and clicks per (entity, day), shape (n, days)."""
    imp = log.impressions
    days = log.config.days
    flat = imp[key].to_numpy() * days + imp["day"].to_numpy()
    views = np.bincount(flat, minlength=n * days).reshape(n, days).astype(float)
    clicks = np.bincount(flat, imp["click"].to_numpy(float), n * days).reshape(n, days)
    return views, clicks


def _long(values: np.ndarray, key: str, name: str) -> pd.DataFrame:
    """(entity, snapshot day) matrix -> long table with a snapshot timestamp, sorted by time."""
    n, days = values.shape
    return pd.DataFrame({  # built day-major, so already sorted by (snapshot_ts, key)
        "snapshot_ts": START + pd.to_timedelta(np.repeat(np.arange(days), n), unit="D"),
        key: np.tile(np.arange(n), days), name: values.T.ravel(),
    })


def user_snapshots(log: EventLog) -> pd.DataFrame:
    """``user_topic_ctr`` per (user, topic), written at midnight of every day from all impressions
    *before* that midnight: ``(clicks + 0.3) / (impressions + 2)``; and
    ``user_topic_ctr_serving``, the serving team's re-implementation of the same feature
    (``100 · clicks / impressions``, 0 without history) used by the skewed pipeline online."""
    views, clicks = _daily(log, "user_topic", log.config.n_users * log.config.n_topics)
    before_v = np.cumsum(views, axis=1) - views
    before_c = np.cumsum(clicks, axis=1) - clicks
    ctr = (before_c + CTR_PRIOR[0]) / (before_v + CTR_PRIOR[1])
    table = _long(ctr, "user_topic", "user_topic_ctr")
    raw = 100 * np.divide(before_c, before_v, out=np.zeros_like(before_c), where=before_v > 0)
    table["user_topic_ctr_serving"] = _long(raw, "user_topic", "x")["x"].to_numpy()
    return table


def item_snapshots(log: EventLog) -> pd.DataFrame:
    """Per item and midnight: ``item_pop`` = log1p(impressions over the previous 7 days)."""
    views, _ = _daily(log, "item_id", log.config.n_items)
    cum = np.concatenate([np.zeros((views.shape[0], 1)), np.cumsum(views, axis=1)], axis=1)
    days = np.arange(views.shape[1])
    window = cum[:, days] - cum[:, np.maximum(days - POP_WINDOW_DAYS, 0)]
    return _long(np.log1p(window), "item_id", "item_pop")


def as_of_join(rows: pd.DataFrame, snapshots: pd.DataFrame, key: str) -> pd.DataFrame:
    """Attach to each row the latest snapshot of its ``key`` taken at or before the row's ``ts``.

    This is the point-in-time (as-of) join: ``pandas.merge_asof`` with ``direction="backward"``.
    Rows keep their original order; a row older than every snapshot gets NaN.
    """
    left = rows.reset_index(drop=False).sort_values("ts", kind="stable")
    right = snapshots.sort_values("snapshot_ts", kind="stable")
    left["ts"] = left["ts"].astype("datetime64[ns]")
    right = right.assign(snapshot_ts=right["snapshot_ts"].astype("datetime64[ns]"))
    merged = pd.merge_asof(left, right, left_on="ts", right_on="snapshot_ts", by=key,
                           direction="backward", allow_exact_matches=True)
    return merged.sort_values("index").drop(columns=["index"]).reset_index(drop=True)


def latest_join(rows: pd.DataFrame, snapshots: pd.DataFrame, key: str,
                built_at: pd.Timestamp) -> pd.DataFrame:
    """The naive join: every row gets the snapshot current when the pipeline runs (``built_at``),
    computed from data that includes the rows' own labels and their future."""
    latest = snapshots[snapshots["snapshot_ts"] <= built_at].sort_values("snapshot_ts", kind="stable")
    return rows.merge(latest.groupby(key).tail(1), on=key, how="left")


# ---- pipelines ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pipeline:
    """Which steps are naive. All False is the production pipeline.

    Attributes
    ----------
    leak : bool
        Add the post-label ``dwell`` feature.
    join : bool
        Join the latest snapshot instead of the as-of snapshot.
    skew : bool
        Serve ``user_topic_ctr`` with the serving team's own definition (percent, unsmoothed).
    position : bool
        Ignore position bias (no position feature).
    negatives : bool
        Random catalogue items as negatives instead of impressed-not-clicked.
    neg_per_pos : int
        Random negatives drawn per positive (only with ``negatives``).
    """

    leak: bool = False
    join: bool = False
    skew: bool = False
    position: bool = False
    negatives: bool = False
    neg_per_pos: int = 4

    @property
    def features(self) -> list[str]:
        """Model input columns."""
        cols = ["affinity", "user_topic_ctr", "item_pop"]
        if not self.position:
            cols.append("log_position")
        if self.leak:
            cols.append("dwell")
        return cols

    def naive_steps(self) -> list[str]:
        """Names of the switched-on faults."""
        return [label for key, label in FAULTS.items() if getattr(self, key)]


NAIVE = Pipeline(leak=True, join=True, skew=True, position=True, negatives=True)
PRODUCTION = Pipeline()


def _window(log: EventLog, first_day: int, days: int) -> pd.DataFrame:
    imp = log.impressions
    return imp[(imp["day"] >= first_day) & (imp["day"] < first_day + days)]


def _random_negatives(log: EventLog, positives: pd.DataFrame, per_pos: int, rng) -> pd.DataFrame:
    """``per_pos`` catalogue items drawn uniformly for every positive's user and time, label 0.

    They were never shown: no dwell; their position is drawn from the logged positions."""
    n = len(positives) * per_pos
    neg = pd.DataFrame({
        "ts": np.repeat(positives["ts"].to_numpy(), per_pos),
        "user_id": np.repeat(positives["user_id"].to_numpy(), per_pos),
        "item_id": rng.integers(0, log.config.n_items, n),
        "position": rng.integers(1, log.config.slate + 1, n),
        "click": 0, "dwell": 0.0,
    })
    neg["user_topic"] = neg["user_id"] * log.config.n_topics + log.topic[neg["item_id"]]
    return pd.concat([positives[neg.columns], neg], ignore_index=True)


def build_rows(log: EventLog, first_day: int, days: int, pipe: Pipeline, built_at_day: int,
               seed: int = 0) -> pd.DataFrame:
    """Training / offline-evaluation rows for a window, built the way ``pipe`` builds them.

    ``built_at_day`` is when the batch job runs (the naive join uses the snapshot of that day).
    Returns the feature columns plus ``label``.
    """
    window = _window(log, first_day, days)
    if pipe.negatives:
        rows = _random_negatives(log, window[window["click"] == 1], pipe.neg_per_pos,
                                 np.random.default_rng([seed, first_day]))
    else:
        rows = window[["ts", "user_id", "user_topic", "item_id", "position", "click", "dwell"]]
    rows = rows.reset_index(drop=True)
    users = log.cached("users", lambda: user_snapshots(log))
    items = log.cached("items", lambda: item_snapshots(log))
    if pipe.join:
        built_at = START + built_at_day * DAY
        rows = latest_join(latest_join(rows, users, "user_topic", built_at), items, "item_id", built_at)
    else:
        rows = as_of_join(as_of_join(rows, users, "user_topic").drop(columns="snapshot_ts"),
                          items, "item_id")
    return _finish(log, rows)


def online_rows(log: EventLog, pipe: Pipeline, seed: int = 0) -> pd.DataFrame:
    """The week after the offline week, as the model meets it when serving: as-of features with
    the serving definition, nothing known after the label (dwell = 0), every candidate in the top
    slot (position 1), and labels drawn from the true relevance (no position bias)."""
    cfg = log.config
    window = _window(log, cfg.train_days + cfg.offline_days, cfg.online_days)
    rng = np.random.default_rng([seed, 7])
    rows = window[["ts", "user_id", "user_topic", "item_id"]].reset_index(drop=True)
    rows["position"] = 1
    rows["dwell"] = 0.0
    rows["click"] = (rng.random(len(rows)) < window["relevance"].to_numpy()).astype(int)
    users = log.cached("users", lambda: user_snapshots(log))
    items = log.cached("items", lambda: item_snapshots(log))
    rows = as_of_join(as_of_join(rows, users, "user_topic").drop(columns="snapshot_ts"), items, "item_id")
    if pipe.skew:
        rows["user_topic_ctr"] = rows["user_topic_ctr_serving"].fillna(0.0)
    return _finish(log, rows)


def _finish(log: EventLog, rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.copy()
    rows["affinity"] = log.affinity_feature[rows["user_id"].to_numpy(), rows["item_id"].to_numpy()]
    rows["log_position"] = np.log(rows["position"].to_numpy(float))
    rows["label"] = rows["click"].astype(int)
    rows[["user_topic_ctr", "item_pop"]] = rows[["user_topic_ctr", "item_pop"]].fillna(
        {"user_topic_ctr": CTR_PRIOR[0] / CTR_PRIOR[1], "item_pop": 0.0})
    return rows


def serving_view(rows: pd.DataFrame) -> pd.DataFrame:
    """What the model sees when it ranks: the top slot and no post-label value."""
    view = rows.copy()
    view["log_position"] = 0.0
    view["dwell"] = 0.0
    return view


@dataclass(frozen=True)
class Result:
    """Offline vs online quality of one pipeline.

    Attributes
    ----------
    offline_auc : float
        AUC on the offline week built by the same pipeline (what the team reports).
    online_auc : float
        AUC on the online week built correctly (what users experience).
    features : tuple of str
        Model inputs.
    n_train : int
        Training rows.
    positive_rate : float
        Share of positive training rows.
    """

    offline_auc: float
    online_auc: float
    features: tuple
    n_train: int
    positive_rate: float

    @property
    def gap(self) -> float:
        """How much offline overstates online (AUC points)."""
        return self.offline_auc - self.online_auc


def _auc(labels: np.ndarray, scores: np.ndarray) -> float:
    if len(np.unique(labels)) < 2:
        raise ValueError("an evaluation window has only one class of label: enlarge the log")
    return float(roc_auc_score(labels, scores))


def evaluate(log: EventLog, pipe: Pipeline, seed: int = 0) -> Result:
    """Build rows with ``pipe``, train a gradient-boosted ranker, report offline and online AUC.

    The offline score is the model's *serving* score (the position-aware model scores every row
    as if in the top slot) on the offline week's rows as the pipeline built them (a leaky
    pipeline's offline table still holds the logged dwell).
    """
    if not pipe.negatives:  # the count of random negatives is irrelevant: share one result
        pipe = replace(pipe, neg_per_pos=PRODUCTION.neg_per_pos)
    return log.cached(("result", pipe, seed), lambda: _evaluate(log, pipe, seed))


def _evaluate(log: EventLog, pipe: Pipeline, seed: int) -> Result:
    cfg = log.config
    built_at = cfg.train_days + cfg.offline_days
    # rows depend only on the join, the negatives and the serving definition: build each once
    rows_key = (pipe.join, pipe.negatives, pipe.neg_per_pos, seed)
    train = log.cached(("train", *rows_key), lambda: build_rows(log, 0, cfg.train_days, pipe, built_at, seed))
    offline = log.cached(("offline", *rows_key),
                         lambda: build_rows(log, cfg.train_days, cfg.offline_days, pipe, built_at, seed))
    online = log.cached(("online", pipe.skew, seed), lambda: online_rows(log, pipe, seed))
    if train["label"].nunique() < 2:
        raise ValueError("the training window has only one class of label: enlarge the log")
    cols = pipe.features
    offline_x = serving_view(offline).assign(dwell=offline["dwell"])
    with threadpool_limits(1):  # one thread: the machine is shared; OpenMP oversubscription is slow
        model = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=15, learning_rate=0.1,
                                               early_stopping=False, random_state=seed)
        model.fit(train[cols], train["label"])
        off = _auc(offline["label"].to_numpy(), model.predict_proba(offline_x[cols])[:, 1])
        on = _auc(online["label"].to_numpy(), model.predict_proba(serving_view(online)[cols])[:, 1])
    return Result(off, on, tuple(cols), len(train), float(train["label"].mean()))


def join_example(log: EventLog, min_rows: int = 4, max_rows: int = 12) -> pd.DataFrame:
    """One light (user, topic) pair of the training and offline weeks, row by row: its click
    label, the as-of ``user_topic_ctr`` and the value the naive latest join gives every row.

    Among pairs with ``min_rows``–``max_rows`` impressions and at least one click, the pair where
    the two joins disagree most (mean absolute difference) is shown: with few rows, the latest
    snapshot is mostly made of the rows' own labels.
    """
    cfg = log.config
    end = cfg.train_days + cfg.offline_days
    rows = _window(log, 0, end)[["ts", "user_topic", "click"]].reset_index(drop=True)
    users = log.cached("users", lambda: user_snapshots(log))
    table = pd.DataFrame({
        "ts": rows["ts"], "user_topic": rows["user_topic"], "click": rows["click"],
        "as_of": as_of_join(rows, users, "user_topic")["user_topic_ctr"].to_numpy(),
        "latest": latest_join(rows, users, "user_topic", START + end * DAY)["user_topic_ctr"].to_numpy(),
    })
    stats = table.assign(diff=(table["latest"] - table["as_of"]).abs()).groupby("user_topic").agg(
        n=("click", "size"), clicks=("click", "sum"), diff=("diff", "mean"))
    light = stats[(stats["n"] >= min_rows) & (stats["n"] <= max_rows) & (stats["clicks"] > 0)]
    if light.empty:
        light = stats
    key = light["diff"].idxmax()
    return table[table["user_topic"] == key].reset_index(drop=True)


def position_ctr(log: EventLog) -> pd.DataFrame:
    """Per position: logged CTR, the mean true relevance of what was shown there (the CTR if every
    position were examined) and the examination probability ``k^-η``."""
    imp = log.impressions
    table = imp.groupby("position").agg(ctr=("click", "mean"), relevance=("relevance", "mean"),
                                        impressions=("click", "size")).reset_index()
    table["examination"] = examination(table["position"].to_numpy(), log.config.position_bias)
    return table


def fault_table(log: EventLog, seed: int = 0, neg_per_pos: int = 4) -> pd.DataFrame:
    """Production, each fault on its own, and everything naive: offline vs online AUC."""
    base = replace(PRODUCTION, neg_per_pos=neg_per_pos)
    runs = [(PRODUCTION_ROW, base)]
    runs += [(label, replace(base, **{key: True})) for key, label in FAULTS.items()]
    runs += [("Everything naive", replace(NAIVE, neg_per_pos=neg_per_pos))]
    rows = []
    for name, pipe in runs:
        res = evaluate(log, pipe, seed)
        rows.append(dict(pipeline=name, offline_auc=res.offline_auc, online_auc=res.online_auc,
                         gap=res.gap))
    return pd.DataFrame(rows)



@dataclass(frozen=True)
class Comparison:
    """The fault table of a log, a chosen pipeline's result and the production pipeline's."""

    table: pd.DataFrame
    mine: Result
    production: Result

    def with_mine(self, pipe: Pipeline) -> pd.DataFrame:
        """The fault table plus a "Your pipeline" row when ``pipe`` has any naive step."""
        shown = self.table.copy()
        if pipe.naive_steps():
            shown.loc[len(shown)] = ["Your pipeline", self.mine.offline_auc, self.mine.online_auc, self.mine.gap]
        return shown


def compare(log: EventLog, pipe: Pipeline, seed: int = 0) -> Comparison:
    """:func:`fault_table` (with ``pipe``'s negatives per click), ``pipe`` and the production
    pipeline, all evaluated on ``log``."""
    return Comparison(fault_table(log, seed=seed, neg_per_pos=pipe.neg_per_pos), evaluate(log, pipe, seed=seed),
                      evaluate(log, PRODUCTION, seed=seed))


def classify_faults(table: pd.DataFrame, auc_tol: float = 0.01, harm_tol: float = 0.005) -> dict[str, list[str]]:
    """Sort the single faults of :func:`fault_table` against production: ``liars`` (offline AUC
    up by more than ``auc_tol`` while online AUC drops by more than ``harm_tol``), ``hidden``
    (offline within ``auc_tol``, online down) and ``harmless`` (the rest)."""
    by_name = table.set_index("pipeline")
    base = by_name.loc[PRODUCTION_ROW]
    faults = by_name.loc[list(FAULTS.values())]
    worse_online = faults.online_auc < base.online_auc - harm_tol
    liars = faults[(faults.offline_auc > base.offline_auc + auc_tol) & worse_online]
    hidden = faults[((faults.offline_auc - base.offline_auc).abs() <= auc_tol) & worse_online]
    harmless = faults.index.difference(liars.index.union(hidden.index))
    return {"liars": list(liars.index), "hidden": list(hidden.index), "harmless": list(harmless)}


def position_ratios(by_position: pd.DataFrame) -> tuple[float, float]:
    """From :func:`position_ctr`: how many times more often the first position is clicked than the
    last, and how many times more relevant its items are."""
    first, last = by_position.iloc[0], by_position.iloc[-1]
    return float(first.ctr / last.ctr), float(first.relevance / last.relevance)
