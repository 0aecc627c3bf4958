"""A learned reranker (learning to rank) over the signals production search stacks combine, and a
fair comparison with the hand-set hybrids: every model and every fusion weight is chosen on some
queries and scored on others.

Candidates of a query: the union of BM25's and dense retrieval's top ``pool`` passages. Features
of a (query, passage) pair (:data:`FEATURES`): the BM25 score (search-engine analyser) and its
share of the best candidate's, the dense cosine and its gap to the best, late-interaction MaxSim
and its gap, both retrievers' ranks, exact identifier match in the passage's title and in its
text, the share of the query's terms in the title, the passage kind (docstring or language
topic), whether the query is a bare identifier (query understanding), and the passage length.

The model (scikit-learn, pointwise): a ``HistGradientBoostingClassifier`` (or a standardised
``LogisticRegression``) predicting "relevant" (grade >= 1, grade-2 pairs weighted twice);
passages are ranked by its probability. Query-level cross-validation (``GroupKFold``): queries
asked twice in different words (a ``pair_id``) share a group, so a model never scores a query
whose twin it trained on. Fusion weights are tuned the same way: ``alpha`` of weighted fusion is
the best on the training folds and scored on the held-out fold.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from playground.rag import analysis as ra
from playground.rag import ir_metrics as irm
from playground.rag import retrieval_eval as rev

FEATURES = ("bm25", "bm25_share", "dense", "dense_gap", "maxsim", "maxsim_gap", "bm25_rank",
            "dense_rank", "ident_in_title", "ident_in_text", "title_terms", "is_topic",
            "query_is_identifier", "log_chars")
MODELS = ("gbdt", "logistic")
ALPHAS = tuple(round(a, 1) for a in np.linspace(0, 1, 11))
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def identifiers(query: str) -> list[str]:
    """Tokens of ``query`` that look like code identifiers: a dot or underscore inside, a capital
    after the first letter (``CalledProcessError``), or all capitals of 3+ letters
    (``PYTHONHASHSEED``). This is the query-understanding step that routes to exact match."""
    out = []
    for tok in _IDENT.findall(query):
        if ("." in tok or "_" in tok.strip("_") or re.search(r"[a-z][A-Z]", tok)
                or (tok.isupper() and len(tok) >= 3)):
            out.append(tok)
    return out


@dataclass(frozen=True)
class Candidates:
    """The candidate passages of one query and their feature matrix (rows follow ``ids``)."""

    query_id: str
    ids: tuple
    features: np.ndarray
    labels: np.ndarray  # graded relevance 0/1/2


def _pool(index, text: str, pool: int, analyzer: str) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Candidate rows of ``text`` (BM25 top ``pool`` then dense top ``pool``, first appearance
    order) and every passage's BM25 score and dense cosine."""
    bm25_all = index.bm25_scores(text, analyzer=analyzer)
    vec = index.query_vector(text)  # the same cached query vector the dense retriever searches with
    dense_all = index.embeddings @ vec  # cosine: unit vectors (FAISS IndexFlatIP computes the same)
    picked = [i for i in _order(bm25_all)[:pool] if bm25_all[i] > 0]
    picked += list(_order(dense_all)[:pool])
    return list(dict.fromkeys(int(i) for i in picked)), bm25_all, dense_all


def _order(scores: np.ndarray) -> np.ndarray:
    """Passage rows by descending score, ties by row."""
    return np.lexsort((np.arange(len(scores)), -scores))


def candidate_features(index, query, pool: int = 30, analyzer: str = "search") -> Candidates:
    """Candidates (BM25 top ``pool`` then dense top ``pool``, first appearance order) and features."""
    text = query.text
    rows, bm25_all, dense_all = _pool(index, text, pool, analyzer)
    dense_rank, bm25_rank = np.empty(len(index)), np.empty(len(index))
    dense_rank[_order(dense_all)] = np.arange(1, len(index) + 1)
    bm25_rank[_order(bm25_all)] = np.arange(1, len(index) + 1)
    ids = tuple(index.ids[i] for i in rows)
    maxsim = np.asarray(index.maxsim(text, list(ids)))
    idents = [t.lower() for t in identifiers(text)]
    q_terms = set(ra.search(text))
    feats = []
    for i, pid, ms in zip(rows, ids, maxsim):
        p = index.by_id[pid]
        title, body = p.title.lower(), p.text.lower()
        title_parts = set(re.split(r"[.\s]+", title)) | {title}
        ident_title = any(t in title_parts or title.endswith("." + t) for t in idents)
        ident_text = any(re.search(rf"(?<![\w.]){re.escape(t)}(?![\w])", body) for t in idents)
        title_terms = len(q_terms & set(ra.search(p.title))) / len(q_terms) if q_terms else 0.0
        feats.append([bm25_all[i], 0.0, dense_all[i], 0.0, ms, 0.0, np.log1p(bm25_rank[i]),
                      np.log1p(dense_rank[i]), float(ident_title), float(ident_text), title_terms,
                      float(p.source.startswith("pydoc_data")), float(bool(idents) and len(text.split()) == 1),
                      np.log1p(len(p.text))])
    x = np.asarray(feats, dtype=np.float64)
    col = {name: j for j, name in enumerate(FEATURES)}
    best_bm25 = x[:, col["bm25"]].max()
    x[:, col["bm25_share"]] = x[:, col["bm25"]] / best_bm25 if best_bm25 > 0 else 0.0
    x[:, col["dense_gap"]] = x[:, col["dense"]] - x[:, col["dense"]].max()
    x[:, col["maxsim_gap"]] = x[:, col["maxsim"]] - x[:, col["maxsim"]].max()
    labels = np.array([query.relevant.get(pid, 0) for pid in ids], dtype=np.int64)
    return Candidates(query.id, ids, x, labels)


