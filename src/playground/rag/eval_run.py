"""Lesson 11's evaluated query set: sample the labelled queries, retrieve, build and score the
candidate answers (:func:`run`), with the MiniLM vectors of the page's default view shipped.

Two files in ``data/samples/rag`` (written by ``python scripts/build_rag_embeddings.py --eval`` with
:func:`write_shipped`, checked against the installed model's digest) let the default view show its
numbers without loading the model:

- :data:`SHIPPED_EVAL` — float16 vectors of every text the default run embeds to score answers
  (the questions, their context sentences, the candidate answers and their sentences). Every
  vector this scorer uses, shipped or computed, is rounded through float16
  (:func:`playground.shipped_vectors.embed`), so both paths give the same numbers;
- :data:`playground.rag.index_store.SHIPPED_QUERIES` — every labelled query's exact float32 vector
  as the retrieval index computes it (dense retrieval is shared with lessons 8 and 9, whose
  numbers stay unrounded, and whose default views evaluate all 167 labelled queries), and lesson
  10's default question's and off-topic probe's.

Any other setting (k, method, seed, number of queries, a typed answer) embeds what is not shipped.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable

import numpy as np

from playground import embeddings, shipped_vectors
from playground.rag import corpus as rc
from playground.rag import evaluation as ev
from playground.rag import index_store as ix
from playground.rag import llm_serving as ls

SHIPPED_EVAL = rc.DATA / "eval_vectors.npz"
DEFAULT = {"method": "rrf", "k": 5, "n": 16, "seed": 0}
"""The page's default retriever, context size, number of queries and seed (the view that ships)."""


def sentence_vectors(texts: list[str], persist: bool, path: Path | None = SHIPPED_EVAL) -> np.ndarray:
    """The answer scorer's MiniLM vectors (unit length, rounded through float16): shipped texts
    (``path``; ``None``: none) looked up, the others embedded (with ``persist``: through the disk
    cache of :func:`playground.embeddings.embed`; pass ``False`` for text a visitor typed)."""
    return shipped_vectors.embed(texts, persist=persist, path=path)


def encoder(persist: bool = True, path: Path | None = SHIPPED_EVAL) -> ev.MemoEncoder:
    """:func:`sentence_vectors` embedding each text once per encoder (the page keeps one)."""
    return ev.MemoEncoder(partial(sentence_vectors, persist=persist, path=path))


def run(index: ix.RetrievalIndex, method: str, k: int, n: int, seed: int, emb_t: float, ovl_t: float,
        encode: ev.Encoder, fluency: Callable[[str], float],
        progress: Callable[[float, str], None] | None = None) -> list[ev.QueryEval]:
    """Evaluate ``n`` labelled queries (:func:`playground.rag.evaluation.sample_queries` with
    ``seed``): ``method``'s top ``k`` context, candidate answers and their scores
    (:func:`playground.rag.evaluation.evaluate_queries`). Query vectors come in one batch first
    (token vectors only for the reranker)."""
    queries = ev.sample_queries(rc.load_queries(), n, seed)
    index.encode_queries([q.text for q in queries], tokens=method == "rerank")
    return ev.evaluate_queries(queries, lambda text, kk: [h.passage_id for h in index.search(method, text, kk)],
                               index.by_id, rc.load_passages(), encode, fluency, k, emb_t, ovl_t, seed, progress)


def write_shipped(queries_path: Path = ix.SHIPPED_QUERIES, eval_path: Path = SHIPPED_EVAL) -> tuple[int, int]:
    """Compute and write the shipped vectors with the installed MiniLM.

    ``queries_path``: every labelled query's float32 vector as
    :meth:`~playground.rag.index_store.RetrievalIndex.encode_queries` computes it, in two batches
    (a vector's last bits depend on the batch it was computed in): lesson 11's default queries
    together, then the other labelled queries together, which is what a process that looks the
    default ones up computes for lessons 8 and 9; and lesson 10's default question and off-topic
    probe, each alone, as a single query is computed. ``eval_path``: the float16 vectors of every text
    lesson 11's default run embeds, batch by batch as the page embeds them. Returns (labelled
    queries, scorer texts) written."""
    queries = [q.text for q in ev.sample_queries(rc.load_queries(), DEFAULT["n"], DEFAULT["seed"])]
    unique = list(dict.fromkeys(queries))
    others = [t for t in dict.fromkeys(q.text for q in rc.load_queries()) if t not in set(unique)]
    batches = [unique, others] + [[q] for q in (ls.DEFAULT_QUESTION, ls.OFF_TOPIC) if q not in unique + others]
    vectors = [embeddings.embed(batch, persist=False, tokens=True)[0] for batch in batches]
    shipped_vectors.write(queries_path, [t for batch in batches for t in batch], np.concatenate(vectors))
    raw: dict[str, np.ndarray] = {}

    def record(texts: list[str]) -> np.ndarray:
        vectors = embeddings.embed(texts, persist=False)
        raw.update(zip(texts, vectors))
        return shipped_vectors.rounded(vectors)

    index = ix.build_index(use_disk_cache=False)
    index.encode_queries(unique, force_tokens=True)  # computed with their token vectors (the same batch), never looked up
    run(index, DEFAULT["method"], DEFAULT["k"], DEFAULT["n"], DEFAULT["seed"], 0.7, 0.8, ev.MemoEncoder(record),
        lambda text: 0.0)
    texts = list(raw)
    return sum(map(len, batches)), shipped_vectors.write(eval_path, texts, np.stack([raw[t] for t in texts]).astype(np.float16))
