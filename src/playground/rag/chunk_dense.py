"""Chunking's effect on dense retrieval: recall@k of MiniLM over re-chunked documents, next to BM25.

Re-embedding a chunking is the costly part (MiniLM reads about 500 tokens/s on this shared
two-core machine under load), so the comparison runs on a **pool**: a seeded sample of the
documents that hold labelled passages, capped in words, and the labelled queries whose answers
all lie in the pool. Both retrievers search the same chunks of the same pool, so the comparison
is fair; :func:`grid` evaluates a small grid of sizes and overlaps, which
``scripts/build_chunking_dense.py`` ships as ``data/samples/rag/chunking_dense.json``
(:func:`shipped_grid` checks it against the corpus and the packaged model's files).

Recall is :func:`playground.rag.chunking.covers`-based, as in lesson 8's BM25 chunking view: the
share of a query's labelled passages that one of the top-k chunks covers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from playground.rag import chunking as ch
from playground.rag import corpus as rc

SHIPPED = rc.DATA / "chunking_dense.json"
KS = (1, 3, 5, 10, 20)
SIZES = (40, 80, 160, 320, 480)
"""Chunk sizes of the shipped grid (words; one word is about 1.5 MiniLM tokens on this corpus)."""
OVERLAPS = (0, 20)
STRATEGY = "recursive"
POOL_WORDS = 20_000
SEED = 14
WINDOW = 256
"""all-MiniLM-L6-v2's ``max_seq_length`` ([CLS] and [SEP] included): tokens past it are never read."""
VERSION = 1  # bump when the evaluation changes (part of the shipped file's key)


@dataclass(frozen=True)
class Pool:
    """The documents re-chunked and the queries scored on them (ids, in corpus order)."""

    doc_ids: tuple[str, ...]
    query_ids: tuple[str, ...]


def pool(documents, passages, queries, seed: int = SEED, max_words: int = POOL_WORDS) -> Pool:
    """A seeded sample of the labelled queries and the documents that hold their answers: queries
    are taken in the order of ``numpy.random.default_rng(seed).permutation``, each while its
    documents (those of its labelled passages, grade > 0) keep the pool within ``max_words``
    words; then every query whose answers all lie in the pool is kept."""
    by_id = {p.id: p for p in passages}
    words = {d.id: len(d.text.split()) for d in documents}

    def docs_of(q) -> set[str]:
        return {by_id[pid].doc_id for pid, g in q.relevant.items() if g > 0 and pid in by_id}

    chosen: set[str] = set()
    for i in np.random.default_rng(seed).permutation(len(queries)):
        need = docs_of(queries[int(i)])
        if need and sum(words[d] for d in chosen | need) <= max_words:
            chosen |= need
    kept = tuple(q.id for q in queries if docs_of(q) and docs_of(q) <= chosen)
    if not kept:
        raise ValueError(f"no labelled query has all its answers in a {max_words:,}-word pool")
    return Pool(tuple(d.id for d in documents if d.id in chosen), kept)


def chunk_pool(documents, doc_ids: Sequence[str], strategy: str, size: int,
               overlap: int) -> list[tuple[str, ch.Chunk]]:
    """Every chunk of the pool's documents as ``(doc_id, chunk)``, in document order."""
    wanted = set(doc_ids)
    return [(d.id, c) for d in documents if d.id in wanted for c in ch.chunk(d.text, strategy, size, overlap)]


def recall_at(scores: np.ndarray, chunks: Sequence[tuple[str, ch.Chunk]], queries, passages,
              ks: Sequence[int] = KS) -> np.ndarray:
    """Recall@k per query (rows) and k (columns) from a ``(n_queries, n_chunks)`` score matrix.

    Ties are broken by chunk order (as :func:`playground.rag.chunking.evaluate_chunking` does); a
    labelled passage counts as found when a top-k chunk of its document covers it."""
    by_id = {p.id: p for p in passages}
    if scores.shape != (len(queries), len(chunks)):
        raise ValueError(f"scores of shape {scores.shape}, expected {(len(queries), len(chunks))}")
    if max(ks) > len(chunks):
        raise ValueError(f"k ({max(ks)}) cannot exceed the number of chunks ({len(chunks)})")
    out = np.zeros((len(queries), len(ks)))
    order = np.arange(len(chunks))
    for qi, q in enumerate(queries):
        rel = [by_id[pid] for pid, g in q.relevant.items() if g > 0 and pid in by_id]
        if not rel:
            continue
        ranked = np.lexsort((order, -scores[qi]))
        # the rank at which each labelled passage is first covered (len(chunks) if never)
        first = [next((r for r, i in enumerate(ranked) if chunks[i][0] == p.doc_id
                       and ch.covers((chunks[i][1].start, chunks[i][1].end), (p.start, p.end))), len(chunks))
                 for p in rel]
        out[qi] = [np.mean([f < k for f in first]) for k in ks]
    return out


def bm25_scores(chunk_texts: Sequence[str], query_texts: Sequence[str]) -> np.ndarray:
    """rank-bm25 Okapi scores (k1 = 1.2, b = 0.75, the naive analyser lesson 8 uses)."""
    from playground.rag.retrievers import fit_bm25, tokenize

    bm25 = fit_bm25(list(chunk_texts))
    return np.vstack([bm25.scores(tokenize(q), 1.2, 0.75) for q in query_texts])


