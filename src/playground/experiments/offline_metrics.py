"""Offline ranking metrics (recall@k, precision@k, MAP, NDCG@k) and why offline gains may not
transfer online.

Relevance is given per ranked list, in ranked order (position 1 first). Binary metrics treat any
relevance > 0 as relevant. NDCG uses linear gains ``rel / log2(rank + 1)`` (the convention of
``sklearn.metrics.ndcg_score``).

:func:`logged_feedback_example` builds a seeded example of the classic trap: offline labels are
clicks logged under the *old* ranking, so items the old system never showed can never be labelled
relevant. A model that imitates the old ranking wins offline; a model that surfaces good items the
old system hid wins on users' true preferences (what an online test would measure).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

OFFLINE, ONLINE = "offline (logged clicks)", "online (true preferences)"
"""The two columns of :meth:`LoggedExample.table`'s ``evaluated on``."""


def _as_rel(relevance) -> np.ndarray:
    rel = np.asarray(relevance, dtype=float)
    if rel.ndim != 1:
        raise ValueError("relevance must be a 1-D list in ranked order")
    if np.any(rel < 0) or not np.all(np.isfinite(rel)):
        raise ValueError("relevance grades must be finite and non-negative")
    return rel


def _check_k(k: int) -> None:
    if int(k) != k or k < 1:
        raise ValueError(f"k must be a whole number ≥ 1 (got {k})")


def precision_at_k(relevance, k: int) -> float:
    """Share of the top ``k`` positions holding a relevant item (missing positions count as misses)."""
    _check_k(k)
    rel = _as_rel(relevance)
    return float((rel[:k] > 0).sum() / k)


def recall_at_k(relevance, k: int, n_relevant: int | None = None) -> float:
    """Share of all relevant items that appear in the top ``k``.

    Parameters
    ----------
    relevance : array-like
        Relevance in ranked order.
    k : int
        Cut-off.
    n_relevant : int, optional
        Total relevant items for the query (defaults to those in ``relevance``); 0 gives NaN.
    """
    _check_k(k)
    rel = _as_rel(relevance)
    total = int((rel > 0).sum()) if n_relevant is None else int(n_relevant)
    if total == 0:
        return float("nan")
    return float((rel[:k] > 0).sum() / total)


def average_precision(relevance, k: int | None = None, n_relevant: int | None = None) -> float:
    """Average precision: mean of precision@i over the ranks i ≤ k that hold a relevant item,
    divided by the number of relevant items (``min(R, k)`` when cut at k).

    With no cut-off this equals ``sklearn.metrics.average_precision_score`` on a tie-free ranking.
    """
    rel = _as_rel(relevance) > 0
    total = int(rel.sum()) if n_relevant is None else int(n_relevant)
    if k is not None:
        _check_k(k)
        rel = rel[:k]
        total = min(total, k)
    if total == 0:
        return float("nan")
    hits = np.cumsum(rel)
    ranks = np.arange(1, rel.size + 1)
    return float((hits / ranks)[rel].sum() / total)


def dcg_at_k(relevance, k: int) -> float:
    """Discounted cumulative gain ``sum_{i<=k} rel_i / log2(i + 1)``."""
    _check_k(k)
    rel = _as_rel(relevance)[:k]
    return float((rel / np.log2(np.arange(2, rel.size + 2))).sum())


def ndcg_at_k(relevance, k: int, ideal=None) -> float:
    """Normalised DCG: DCG@k of the ranking over DCG@k of the ideal ordering.

    Parameters
    ----------
    relevance : array-like
        Relevance grades in ranked order.
    k : int
        Cut-off.
    ideal : array-like, optional
        All relevance grades of the query (including unranked items) to build the ideal ordering;
        defaults to ``relevance``. Returns 0 when nothing is relevant.
    """
    rel = _as_rel(relevance)
    best = np.sort(_as_rel(rel if ideal is None else ideal))[::-1]
    idcg = dcg_at_k(best, k)
    return 0.0 if idcg == 0 else dcg_at_k(rel, k) / idcg


def rank_by(scores: np.ndarray) -> np.ndarray:
    """Item indices sorted by descending score (stable, ties broken by index)."""
    return np.argsort(-np.asarray(scores, dtype=float), kind="stable")


