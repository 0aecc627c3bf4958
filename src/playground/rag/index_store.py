"""The retrieval index over the shipped corpus, built once and stored under ``.cache/rag``.

One :class:`RetrievalIndex` is built once (BM25 statistics, passage embeddings, shipped in
``data/samples/rag`` or computed, the FAISS ``IndexFlatIP``, and a store of the passages' token
embeddings for the reranker, filled on demand) and every method of
:mod:`playground.rag.retrievers` is reached through :meth:`RetrievalIndex.search`::

    index = get_index()                       # cached in-process and on disk under .cache/rag
    index.search("bm25", "PYTHONHASHSEED", k=10, k1=1.2, b=0.75)
    index.search("rrf", "make a copy of a nested list", k=10, rrf_k=60)
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from playground import disk_cache, embeddings
from playground import shipped_vectors as sv
from playground.rag import corpus as rc
from playground.rag import rerank as rr
from playground.rag import shipped_maxsim as sm
from playground.rag import analysis as ra
from playground.rag.retrievers import (DEFAULTS, MAX_QUERY_CHARS, METHODS, Hit, fit_bm25, rrf_fuse,
                                       top_indices, weighted_fuse)


MAX_PARTS, MAX_PART_BYTES = 32, 1 << 30  # part files kept beside a token store (least recently used go)


class TokenStore:
    """The passages' token vectors for the reranker (float16, one matrix per passage), computed
    on demand: a rerank pays for the passages it reranks, not for the whole corpus.

    Computed rows stay in memory for the life of the process. A pass over the labelled queries
    (:meth:`RetrievalIndex.prepare` with ``persist``; never a visitor's search) is also kept in a
    part file next to ``folder``, which the next process (a restarted server, a second replica,
    another test worker) reads instead of computing those rows again. A complete store is written
    to ``folder`` (``tokens.npy`` and ``offsets.npy``, by :meth:`complete`, which the warm-up
    command calls; it replaces the part files) and later memory-mapped from there, so a warmed
    server computes nothing.

    Parameters
    ----------
    texts : sequence of str
        The passages' indexed texts, in index order.
    model_path : str, optional
        The model folder (default: the packaged MiniLM).
    folder : Path, optional
        Where the complete store lives on disk (``None``: memory only).
    """

    def __init__(self, texts: Sequence[str], model_path: str | None = None, folder: Path | None = None,
                 batch: int = 64) -> None:
        self.texts = list(texts)
        self.model_path = model_path
        self.folder = folder
        self.batch = batch
        self._rows: dict[int, np.ndarray] = {}
        self._read_parts: set[str] = set()
        self._lock = threading.Lock()  # one writer of the complete store
        self._disk = (disk_cache.load_folder(folder, ("tokens", "offsets"), self._checker(len(self.texts)),
                                             mmap=("tokens",)) if folder is not None else None)

    @staticmethod
    def _checker(n: int):
        need = disk_cache.require

        def check(arrays) -> None:
            tokens, offsets = arrays["tokens"], arrays["offsets"]
            need(offsets.dtype == np.int64 and offsets.shape == (n + 1,) and offsets[0] == 0
                 and bool(np.all(np.diff(offsets) >= 0)), "token offsets of the wrong shape")
            need(tokens.dtype == np.float16 and tokens.ndim == 2 and len(tokens) == offsets[-1],
                 "token matrix of the wrong shape")
        return check

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def ready(self) -> int:
        """How many passages' token vectors are available without computing."""
        return len(self.texts) if self._disk is not None else len(self._rows)

    def missing(self, rows: Sequence[int]) -> list[int]:
        """The rows among ``rows`` that would have to be computed (after reading any part file
        another process wrote meanwhile)."""
        if self._disk is not None:
            return []
        todo = set(int(r) for r in rows) - set(self._rows)
        if todo and self._read_new_parts():
            todo -= set(self._rows)
        return sorted(todo)

    @property
    def parts(self) -> Path | None:
        """The folder of part files (``None`` without ``folder``)."""
        return None if self.folder is None else self.folder.with_name(self.folder.name + "-parts")

    def _read_new_parts(self) -> bool:
        """Add the rows of part files not read yet (a bad file is deleted); whether any were read."""
        if self.parts is None or not self.parts.is_dir():
            return False
        read = False
        for path in sorted(self.parts.glob("part-*.npz")):
            if path.name in self._read_parts:
                continue
            self._read_parts.add(path.name)
            arrays = disk_cache.load_npz(path, self._part_checker(len(self.texts)))
            if arrays is not None:
                tokens, offsets = arrays["tokens"], arrays["offsets"]
                for i, r in enumerate(arrays["rows"].tolist()):
                    self._rows.setdefault(r, tokens[offsets[i]:offsets[i + 1]])
                read = True
        return read

    @staticmethod
    def _part_checker(n: int):
        need = disk_cache.require

        def check(arrays) -> None:
            rows, tokens, offsets = arrays["rows"], arrays["tokens"], arrays["offsets"]
            need(rows.dtype == np.int64 and rows.ndim == 1 and (len(rows) == 0 or (rows.min() >= 0 and rows.max() < n)),
                 "part rows out of range")
            need(offsets.dtype == np.int64 and offsets.shape == (len(rows) + 1,) and offsets[0] == 0
                 and bool(np.all(np.diff(offsets) >= 0)), "part offsets of the wrong shape")
            need(tokens.dtype == np.float16 and tokens.ndim == 2 and len(tokens) == offsets[-1],
                 "part token matrix of the wrong shape")
        return check

    def _write_part(self, rows: list[int]) -> None:
        """Keep the token vectors of ``rows`` (just computed) in a part file."""
        if self.parts is None or not rows:
            return
        blocks = [self._rows[r] for r in rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(b) for b in blocks])
        name = f"part-{hashlib.sha256(np.asarray(rows, np.int64).tobytes()).hexdigest()[:16]}.npz"
        if disk_cache.save_npz(self.parts / name, rows=np.asarray(rows, np.int64), tokens=np.concatenate(blocks),
                               offsets=offsets):
            self._read_parts.add(name)
            disk_cache.prune(self.parts, "part-*.npz", MAX_PARTS, MAX_PART_BYTES)

    def ensure(self, rows: Sequence[int], progress: Callable[[float, str], None] | None = None,
               keep: bool = False) -> int:
        """Compute the token vectors of ``rows`` not yet available (in length-sorted batches;
        ``progress(fraction, text)`` after each); return how many were computed. With ``keep`` the
        computed rows are also written to a part file."""
        todo = self.missing(rows)
        todo.sort(key=lambda r: len(self.texts[r]))
        computed: list[int] = []
        try:
            for start in range(0, len(todo), self.batch):
                # no lock while the model runs: a search that needs a few rows is not held up by a
                # long pass; rows another thread finished meanwhile are skipped
                chunk = [r for r in todo[start:start + self.batch] if r not in self._rows]
                if chunk:
                    _, tokens = rr.token_embeddings([self.texts[r] for r in chunk], self.model_path)
                    for r, t in zip(chunk, tokens):
                        self._rows[r] = t.astype(np.float16)
                    computed += chunk
                if progress:
                    done = min(start + self.batch, len(todo))
                    progress(done / len(todo), f"Token vectors for the reranker: {done:,} / {len(todo):,} passages")
        finally:  # a cancelled pass keeps what it computed too
            if keep:
                self._write_part(computed)
        return len(todo)

    def get(self, rows: Sequence[int]) -> list[np.ndarray]:
        """Token vectors (float32, one ``(n_tokens, dim)`` array per row), computed if needed."""
        self.ensure(rows)
        if self._disk is not None:
            tokens, offsets = self._disk["tokens"], self._disk["offsets"]
            return [tokens[offsets[r]:offsets[r + 1]].astype(np.float32) for r in rows]
        return [self._rows[int(r)].astype(np.float32) for r in rows]

    def complete(self, progress: Callable[[float, str], None] | None = None) -> bool:
        """Compute every passage's token vectors and write them to ``folder`` (memory-mapped from
        then on); ``False`` when there is no folder or the disk cannot be written."""
        if self._disk is not None:
            return True
        self.ensure(range(len(self.texts)), progress)
        if self.folder is None:
            return False
        with self._lock:
            blocks = [self._rows[r] for r in range(len(self.texts))]
            offsets = np.zeros(len(blocks) + 1, dtype=np.int64)
            offsets[1:] = np.cumsum([len(b) for b in blocks])
            if not disk_cache.save_folder(self.folder, tokens=np.concatenate(blocks), offsets=offsets):
                return False
            disk_cache.discard(self.parts)  # the complete store holds every part's rows
            self._disk = disk_cache.load_folder(self.folder, ("tokens", "offsets"), self._checker(len(self.texts)),
                                                mmap=("tokens",))
            if self._disk is not None:
                self._rows.clear()
            return self._disk is not None


