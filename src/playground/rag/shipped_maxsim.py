"""The reranker's MaxSim score of every labelled query against every passage, shipped in the
repository (``data/samples/rag/maxsim_labelled.npz``, about 2.4 MB).

Reranking the labelled queries needs the token vectors of every passage some query reranks:
about 3,700 of the 4,129 passages at the widest settings of lessons 8, 9 and 11, several minutes
of MiniLM on two cores (and about 300 MB under ``.cache/rag``) before a fresh server can show the
reranker's row. The scores themselves are small: 167 queries x 4,129 passages as float32. With this
file a rerank of a labelled query looks its scores up and computes nothing, whatever its fusion,
depth or number of reranked passages; a query the file does not hold (a visitor's) computes the
token vectors of the passages it reranks, as before.

The file holds ``queries`` (texts), ``scores`` (float32, one row per query, one column per passage
in ``passages.jsonl`` order), ``key`` (:func:`playground.rag.index_store.corpus_key`: the passages
as indexed and every file of the packaged model) and ``version`` (the token-matrix format,
:data:`playground.rag.rerank.TOKENS_VERSION`). It is used only when both match the running
index and model. Each row is :func:`playground.rag.rerank.maxsim_many` of the query's token
vectors against the passages' token vectors (float16, as :class:`~playground.rag.index_store.TokenStore`
keeps them). A live computation of the same pair agrees to float32 rounding (about 1e-7: the
matrix product's summation order depends on how many passages share it), which a test checks;
the pages read the shipped value for a labelled query, so their numbers do not depend on it.
Written by ``python scripts/build_rag_embeddings.py --maxsim``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, NamedTuple, Sequence

import numpy as np

from playground.rag import corpus as rc
from playground.rag import rerank as rr

SHIPPED = rc.DATA / "maxsim_labelled.npz"
CHUNK = 256  # passages per matrix product when building (bounds the memory of one product)


class Table(NamedTuple):
    """Shipped MaxSim scores: ``rows`` maps a query text to its row of ``scores`` (float32,
    ``(n_queries, n_passages)``, columns in index order)."""

    rows: dict[str, int]
    scores: np.ndarray


def compute(index, texts: Sequence[str],
            progress: Callable[[float, str], None] | None = None) -> np.ndarray:
    """MaxSim of each text against every passage of ``index``: float32 ``(len(texts), len(index))``.

    Computes every passage's token vectors first (minutes on two cores unless they are on disk,
    see :meth:`~playground.rag.index_store.TokenStore.complete`), then the query token vectors in
    one batch."""
    index.tokens.ensure(range(len(index)), progress)
    index.encode_queries(list(texts), force_tokens=True)
    queries = [index.query_tokens(text) for text in texts]
    scores = np.zeros((len(texts), len(index)), dtype=np.float32)
    for start in range(0, len(index), CHUNK):
        rows = list(range(start, min(start + CHUNK, len(index))))
        docs = index.tokens.get(rows)
        for i, q_tokens in enumerate(queries):
            scores[i, rows] = rr.maxsim_many(q_tokens, docs)
        if progress:
            progress(rows[-1] / len(index), f"MaxSim scores: {rows[-1] + 1:,} / {len(index):,} passages")
    return scores


def write(path: Path, index, texts: Sequence[str], key: str,
          progress: Callable[[float, str], None] | None = None) -> int:
    """Compute (:func:`compute`) and write the scores of ``texts`` to ``path`` with ``key``;
    returns the number of scores written."""
    texts = list(dict.fromkeys(texts))
    scores = compute(index, texts, progress)
    np.savez_compressed(path, queries=np.array(texts), scores=scores, key=np.array(key),
                        version=np.array(rr.TOKENS_VERSION))
    return scores.size


def load(path: Path, key: str, n_passages: int) -> Table | None:
    """The shipped table when its ``key`` and token format match and its shape fits ``n_passages``,
    else ``None`` (also for a missing or unreadable file)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            queries, scores = data["queries"], data["scores"]
            stored_key, version = str(data["key"]), int(data["version"])
    except (OSError, ValueError, KeyError):
        return None
    if (stored_key != key or version != rr.TOKENS_VERSION or scores.dtype != np.float32
            or scores.shape != (len(queries), n_passages)):
        return None
    return Table({str(q): i for i, q in enumerate(queries)}, scores)
