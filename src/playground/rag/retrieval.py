"""Retrieval over the shipped corpus: BM25, dense (MiniLM + FAISS), hybrid fusion and a reranker.

One :class:`RetrievalIndex` is built once (BM25 statistics, passage embeddings, the FAISS
``IndexFlatIP`` and the passages' token embeddings for the reranker) and every method is reached
through :meth:`RetrievalIndex.search`::

    index = get_index()                       # cached in-process and on disk under .cache/rag
    index.search("bm25", "PYTHONHASHSEED", k=10, k1=1.2, b=0.75)
    index.search("rrf", "make a copy of a nested list", k=10, rrf_k=60)

Methods (:data:`METHODS`): ``bm25``, ``dense``, ``rrf`` (reciprocal rank fusion of BM25 and
dense), ``weighted`` (min-max normalised score fusion, ``alpha`` = weight of dense), ``rerank``
(the fused top-``rerank_n`` re-ordered by late-interaction MaxSim, see :mod:`playground.rag.rerank`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from playground.course import Preset
from playground.rag import analysis as ra
from playground.rag import corpus as rc
from playground.rag import ir_metrics as irm
from playground.rag import rerank as rr

METHODS = ("bm25", "dense", "rrf", "weighted", "rerank")
METHOD_LABELS = {"bm25": "BM25", "dense": "Dense (MiniLM + FAISS)", "rrf": "Hybrid RRF",
                 "weighted": "Hybrid weighted", "rerank": "Hybrid + MaxSim rerank"}
DEFAULTS = {"k1": 1.2, "b": 0.75, "rrf_k": 60, "alpha": 0.5, "depth": 100, "fusion": "weighted",
            "rerank_n": 20, "analyzer": "search"}
MAX_QUERY_CHARS = 2000
tokenize = ra.simple  # the naive analyser (kept as the definition of a paraphrase query)


class OkapiScorer:
    """rank-bm25's ``BM25Okapi`` scores, vectorised.

    The statistics (idf with rank-bm25's epsilon floor, document lengths, average length, term
    frequencies) come from a fitted ``rank_bm25.BM25Okapi``; scoring follows its ``get_scores``
    formula term by term (a repeated query term counts again) but touches only the documents that
    contain each term, with any ``k1`` and ``b``:

    .. math:: s(d, q) = \\sum_{t \\in q} \\mathrm{idf}(t) \\frac{f_{t,d} (k_1 + 1)}
              {f_{t,d} + k_1 (1 - b + b \\, |d| / \\overline{|d|})}
    """

    def __init__(self, okapi) -> None:
        from scipy import sparse

        self.okapi = okapi
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for i, freqs in enumerate(okapi.doc_freqs):
            for term, f in freqs.items():
                rows.append(i)
                cols.append(vocab.setdefault(term, len(vocab)))
                vals.append(f)
        self.vocab = vocab
        self.tf = sparse.csc_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)),
                                    shape=(len(okapi.doc_freqs), max(len(vocab), 1)))
        self.doc_len = np.asarray(okapi.doc_len, dtype=np.float64)

    def scores(self, tokens: Sequence[str], k1: float, b: float) -> np.ndarray:
        if k1 <= 0 or not 0 <= b <= 1:
            raise ValueError(f"BM25 needs k1 > 0 and 0 <= b <= 1 (got k1={k1}, b={b}); "
                             "k1 = 0 makes rank-bm25 divide 0 by 0")
        out = np.zeros(len(self.doc_len))
        norm = k1 * (1 - b + b * self.doc_len / self.okapi.avgdl)
        for term in tokens:
            j = self.vocab.get(term)
            if j is None:
                continue
            idf = self.okapi.idf.get(term) or 0
            lo, hi = self.tf.indptr[j], self.tf.indptr[j + 1]
            rows, f = self.tf.indices[lo:hi], self.tf.data[lo:hi]
            out[rows] += idf * (f * (k1 + 1) / (f + norm[rows]))
        return out


def fit_bm25(texts: Sequence[str], analyzer: str = "simple") -> OkapiScorer:
    """Fit rank-bm25's Okapi BM25 on ``texts`` analysed by ``analyzer`` (:mod:`.analysis`)."""
    from rank_bm25 import BM25Okapi

    scorer = OkapiScorer(BM25Okapi([ra.analyse(t, analyzer) or ["_empty_"] for t in texts],
                                   k1=DEFAULTS["k1"], b=DEFAULTS["b"]))
    scorer.analyzer = analyzer
    return scorer