@dataclass
class RetrievalIndex:
    """Everything the retrievers need, built once for a list of passages.

    Attributes
    ----------
    passages : list of Passage
    embeddings : ndarray, shape (n, 384)
        Unit-normalised passage embeddings (MiniLM, mean pooled, rounded through float16).
    tokens : TokenStore
        The passages' token vectors for the reranker, computed on demand.
    timings : dict
        Seconds spent on each build step; ``from_cache`` is 1 when no sentence vector was computed.
    source : str
        Where the sentence vectors came from (``"shipped"``, ``"disk cache"`` or ``"computed"``).
    """

    passages: list
    embeddings: np.ndarray
    tokens: TokenStore
    model_path: str | None = None
    timings: dict = field(default_factory=dict)
    source: str = "computed"

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
        self._query_vectors: dict[str, np.ndarray] = {}
        self._query_tokens: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.passages)

    # ---- query encoding -----------------------------------------------------------------
    @cached_property
    def maxsim_table(self) -> sm.Table | None:
        """The shipped MaxSim scores of the labelled queries (:mod:`.shipped_maxsim`) when they
        were made from exactly these passages with exactly this model, else ``None`` (another
        model folder, part of the corpus, a stale file)."""
        return None if self.model_path is not None else sm.load(sm.SHIPPED, corpus_key(self.passages), len(self))

    def needs_tokens(self, text: str) -> bool:
        """Whether a rerank of ``text`` computes MaxSim (token vectors): not when the shipped
        table holds its scores."""
        table = self.maxsim_table
        return table is None or text not in table.rows

    def encode_queries(self, texts: Sequence[str], persist: bool = False, tokens: bool = True,
                       force_tokens: bool = False) -> None:
        """Encode (and remember in this process) query vectors and, with ``tokens``, the query
        token vectors a rerank needs (none for a query whose MaxSim scores ship:
        :meth:`needs_tokens`; ``force_tokens`` computes them anyway) in one batch; with
        ``persist=True`` the batch is also cached on disk (for the labelled set, never for a
        visitor's query): see :func:`playground.embeddings.embed`.

        A query that needs no token vectors looks up the query vectors that ship
        (:data:`SHIPPED_QUERIES`, the model's exact float32 output) first, without the model. A
        query keeps the first vector it got in this process."""
        wanted = list(dict.fromkeys(texts))
        need = {t for t in wanted if force_tokens or (tokens and self.needs_tokens(t))}
        table = shipped_queries(self.model_path)
        for text in wanted:
            if text not in need and text not in self._query_vectors and table is not None and text in table.rows:
                self._query_vectors[text] = table.vectors[table.rows[text]]
        missing = [t for t in wanted if t not in self._query_vectors or (t in need and t not in self._query_tokens)]
        if not missing:
            return
        sentences, token_vectors = embeddings.embed(missing, persist=persist, model_path=self.model_path,
                                                    tokens=True)
        for text, vec, tok in zip(missing, sentences, token_vectors):
            self._query_vectors.setdefault(text, vec)
            self._query_tokens[text] = tok
        for memory in (self._query_vectors, self._query_tokens):
            while len(memory) > 5000:
                memory.pop(next(iter(memory)))

    def query_tokens(self, text: str) -> np.ndarray:
        """The token vectors of ``text`` (computed once per process)."""
        self.encode_queries([text], force_tokens=True)
        return self._query_tokens[text]

    def query_vector(self, text: str) -> np.ndarray:
        """The query vector of ``text`` that dense retrieval searches with (shipped or computed)."""
        self.encode_queries([text], tokens=False)
        return self._query_vectors[text]

    def query_matrix(self, texts: Sequence[str], persist: bool = False) -> np.ndarray:
        """The query vectors of ``texts`` that dense retrieval searches with, one row each
        (float32, ``(len(texts), 384)``), encoded in one batch where not shipped or remembered."""
        self.encode_queries(texts, persist=persist, tokens=False)
        return np.stack([self._query_vectors[t] for t in texts]) if texts else np.zeros((0, embeddings.DIM), np.float32)

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
        vec = self.query_vector(query)
        scores, idx = self.faiss.search(vec[None, :].astype(np.float32), min(k, len(self)))
        return [Hit(self.ids[i], float(s)) for s, i in zip(scores[0], idx[0]) if i >= 0]

    def maxsim(self, query: str, pids: Sequence[str]) -> list[float]:
        """Late-interaction MaxSim score of each passage for ``query``: looked up for a query
        whose scores ship (:attr:`maxsim_table`), else computed from token vectors."""
        if not pids:
            return []
        if not self.needs_tokens(query):
            row = self.maxsim_table.scores[self.maxsim_table.rows[query]]
            return [float(row[self.position[pid]]) for pid in pids]
        return rr.maxsim_many(self.query_tokens(query), self.tokens.get([self.position[pid] for pid in pids]))

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
        fused = self._fused(method, query, k, p)
        if method != "rerank":
            return [Hit(pid, float(s)) for pid, s in fused[:k]]
        n = int(p["rerank_n"])
        head = [pid for pid, _ in fused[:n]]
        scores = self.maxsim(query, head)
        order = sorted(range(len(head)), key=lambda i: (-scores[i], i))
        # the reranked head first; the rest keeps its fused order below every reranked score
        hits = [Hit(head[i], scores[i]) for i in order]
        hits += [Hit(pid, float(s) - 10.0) for pid, s in fused[n:k]]
        return hits[:k]

    def _fused(self, method: str, query: str, k: int, p: dict) -> list[tuple[str, float]]:
        """The fused BM25 + dense list of a fusion or rerank search (parameters already merged)."""
        depth = max(int(p["depth"]), k)
        sparse = self.bm25(query, depth, p["k1"], p["b"], p["analyzer"])
        dense = self.dense(query, depth)
        fusion = method if method in ("rrf", "weighted") else p["fusion"]
        if method == "rerank" and int(p["rerank_n"]) < 1:
            raise ValueError(f"rerank_n must be at least 1 (got {int(p['rerank_n'])})")
        if fusion == "rrf":
            return rrf_fuse([[h.passage_id for h in sparse], [h.passage_id for h in dense]], p["rrf_k"])
        if fusion == "weighted":
            return weighted_fuse({h.passage_id: h.score for h in sparse},
                                 {h.passage_id: h.score for h in dense}, p["alpha"])
        raise ValueError(f"fusion must be 'rrf' or 'weighted' (got {fusion!r})")

    def prepare(self, method: str, queries: Sequence[str], k: int = 10, persist: bool = False,
                progress: Callable[[float, str], None] | None = None, **params) -> int:
        """Before many searches: encode ``queries`` in one batch and, for ``"rerank"``, compute in
        one pass the token vectors of every passage some query will rerank (``progress`` is
        called meanwhile; with ``persist`` they are also kept on disk for the next process, see
        :class:`TokenStore`). Returns how many passages' token vectors were computed."""
        self.encode_queries(queries, persist=persist, tokens=method == "rerank")
        if method != "rerank":
            return 0
        p = {**DEFAULTS, **params}
        rows = {self.position[pid] for q in queries if q.strip() and self.needs_tokens(q.strip())
                for pid, _ in self._fused(method, q.strip(), k, p)[:int(p["rerank_n"])]}
        return self.tokens.ensure(sorted(rows), progress, keep=persist)