def evaluate(scores: np.ndarray, labels: np.ndarray, k: int) -> dict[str, float]:
    """Mean recall@k, precision@k, MAP@k and NDCG@k over users.

    Parameters
    ----------
    scores : ndarray (users, items)
        Model scores; each user's items are ranked by descending score.
    labels : ndarray (users, items)
        Relevance grades (0 = not relevant).
    k : int
        Cut-off (at most the number of items).
    """
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=float)
    if scores.shape != labels.shape or scores.ndim != 2:
        raise ValueError("scores and labels must be matrices of the same shape (users × items)")
    _check_k(k)
    if k > scores.shape[1]:
        raise ValueError(f"k ({k}) cannot exceed the number of items ({scores.shape[1]})")
    out = {"recall@k": [], "precision@k": [], "MAP@k": [], "NDCG@k": []}
    for s, y in zip(scores, labels):
        if not (y > 0).any():
            continue
        rel = y[rank_by(s)]
        out["recall@k"].append(recall_at_k(rel, k))
        out["precision@k"].append(precision_at_k(rel, k))
        out["MAP@k"].append(average_precision(rel, k))
        out["NDCG@k"].append(ndcg_at_k(rel, k))
    if not out["NDCG@k"]:
        raise ValueError("no user has a relevant item: the metrics are undefined")
    return {name: float(np.mean(v)) for name, v in out.items()}


@dataclass(frozen=True)
class LoggedExample:
    """A seeded offline-vs-online example.

    Attributes
    ----------
    true_rel : ndarray (users, items)
        What each user would click if shown the item (the "online" truth).
    logged : ndarray (users, items)
        Clicks logged under the old ranking: relevant *and* shown in its top slots.
    shown : ndarray (users, items) of bool
        Items the old system showed.
    scores : dict of model name -> ndarray (users, items)
        Model scores.
    """

    true_rel: np.ndarray
    logged: np.ndarray
    shown: np.ndarray
    scores: dict[str, np.ndarray]

    def table(self, k: int) -> pd.DataFrame:
        """Metrics of every model on logged labels (offline) and on true relevance (online)."""
        rows = []
        for name, s in self.scores.items():
            for where, labels in ((OFFLINE, self.logged), (ONLINE, self.true_rel)):
                rows.append({"model": name, "evaluated on": where, **evaluate(s, labels, k)})
        return pd.DataFrame(rows)


def logged_feedback_example(users: int = 200, items: int = 100, shown: int = 10,
                            popularity_weight: float = 2.0, seed: int = 0) -> LoggedExample:
    """Build the logged-feedback example.

    Users and items have 8-d taste vectors; a user likes (relevance 1) the items with the highest
    affinity (about 10 %). The old system ranked by item popularity plus a little affinity and
    showed its top ``shown`` items, so only those can carry a logged click. Three models:

    * ``old policy (replay)``: the old ranking itself;
    * ``new: imitates logs``: a model trained on the logs, close to the old ranking;
    * ``new: personalised``: affinity with noise, which surfaces liked items the old system hid.

    Parameters
    ----------
    users, items : int
        Size of the example (items ≥ 20).
    shown : int
        Slots the old system filled per user (1 … items).
    popularity_weight : float
        How much the old ranking leaned on popularity rather than the user's taste.
    seed : int
        Random seed.
    """
    if not 10 <= users <= 5000 or not 20 <= items <= 2000:
        raise ValueError("use 10 … 5000 users and 20 … 2000 items")
    if not 1 <= shown <= items:
        raise ValueError(f"the old system shows between 1 and {items} items (got {shown})")
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((users, 8))
    v = rng.standard_normal((items, 8))
    popularity = rng.standard_normal(items)
    affinity = u @ v.T / np.sqrt(8)
    cutoff = np.quantile(affinity, 0.9, axis=1, keepdims=True)
    true_rel = (affinity >= cutoff).astype(float)
    old = popularity_weight * popularity[None, :] + 0.3 * affinity + 0.1 * rng.standard_normal((users, items))
    top = np.argsort(-old, axis=1)[:, :shown]
    seen = np.zeros((users, items), dtype=bool)
    np.put_along_axis(seen, top, True, axis=1)
    logged = true_rel * seen
    imitate = old + 0.3 * rng.standard_normal((users, items))
    personal = affinity + 0.5 * rng.standard_normal((users, items))
    return LoggedExample(true_rel, logged, seen, {
        "old policy (replay)": old, "new: imitates logs": imitate, "new: personalised": personal})



def ndcg_winners(table: pd.DataFrame) -> tuple[pd.DataFrame, str, str]:
    """NDCG@k per model (rows) offline and online (columns :data:`OFFLINE`, :data:`ONLINE`) from
    :meth:`LoggedExample.table`, and the best model by each: (ndcg, offline winner, online winner)."""
    ndcg = table.pivot(index="model", columns="evaluated on", values="NDCG@k")
    return ndcg, str(ndcg[OFFLINE].idxmax()), str(ndcg[ONLINE].idxmax())