@dataclass(frozen=True)
class Hit:
    """One search result: a passage id and the method's score (higher is better)."""

    passage_id: str
    score: float


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, ties broken by lower index (deterministic)."""
    k = min(k, len(scores))
    order = np.lexsort((np.arange(len(scores)), -scores))
    return order[:k]


def rrf_fuse(rankings: Sequence[Sequence[str]], k: float = 60) -> list[tuple[str, float]]:
    r"""Reciprocal rank fusion: :math:`s(d) = \sum_r 1 / (k + \mathrm{rank}_r(d))`, ranks from 1.

    Returns (id, score) sorted by score (ties: first appearance order across the rankings).
    """
    if k < 0:
        raise ValueError(f"the RRF constant k cannot be negative (got {k})")
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
    order = {pid: i for i, pid in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))


def minmax(scores: Mapping[str, float]) -> dict[str, float]:
    """Min-max normalise a retriever's scores to [0, 1] (all equal -> all 1)."""
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi == lo:
        return {pid: 1.0 for pid in scores}
    return {pid: (s - lo) / (hi - lo) for pid, s in scores.items()}


def weighted_fuse(sparse: Mapping[str, float], dense: Mapping[str, float],
                  alpha: float = 0.5) -> list[tuple[str, float]]:
    r"""Weighted normalised score fusion:
    :math:`s(d) = \alpha \, \hat s_\text{dense}(d) + (1 - \alpha) \, \hat s_\text{bm25}(d)`,
    each retriever's scores min-max normalised over its own list; a passage missing from a list
    gets 0 from it. Sorted by score (ties: dense list order, then BM25 list order)."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1 (got {alpha})")
    s_hat, d_hat = minmax(sparse), minmax(dense)
    fused: dict[str, float] = {}
    for pid in [*dense, *sparse]:
        if pid not in fused:
            fused[pid] = alpha * d_hat.get(pid, 0.0) + (1 - alpha) * s_hat.get(pid, 0.0)
    order = {pid: i for i, pid in enumerate(fused)}
    return sorted(fused.items(), key=lambda item: (-item[1], order[item[0]]))


@dataclass
class RetrievalIndex:
    """Everything the retrievers need, built once for a list of passages.

    Attributes
    ----------
    passages : list of Passage
    embeddings : ndarray, shape (n, 384)
        Unit-normalised passage embeddings (MiniLM, mean pooled).
    tokens : ndarray (float16) and offsets : ndarray
        Concatenated per-passage token embeddings for the reranker; passage ``i`` owns rows
        ``offsets[i]:offsets[i+1]``.
    timings : dict
        Seconds spent on each build step (``embed`` is 0 when loaded from the disk cache).
    """

    passages: list
    embeddings: np.ndarray
    tokens: np.ndarray
    offsets: np.ndarray
    model_path: str | None = None
    timings: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        import faiss

        self.ids = [p.id for p in self.passages]
        self.position = {pid: i for i, pid in enumerate(self.ids)}
        self.by_id = {p.id: p for p in self.passages}
        t0 = time.perf_counter()
        self._scorers = {DEFAULTS["analyzer"]: fit_bm25([p.indexed_text for p in self.passages],
                                                        DEFAULTS["analyzer"])}
        t1 = time.perf_counter()
        self.faiss = faiss.IndexFlatIP(self.embeddings.shape[1])
        self.faiss.add(np.ascontiguousarray(self.embeddings, dtype=np.float32))
        t2 = time.perf_counter()
        self.timings.update(bm25_build=t1 - t0, faiss_build=t2 - t1)
        self._query_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.passages)

    # ---- query encoding -----------------------------------------------------------------
    def encode_queries(self, texts: Sequence[str], disk: bool = False) -> None:
        """Encode (and remember) query vectors and query token vectors in one batch; with
        ``disk=True`` the batch is also cached under ``.cache/rag`` (for the labelled set)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._query_cache]
        if not missing:
            return
        path = rc.CACHE / f"queries-{rc.content_hash(_model_key(self.model_path), f'tokens-v{rr.TOKENS_VERSION}', *missing)}.npz"
        if disk and path.is_file():
            with np.load(path) as data:
                sentences, flat, offsets = data["sentences"], data["tokens"], data["offsets"]
            tokens = [flat[offsets[i]:offsets[i + 1]] for i in range(len(missing))]
        else:
            sentences, tokens = rr.token_embeddings(missing, self.model_path)
            if disk:
                offsets = np.concatenate([[0], np.cumsum([len(t) for t in tokens])])
                _save_npz(path, sentences=sentences, tokens=np.concatenate(tokens), offsets=offsets)
        for text, vec, tok in zip(missing, sentences, tokens):
            self._query_cache[text] = (vec, tok)
        while len(self._query_cache) > 5000:
            self._query_cache.pop(next(iter(self._query_cache)))

    def _query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        self.encode_queries([text])
        return self._query_cache[text]

    # ---- retrievers -----------------------------------------------------------------------
    def scorer(self, analyzer: str = DEFAULTS["analyzer"]) -> OkapiScorer:
        """The BM25 statistics under ``analyzer`` (fitted on first use, then kept)."""
        if analyzer not in self._scorers:
            if analyzer not in ra.ANALYZERS:
                raise ValueError(f"unknown analyser {analyzer!r}; choose one of {', '.join(ra.ANALYZERS)}")
            self._scorers[analyzer] = fit_bm25([p.indexed_text for p in self.passages], analyzer)
        return self._scorers[analyzer]

    def bm25_scores(self, query: str, k1: float = DEFAULTS["k1"], b: float = DEFAULTS["b"],
                    analyzer: str = DEFAULTS["analyzer"]) -> np.ndarray:
        """rank-bm25 Okapi scores of every passage for ``query`` with the given k1, b, analyser."""
        scorer = self.scorer(analyzer)
        return scorer.scores(ra.analyse(query, analyzer), k1, b)

    def bm25(self, query: str, k: int, k1: float = DEFAULTS["k1"], b: float = DEFAULTS["b"],
             analyzer: str = DEFAULTS["analyzer"]) -> list[Hit]:
        """Top-``k`` BM25 hits; passages sharing no term with the query (score 0) are not returned,
        so fewer than ``k`` hits come back when few passages match."""
        scores = self.bm25_scores(query, k1, b, analyzer)
        return [Hit(self.ids[i], float(scores[i])) for i in _top(scores, k) if scores[i] > 0]

    def dense(self, query: str, k: int) -> list[Hit]:
        vec, _ = self._query(query)
        scores, idx = self.faiss.search(vec[None, :].astype(np.float32), min(k, len(self)))
        return [Hit(self.ids[i], float(s)) for s, i in zip(scores[0], idx[0]) if i >= 0]

    def passage_tokens(self, pid: str) -> np.ndarray:
        i = self.position[pid]
        return self.tokens[self.offsets[i]:self.offsets[i + 1]].astype(np.float32)

    def maxsim(self, query: str, pids: Sequence[str]) -> list[float]:
        """Late-interaction MaxSim score of each passage for ``query``."""
        _, q_tokens = self._query(query)
        if not pids:
            return []
        blocks = [self.passage_tokens(pid) for pid in pids]
        return rr.maxsim_many(q_tokens, blocks)

    def search(self, method: str, query: str, k: int = 10, **params) -> list[Hit]:
        """Top-``k`` hits of ``method`` (one of :data:`METHODS`) for ``query``.

        Parameters: ``k1``, ``b``, ``analyzer`` (BM25, see :mod:`.analysis`); ``rrf_k`` (RRF); ``alpha`` (weighted fusion, weight of
        dense); ``depth`` (how many hits each retriever contributes to fusion); ``fusion``
        (``"rrf"`` or ``"weighted"``, the list the reranker re-orders); ``rerank_n``.
        """
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown search parameter(s): {', '.join(sorted(unknown))}")
        p = {**DEFAULTS, **params}
        query = (query or "").strip()
        if not query:
            raise ValueError("the query is empty: type a question or an identifier")
        if len(query) > MAX_QUERY_CHARS:
            raise ValueError(f"the query is {len(query):,} characters long; keep it under {MAX_QUERY_CHARS:,}")
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        if k < 1:
            raise ValueError(f"k must be at least 1 (got {k})")
        if k > len(self):
            raise ValueError(f"k ({k}) cannot exceed the number of passages ({len(self):,})")
        if method == "bm25":
            return self.bm25(query, k, p["k1"], p["b"], p["analyzer"])
        if method == "dense":
            return self.dense(query, k)
        depth = max(int(p["depth"]), k)
        sparse = self.bm25(query, depth, p["k1"], p["b"], p["analyzer"])
        dense = self.dense(query, depth)
        fusion = method if method in ("rrf", "weighted") else p["fusion"]
        if fusion == "rrf":
            fused = rrf_fuse([[h.passage_id for h in sparse], [h.passage_id for h in dense]], p["rrf_k"])
        elif fusion == "weighted":
            fused = weighted_fuse({h.passage_id: h.score for h in sparse},
                                  {h.passage_id: h.score for h in dense}, p["alpha"])
        else:
            raise ValueError(f"fusion must be 'rrf' or 'weighted' (got {fusion!r})")
        if method != "rerank":
            return [Hit(pid, float(s)) for pid, s in fused[:k]]
        n = int(p["rerank_n"])
        if n < 1:
            raise ValueError(f"rerank_n must be at least 1 (got {n})")
        head = [pid for pid, _ in fused[:n]]
        scores = self.maxsim(query, head)
        order = sorted(range(len(head)), key=lambda i: (-scores[i], i))
        # the reranked head first; the rest keeps its fused order below every reranked score
        hits = [Hit(head[i], scores[i]) for i in order]
        hits += [Hit(pid, float(s) - 10.0) for pid, s in fused[n:k]]
        return hits[:k]


