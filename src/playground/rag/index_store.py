"""The retrieval index over the shipped corpus, built once and stored under ``.cache/rag``.

One :class:`RetrievalIndex` is built once (BM25 statistics, passage embeddings, the FAISS
``IndexFlatIP`` and the passages' token embeddings for the reranker) and every method of
:mod:`playground.rag.retrievers` is reached through :meth:`RetrievalIndex.search`::

    index = get_index()                       # cached in-process and on disk under .cache/rag
    index.search("bm25", "PYTHONHASHSEED", k=10, k1=1.2, b=0.75)
    index.search("rrf", "make a copy of a nested list", k=10, rrf_k=60)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from playground import disk_cache, embeddings
from playground.rag import corpus as rc
from playground.rag import rerank as rr
from playground.rag import analysis as ra
from playground.rag.retrievers import (DEFAULTS, MAX_QUERY_CHARS, METHODS, Hit, fit_bm25, rrf_fuse,
                                       top_indices, weighted_fuse)


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
    def encode_queries(self, texts: Sequence[str], persist: bool = False) -> None:
        """Encode (and remember in this process) query vectors and query token vectors in one
        batch; with ``persist=True`` the batch is also cached on disk (for the labelled set, never
        for a visitor's query): see :func:`playground.embeddings.embed`."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._query_cache]
        if not missing:
            return
        sentences, tokens = embeddings.embed(missing, persist=persist, model_path=self.model_path,
                                             tokens=True)
        for text, vec, tok in zip(missing, sentences, tokens):
            self._query_cache[text] = (vec, tok)
        while len(self._query_cache) > 5000:
            self._query_cache.pop(next(iter(self._query_cache)))

    def _query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        self.encode_queries([text])
        return self._query_cache[text]

    # ---- retrievers -----------------------------------------------------------------------
    def scorer(self, analyzer: str = DEFAULTS["analyzer"]):
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
        return [Hit(self.ids[i], float(scores[i])) for i in top_indices(scores, k) if scores[i] > 0]

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


def _cache_file(passages: Sequence, model_path: str | None) -> Path:
    """Folder of the on-disk embedding cache for these passages and this model."""
    key = rc.content_hash(*(f"{p.id}\t{p.indexed_text}" for p in passages), "model",
                          embeddings.model_key(model_path), f"tokens-v{rr.TOKENS_VERSION}")
    return rc.CACHE / f"index-{key}"


def _index_checker(n: int):
    """Shape, dtype and consistency checks of a cached index folder (``n`` passages). The
    sentence vectors and offsets are checked in full (unit rows, increasing offsets); the ~300 MB
    token matrix, memory-mapped, is checked for dtype and shape (a truncated file does not map)."""
    need = disk_cache.require

    def check(arrays) -> None:
        sentences, tokens, offsets = arrays["sentences"], arrays["tokens"], arrays["offsets"]
        need(sentences.dtype == np.float32 and sentences.ndim == 2 and len(sentences) == n,
             "sentence vectors of the wrong shape")
        need(bool(np.allclose(np.linalg.norm(sentences, axis=1), 1.0, atol=1e-3)),
             "sentence vectors are not unit length")
        need(offsets.dtype == np.int64 and offsets.shape == (n + 1,) and offsets[0] == 0
             and bool(np.all(np.diff(offsets) >= 0)), "token offsets of the wrong shape")
        need(tokens.dtype == np.float16 and tokens.shape == (offsets[-1], sentences.shape[1]),
             "token matrix of the wrong shape")
    return check


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
    t0 = time.perf_counter()
    cached = (disk_cache.load_folder(path, ("sentences", "tokens", "offsets"), _index_checker(len(passages)),
                                     mmap=("tokens",))  # ~300 MB: paged in on demand
              if use_disk_cache else None)
    if cached is not None:
        sentences, tokens, offsets = cached["sentences"], cached["tokens"], cached["offsets"]
        timings.update(embed=0.0, cache_load=time.perf_counter() - t0, from_cache=1.0)
        if progress:
            progress(1.0, "Loaded passage embeddings from the disk cache")
    else:
        t0 = time.perf_counter()
        sentences, tokens, offsets = embed_passages(passages, model_path, progress=progress)
        timings.update(embed=time.perf_counter() - t0, from_cache=0.0)
        if use_disk_cache:
            disk_cache.save_folder(path, sentences=sentences, tokens=tokens, offsets=offsets)
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


def index_on_disk(model_path: str | None = None) -> bool:
    """Whether the shipped corpus's embeddings are already in the disk cache."""
    return (_cache_file(rc.load_passages(), model_path) / "offsets.npy").is_file()