def make_model(kind: str, seed: int):
    """A fresh scikit-learn pointwise ranker."""
    if kind == "gbdt":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15,
                                              min_samples_leaf=20, l2_regularization=1.0,
                                              random_state=seed)
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    raise ValueError(f"unknown model {kind!r}; choose one of {', '.join(MODELS)}")


def groups_of(queries: Sequence) -> list[str]:
    """CV group of each query: its ``pair_id`` when it has a twin phrasing, else its id."""
    return [q.pair_id or q.id for q in queries]


def query_folds(groups: Sequence[str], folds: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) query indices of ``GroupKFold``: a group's queries are all on one side."""
    from sklearn.model_selection import GroupKFold

    if len(set(groups)) < folds:
        raise ValueError(f"{folds}-fold cross-validation needs at least {folds} query groups")
    return list(GroupKFold(n_splits=folds).split(np.zeros(len(groups)), groups=list(groups)))


def _stack(cands: Sequence[Candidates]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.concatenate([c.features for c in cands])
    grades = np.concatenate([c.labels for c in cands])
    return x, (grades > 0).astype(int), np.where(grades > 0, grades, 1).astype(float)


def fit_model(cands: Sequence[Candidates], kind: str = "gbdt", seed: int = 0):
    """Fit a pointwise ranker on these queries' candidates (grade-2 positives weighted twice)."""
    x, y, w = _stack(cands)
    if len(set(y)) < 2:
        raise ValueError("the training queries have no relevant candidate: too few labelled queries")
    key = "sample_weight" if kind == "gbdt" else "logisticregression__sample_weight"
    return make_model(kind, seed).fit(x, y, **{key: w})


def cross_validated_rankings(cands: Sequence[Candidates], groups: Sequence[str], kind: str = "gbdt",
                             folds: int = 5, seed: int = 0) -> dict[str, list[str]]:
    """Query id -> candidates ranked by a model trained only on the other folds' queries (one
    OpenMP/BLAS thread: small fits, and spinning threads stall on a shared 2-core machine)."""
    from threadpoolctl import threadpool_limits

    out: dict[str, list[str]] = {}
    with threadpool_limits(limits=1):
        _cv_fill(out, cands, groups, kind, folds, seed)
    return out


def _cv_fill(out: dict, cands: Sequence[Candidates], groups: Sequence[str], kind: str, folds: int,
             seed: int) -> None:
    for train, test in query_folds(groups, folds):
        model = fit_model([cands[i] for i in train], kind, seed)
        for i in test:
            c = cands[i]
            score = model.predict_proba(c.features)[:, 1]
            order = np.lexsort((np.arange(len(score)), -score))
            out[c.query_id] = [c.ids[j] for j in order]


def tuned_alpha_rankings(index, queries: Sequence, groups: Sequence[str], folds: int = 5,
                         k: int = 10, metric: str = "ndcg@10") -> tuple[dict[str, list[str]], dict[str, float]]:
    """Weighted fusion with ``alpha`` chosen on the training folds (best mean nDCG@10 over
    :data:`ALPHAS`, ties to the smaller alpha) and applied to the held-out fold.

    Returns (query id -> ranking, query id -> the alpha used for it)."""
    rankings = {a: {q.id: [h.passage_id for h in index.search("weighted", q.text, k, alpha=a)]
                    for q in queries} for a in ALPHAS}
    ndcg = {a: np.array([irm.ndcg_at_k(rankings[a][q.id], q.relevant, 10) for q in queries]) for a in ALPHAS}
    out, used = {}, {}
    for train, test in query_folds(groups, folds):
        best = max(ALPHAS, key=lambda a: (ndcg[a][train].mean(), -a))
        for i in test:
            out[queries[i].id], used[queries[i].id] = rankings[best][queries[i].id], best
    return out, used


def metric_rows(rankings: dict[str, list[str]], queries: Sequence, method: str, p_k: int = 5) -> list[dict]:
    """Per-query precision@``p_k`` (grade >= 1), recall@10 and nDCG@10 of ``rankings``."""
    return [{"query_id": q.id, "type": q.type, "method": method,
             f"precision@{p_k}": irm.precision_at_k(rankings[q.id], q.relevant, p_k),
             "recall@10": irm.recall_at_k(rankings[q.id], q.relevant, 10),
             "ndcg@10": irm.ndcg_at_k(rankings[q.id], q.relevant, 10)} for q in queries]


LEARNED_METHODS = {"weighted": "Hybrid weighted (α = 0.5)", "tuned": "Hybrid weighted (α tuned on held-out folds)",
                   "rerank": "Hybrid + MaxSim rerank", "learned": "Learned reranker (cross-validated)"}


def compare(index, queries: Sequence, kind: str = "gbdt", folds: int = 5, seed: int = 0,
            pool: int = 30, p_k: int = 5,
            progress: Callable[[float, str], None] | None = None) -> tuple[list[dict], dict[str, float]]:
    """Per-query metrics of the hand-set hybrid, the fold-tuned hybrid, the MaxSim reranker and
    the cross-validated learned reranker (:data:`LEARNED_METHODS`) on the same queries;
    ``progress(fraction, text)`` follows the candidate features (the reranker's token vectors of
    every candidate are computed there when its MaxSim score does not ship and they are not on disk).

    Returns (rows for :func:`metric_rows`, query id -> the alpha the tuned hybrid used)."""
    queries = list(queries)
    index.encode_queries([q.text for q in queries], persist=True)
    groups = groups_of(queries)
    # the token vectors (for MaxSim) of every candidate whose score does not ship, in one
    # length-sorted pass kept on disk for the next process: the labelled queries' candidates,
    # never a visitor's (see index_store.TokenStore, shipped_maxsim)
    rows = sorted({r for q in queries if index.needs_tokens(q.text) for r in _pool(index, q.text, pool, "search")[0]})
    index.tokens.ensure(rows, None if progress is None else lambda f, text: progress(0.9 * f, text), keep=True)
    cands = []
    for i, q in enumerate(queries):
        cands.append(candidate_features(index, q, pool))
        if progress:
            progress(0.9 + 0.1 * (i + 1) / len(queries), f"candidate features: {i + 1} / {len(queries)} queries")
    learned = cross_validated_rankings(cands, groups, kind, folds, seed)
    tuned, alphas = tuned_alpha_rankings(index, queries, groups, folds)
    fixed = {q.id: [h.passage_id for h in index.search("weighted", q.text, 10)] for q in queries}
    rerank = {q.id: [h.passage_id for h in index.search("rerank", q.text, 10)] for q in queries}
    rows = []
    for method, rankings in (("weighted", fixed), ("tuned", tuned), ("rerank", rerank), ("learned", learned)):
        rows += metric_rows(rankings, queries, method, p_k)
    return rows, alphas


@dataclass(frozen=True)
class LearnedSummary:
    """What :func:`compare`'s rows show: means per method, nDCG@10 per query type, the learned
    reranker's paired gains over each hand-set method, and the alphas the tuned hybrid chose."""

    precision_key: str  # e.g. "precision@5"
    means: dict  # method -> {precision@k, ndcg@10, recall@10}: means over all queries, in [0, 1]
    ndcg_by_type: dict  # method -> query type -> mean nDCG@10
    gains: dict  # (hand-set method, metric) -> rev.PairedDifference of learned − it
    alpha_counts: dict  # alpha -> queries ranked with it (ascending alpha)


def summarise(rows: Sequence[dict], alphas: dict[str, float], seed: int,
              types: Sequence[str]) -> LearnedSummary:
    """Summarise :func:`compare`'s output for the page.

    Parameters
    ----------
    rows : sequence of dict
        Per-query rows of every method of :data:`LEARNED_METHODS` (:func:`metric_rows`).
    alphas : dict
        Query id -> the alpha of weighted fusion the tuned hybrid used for it.
    seed : int
        Seed of the paired bootstrap intervals.
    types : sequence of str
        Query types, in the order to report them.

    Returns
    -------
    LearnedSummary
        Means in [0, 1] per method (:data:`LEARNED_METHODS` order); the learned reranker minus
        the weighted, tuned and MaxSim-rerank hybrids on nDCG@10 and precision@k, each with its
        95 % paired-bootstrap interval; query counts per alpha.
    """
    p_key = next(key for key in rows[0] if key.startswith("precision@"))
    of = {m: [r for r in rows if r["method"] == m] for m in LEARNED_METHODS}
    means = {m: {key: sum(r[key] for r in of[m]) / len(of[m]) for key in (p_key, "ndcg@10", "recall@10")}
             for m in LEARNED_METHODS}
    by_type = {}
    for m in LEARNED_METHODS:
        ndcg = rev.mean_by_type([r["ndcg@10"] for r in of[m]], [r["type"] for r in of[m]], types)
        by_type[m] = {t: ndcg[t] for t in types}
    gains = {(base, key): rev.paired_difference(of["learned"], of[base], key, seed)
             for base in ("weighted", "tuned", "rerank") for key in ("ndcg@10", p_key)}
    return LearnedSummary(p_key, means, by_type, gains, dict(sorted(Counter(alphas.values()).items())))