SHIPPED = rc.DATA / "passage_embeddings.npz"  # float16 sentence vectors, see data/samples/rag/README.md
SHIPPED_QUERIES = rc.DATA / "query_vectors.npz"
"""The exact (float32) query vectors of the 167 labelled queries and of lesson 10's two questions, as
:meth:`RetrievalIndex.encode_queries` computes them (written by ``scripts/build_rag_embeddings.py --eval``,
see data/samples/rag/README.md): lessons 8 to 11 search with them without loading the model."""


def shipped_queries(model_path: str | None = None) -> sv.Table | None:
    """The shipped query vectors (:func:`playground.shipped_vectors.load`) for the packaged model;
    ``None`` for another model folder or when they do not match the installed model."""
    return sv.load(SHIPPED_QUERIES) if model_path is None else None


def corpus_key(passages: Sequence, model_path: str | None = None) -> str:
    """Content hash of the passages as indexed (ids and texts) and of the model's files
    (:func:`playground.embeddings.model_digest`): the identity of a set of passage vectors."""
    return rc.content_hash(*(f"{p.id}\t{p.indexed_text}" for p in passages), "model",
                           embeddings.model_digest(model_path))


def sentence_vectors(passages: Sequence, model_path: str | None = None, batch: int = 256,
                     progress: Callable[[float, str], None] | None = None) -> np.ndarray:
    """Unit-norm MiniLM sentence vectors of the passages, rounded through float16 (what ships in
    :data:`SHIPPED`), so a rebuild gives exactly the shipped values; shape ``(n, dim)`` float32."""
    texts = [p.indexed_text for p in passages]
    order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths pad less
    out = np.zeros((len(texts), embeddings.DIM), dtype=np.float16)
    for start in range(0, len(texts), batch):
        chunk = order[start:start + batch]
        vectors = embeddings.encode([texts[i] for i in chunk], model_path)
        if vectors.shape[1] != out.shape[1]:
            out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float16)
        out[chunk] = vectors.astype(np.float16)
        if progress:
            done = min(start + batch, len(texts))
            progress(done / len(texts), f"Embedding passages: {done:,} / {len(texts):,}")
    return rr.normalise_rows(out.astype(np.float32))