def relevant_params(method: str, params: Mapping) -> dict:
    """The subset of ``params`` that changes ``method``'s ranking (for cache keys)."""
    used = {"bm25": ("k1", "b", "analyzer"), "dense": (), "rrf": ("k1", "b", "analyzer", "rrf_k", "depth"),
            "weighted": ("k1", "b", "analyzer", "alpha", "depth")}.get(method, tuple(DEFAULTS))
    if method == "rerank":
        fusion = params.get("fusion", DEFAULTS["fusion"])
        used = ("k1", "b", "analyzer", "depth", "fusion", "rerank_n", "rrf_k" if fusion == "rrf" else "alpha")
    return {k: v for k, v in params.items() if k in used}


# ---- building and caching -------------------------------------------------------------------
def _model_key(model_path: str | None) -> str:
    from playground.embeddings import default_model_path

    return str(default_model_path() if model_path is None else Path(model_path).expanduser().resolve())


def _cache_file(passages: Sequence, model_path: str | None) -> Path:
    """Folder of the on-disk embedding cache for these passages and this model."""
    key = rc.content_hash(*(f"{p.id}\t{p.indexed_text}" for p in passages), "model", _model_key(model_path),
                         f"tokens-v{rr.TOKENS_VERSION}")
    return rc.CACHE / f"index-{key}"