def dense_scores(chunk_texts: Sequence[str], query_texts: Sequence[str], persist: bool = True,
                 embed: Callable | None = None) -> np.ndarray:
    """Cosine similarity of MiniLM query and chunk vectors (``playground.embeddings.embed``,
    cached on disk with ``persist``); ``embed(texts) -> unit vectors`` replaces the model in tests."""
    if embed is None:
        from playground import embeddings

        def embed(texts):
            return embeddings.embed(texts, persist=persist)
    return embed(list(query_texts)) @ embed(list(chunk_texts)).T


def token_counts(texts: Sequence[str]) -> np.ndarray:
    """MiniLM WordPiece tokens per text, [CLS] and [SEP] included (the model's own tokenizer)."""
    from playground import embeddings

    tokenizer = embeddings.load_model().tokenizer
    return np.array([len(ids) for ids in tokenizer(list(texts), add_special_tokens=True,
                                                    truncation=False)["input_ids"]])


def grid(documents, passages, queries, the_pool: Pool, sizes: Sequence[int] = SIZES,
         overlaps: Sequence[int] = OVERLAPS, strategy: str = STRATEGY, ks: Sequence[int] = KS,
         scorers: dict | None = None, count: Callable = token_counts,
         progress: Callable[[float, str], None] | None = None) -> dict:
    """Recall@k of each scorer (default BM25 and dense) for every (size, overlap) of the grid.

    Returns a dict: ``points`` (one per size and overlap < size: ``size``, ``overlap``,
    ``n_chunks``, ``mean_tokens``, ``over_window`` = share of chunks longer than :data:`WINDOW`,
    and ``recall``: scorer -> list (per query) of lists (per k)), plus the pool and the grid."""
    scorers = scorers or {"bm25": bm25_scores, "dense": dense_scores}
    wanted = set(the_pool.query_ids)
    qs = [q for q in queries if q.id in wanted]
    cells = [(s, o) for s in sizes for o in overlaps if o < s]
    points = []
    for n, (size, overlap) in enumerate(cells):
        if progress:
            progress(n / len(cells), f"Chunking at {size} words, overlap {overlap}: {n + 1} / {len(cells)}")
        chunks = chunk_pool(documents, the_pool.doc_ids, strategy, size, overlap)
        texts = [c.text for _, c in chunks]
        tokens = count(texts)
        points.append({"size": size, "overlap": overlap, "n_chunks": len(chunks),
                       "mean_tokens": round(float(np.mean(tokens)), 1),
                       "over_window": round(float(np.mean(tokens > WINDOW)), 4),
                       "recall": {name: np.round(recall_at(f(texts, [q.text for q in qs]), chunks, qs,
                                                           passages, ks), 4).tolist()
                                  for name, f in scorers.items()}})
    if progress:
        progress(1.0, "Chunking grid done")
    return {"strategy": strategy, "ks": list(ks), "sizes": list(sizes), "overlaps": list(overlaps),
            "doc_ids": list(the_pool.doc_ids), "query_ids": list(the_pool.query_ids),
            "query_types": [q.type for q in qs], "points": points}


def key(passages, the_pool: Pool, model_path: str | None = None) -> str:
    """Identity of a grid's inputs: the corpus as indexed, the pool, the grid, :data:`VERSION` and
    every file of the model (:func:`playground.rag.index_store.corpus_key`)."""
    from playground.rag import index_store as ix

    return rc.content_hash(ix.corpus_key(passages, model_path), *the_pool.doc_ids, *the_pool.query_ids,
                           repr((SIZES, OVERLAPS, STRATEGY, KS, WINDOW, VERSION)))


def shipped_grid(passages, the_pool: Pool, path: Path | None = None) -> dict | None:
    """The shipped grid when its key matches these passages, this pool and the installed model,
    else ``None`` (the caller recomputes with :func:`grid`)."""
    try:
        data = json.loads((SHIPPED if path is None else path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("key") == key(passages, the_pool) else None


@dataclass(frozen=True)
class Point:
    """One grid point summarised for display: mean recall@k per scorer, overall and per type;
    ``gap`` = mean dense − BM25 recall over the queries and ``gap_ci`` its 95 % paired bootstrap
    interval (:func:`playground.rag.ir_metrics.paired_bootstrap_ci`); ``prompt_tokens`` = k x the
    mean chunk length, what the top-k puts into the prompt."""

    size: int
    overlap: int
    n_chunks: int
    mean_tokens: float
    over_window: float
    recall: dict
    per_type: dict
    gap: float
    gap_ci: tuple[float, float]
    prompt_tokens: float


def summarise(table: dict, k: int, seed: int = 0) -> list[Point]:
    """Mean recall@``k`` of every grid point (overall and per query type) and the dense − BM25 gap."""
    from playground.rag.ir_metrics import paired_bootstrap_ci

    if k not in table["ks"]:
        raise ValueError(f"k must be one of {table['ks']} (got {k})")
    col = table["ks"].index(k)
    types = np.array(table["query_types"])
    out = []
    for p in table["points"]:
        per = {name: np.asarray(v)[:, col] for name, v in p["recall"].items()}
        out.append(Point(p["size"], p["overlap"], p["n_chunks"], p["mean_tokens"], p["over_window"],
                         {name: float(v.mean()) for name, v in per.items()},
                         {name: {t: float(v[types == t].mean()) for t in rc.QUERY_TYPES if (types == t).any()}
                          for name, v in per.items()},
                         float(per["dense"].mean() - per["bm25"].mean()),
                         paired_bootstrap_ci(per["dense"], per["bm25"], seed),
                         k * p["mean_tokens"]))
    return out