def shipped_vectors(passages: Sequence, model_path: str | None = None,
                    path: Path | None = None) -> np.ndarray | None:
    """The shipped sentence vectors when they were made from exactly these passages with exactly
    this model (:func:`corpus_key`), else ``None`` (the caller rebuilds; the file is never
    deleted: it is part of the repository)."""
    path = SHIPPED if path is None else path
    try:
        with np.load(path, allow_pickle=False) as data:
            key, vectors = str(data["key"]), data["sentences"]
    except (OSError, ValueError, KeyError):
        return None
    if key != corpus_key(passages, model_path) or vectors.dtype != np.float16 or len(vectors) != len(passages):
        return None
    return rr.normalise_rows(vectors.astype(np.float32))


def write_shipped(passages: Sequence, path: Path, model_path: str | None = None,
                  progress: Callable[[float, str], None] | None = None) -> np.ndarray:
    """Embed the passages and write :data:`SHIPPED` (``key`` and float16 ``sentences``)."""
    vectors = sentence_vectors(passages, model_path, progress=progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, key=np.array(corpus_key(passages, model_path)),
                        sentences=vectors.astype(np.float16))
    return vectors


def _sentence_checker(n: int):
    need = disk_cache.require

    def check(arrays) -> None:
        sentences = arrays["sentences"]
        need(sentences.dtype == np.float32 and sentences.ndim == 2 and len(sentences) == n,
             "sentence vectors of the wrong shape")
        need(bool(np.allclose(np.linalg.norm(sentences, axis=1), 1.0, atol=1e-3)),
             "sentence vectors are not unit length")
    return check