def _save_npz(path: Path, **arrays) -> None:
    """Write an .npz atomically (a concurrent reader sees the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    os.close(fd)
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def _save_arrays(folder: Path, **arrays) -> None:
    """Write one .npy per array into ``folder`` atomically (built aside, then renamed)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
    for name, array in arrays.items():
        np.save(tmp / f"{name}.npy", array)
    try:
        os.replace(tmp, folder)
    except OSError:  # another process finished first: keep its copy
        shutil.rmtree(tmp, ignore_errors=True)


def embed_passages(passages: Sequence, model_path: str | None = None, batch: int = 256,
                   progress: Callable[[float, str], None] | None = None):
    """Sentence and token embeddings of every passage, in batches (``progress(fraction, text)``)."""
    texts = [p.indexed_text for p in passages]
    order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths pad less
    sentences = np.zeros((len(texts), 384), dtype=np.float32)
    tokens: list = [None] * len(texts)
    for start in range(0, len(texts), batch):
        chunk = order[start:start + batch]
        sent, tok = rr.token_embeddings([texts[i] for i in chunk], model_path)
        if sentences.shape[1] != sent.shape[1]:
            sentences = np.zeros((len(texts), sent.shape[1]), dtype=np.float32)
        sentences[chunk] = sent
        for i, t in zip(chunk, tok):
            tokens[i] = t.astype(np.float16)
        if progress:
            done = min(start + batch, len(texts))
            progress(done / len(texts), f"Embedding passages: {done:,} / {len(texts):,}")
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(t) for t in tokens])
    return sentences, np.concatenate(tokens), offsets


def build_index(passages: Sequence | None = None, model_path: str | None = None,
                progress: Callable[[float, str], None] | None = None,
                use_disk_cache: bool = True) -> RetrievalIndex:
    """Build a :class:`RetrievalIndex`; embeddings come from ``.cache/rag`` when the same
    passages were embedded with the same model before (keyed by a content hash)."""
    passages = list(rc.load_passages() if passages is None else passages)
    if not passages:
        raise ValueError("there are no passages to index")
    path = _cache_file(passages, model_path)
    timings = {}
    if use_disk_cache and (path / "offsets.npy").is_file():
        t0 = time.perf_counter()
        sentences = np.load(path / "sentences.npy")
        tokens = np.load(path / "tokens.npy", mmap_mode="r")  # ~300 MB: paged in on demand
        offsets = np.load(path / "offsets.npy")
        timings.update(embed=0.0, cache_load=time.perf_counter() - t0, from_cache=1.0)
        if progress:
            progress(1.0, "Loaded passage embeddings from the disk cache")
    else:
        t0 = time.perf_counter()
        sentences, tokens, offsets = embed_passages(passages, model_path, progress=progress)
        timings.update(embed=time.perf_counter() - t0, from_cache=0.0)
        if use_disk_cache:
            _save_arrays(path, sentences=sentences, tokens=tokens, offsets=offsets)
    return RetrievalIndex(passages, sentences, tokens, offsets, model_path, timings)