def load_sentences(passages: Sequence, model_path: str | None = None, use_disk_cache: bool = True,
                   progress: Callable[[float, str], None] | None = None) -> tuple[np.ndarray, str]:
    """The passages' sentence vectors and where they came from: ``"shipped"`` (the file in the
    repository matches these passages and this model), ``"disk cache"`` or ``"computed"``."""
    vectors = shipped_vectors(passages, model_path)
    if vectors is not None:
        return vectors, "shipped"
    path = rc.CACHE / f"sentences-{corpus_key(passages, model_path)}.npz"
    cached = disk_cache.load_npz(path, _sentence_checker(len(passages))) if use_disk_cache else None
    if cached is not None:
        return cached["sentences"], "disk cache"
    vectors = sentence_vectors(passages, model_path, progress=progress)
    if use_disk_cache:
        disk_cache.save_npz(path, sentences=vectors)
    return vectors, "computed"


def build_index(passages: Sequence | None = None, model_path: str | None = None,
                progress: Callable[[float, str], None] | None = None,
                use_disk_cache: bool = True) -> RetrievalIndex:
    """Build a :class:`RetrievalIndex`. Sentence vectors come from the shipped file when it
    matches, else from ``.cache/rag`` (keyed by :func:`corpus_key`), else they are computed
    (``progress`` is then called). The reranker's token vectors are computed on demand
    (:class:`TokenStore`), or memory-mapped from ``.cache/rag`` after a full build
    (``python -m playground.warm``)."""
    passages = list(rc.load_passages() if passages is None else passages)
    if not passages:
        raise ValueError("there are no passages to index")
    t0 = time.perf_counter()
    sentences, source = load_sentences(passages, model_path, use_disk_cache, progress)
    timings = {"sentences": time.perf_counter() - t0, "from_cache": float(source != "computed")}
    folder = rc.CACHE / f"tokens-{corpus_key(passages, model_path)}-v{rr.TOKENS_VERSION}" if use_disk_cache else None
    tokens = TokenStore([p.indexed_text for p in passages], model_path, folder)
    return RetrievalIndex(passages, sentences, tokens, model_path, timings, source)


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
    """Whether the shipped corpus's sentence vectors load without computing (shipped file or disk
    cache)."""
    passages = rc.load_passages()
    return (shipped_vectors(passages, model_path) is not None
            or (rc.CACHE / f"sentences-{corpus_key(passages, model_path)}.npz").is_file())