_INDEXES: dict = {}
_BUILD_LOCK = threading.Lock()


def get_index(model_path: str | None = None,
              progress: Callable[[float, str], None] | None = None) -> RetrievalIndex:
    """The index over the shipped corpus, built once per process (and once per disk cache).

    ``progress(fraction, text)`` is called only while embeddings are computed (no disk cache);
    concurrent callers wait for the one build."""
    if model_path not in _INDEXES:
        with _BUILD_LOCK:
            if model_path not in _INDEXES:
                _INDEXES[model_path] = build_index(model_path=model_path, progress=progress)
    return _INDEXES[model_path]


# ---- evaluation -----------------------------------------------------------------------------
def evaluate(index: RetrievalIndex, queries: Sequence, method: str, recall_k: int = 10,
             **params) -> list[dict]:
    """Per-query metrics of ``method``: recall@``recall_k``, MRR@10, nDCG@10 (graded), and the
    search time in ms (query embedding already cached, one BLAS thread)."""
    from threadpoolctl import threadpool_limits

    index.encode_queries([q.text for q in queries], disk=True)
    depth = max(10, recall_k)
    rows = []
    with threadpool_limits(limits=1):  # many tiny products: one BLAS thread is faster on 2 cores
        for q in queries:
            start = time.perf_counter()
            ranked = [h.passage_id for h in index.search(method, q.text, depth, **params)]
            elapsed_ms = (time.perf_counter() - start) * 1e3
            rows.append({"query_id": q.id, "type": q.type, "method": method, "latency_ms": elapsed_ms,
                         f"recall@{recall_k}": irm.recall_at_k(ranked, q.relevant, recall_k),
                         "mrr@10": irm.reciprocal_rank(ranked, q.relevant, 10),
                         "ndcg@10": irm.ndcg_at_k(ranked, q.relevant, 10)})
    return rows


def summarise(rows: Sequence[dict]) -> dict[str, dict[str, float]]:
    """Mean of every metric over all queries (``"all"``) and per query type."""
    groups: dict[str, list[dict]] = {"all": list(rows)}
    for row in rows:
        groups.setdefault(row["type"], []).append(row)
    metrics = [key for key in (rows[0] if rows else {}) if "@" in key]
    return {name: {m: float(np.mean([r[m] for r in group])) for m in metrics} | {"n": len(group)}
            for name, group in groups.items()}


def index_on_disk(model_path: str | None = None) -> bool:
    """Whether the shipped corpus's embeddings are already in the disk cache."""
    return (_cache_file(rc.load_passages(), model_path) / "offsets.npy").is_file()


PRESETS: tuple[Preset, ...] = (
    Preset("naive", "Naive: dense retrieval only",
           "One embedding per passage and a vector search: watch the rare-entity rows and the error "
           "code in the explorer.",
           {"live_method": "dense", "query": "dirs_exist_ok", "explore_type": "rare_entity",
            "explore_q": "q001: dirs_exist_ok"}),
    Preset("production", "Production: hybrid + rerank",
           "BM25 and dense fused by weighted score fusion, the top-20 re-ordered by the MaxSim "
           "reranker: compare its per-type bars with either retriever alone.",
           {"live_method": "rerank", "fusion": "weighted", "alpha": 0.5, "rerank_n": 20,
            "query": "hold off for a few moments before going on"}),
    Preset("dense_error_code", "Dense retrieval on an error code",
           "An exception name: dense retrieval returns passages about timeouts in general (socket, "
           "asyncio, threading) and ranks subprocess.TimeoutExpired only 5th; BM25 puts it first.",
           {"live_method": "dense", "query": "TimeoutExpired", "explore_type": "rare_entity",
            "explore_q": "q019: TimeoutExpired"}),
    Preset("bm25_paraphrase", "BM25 on a paraphrase",
           "Everyday words that never appear in the answer: BM25 scores the answer 0 and returns "
           "passages that share incidental words.",
           {"live_method": "bm25", "query": "quit the whole program right now",
            "explore_type": "paraphrase"}),
)
