"""Lesson 11's evaluated query set, shared by every tab: the cached scorers (sentence encoder and
the corpus fluency scale) and the cached run that retrieves, builds candidate answers and scores
them (the numbers come from :mod:`playground.rag.evaluation`)."""

from __future__ import annotations

from functools import partial

from components.cache import cached
from components.rag_index import load_index
from playground import embeddings
from playground.rag import corpus as rc
from playground.rag import evaluation as ev

N_QUERIES = len(rc.load_queries())


@cached("Fitting the corpus bigram model…")
def scorers() -> tuple[ev.MemoEncoder, ev.FluencyScale]:
    passages = rc.load_passages()
    return ev.MemoEncoder(partial(embeddings.embed, persist=True)), ev.fluency_scale([p.text for p in passages])


@cached("Retrieving, building candidate answers and scoring them…")
def evaluated(method: str, k: int, n: int, seed: int, emb_t: float, ovl_t: float) -> list[ev.QueryEval]:
    index = load_index()
    encode, fluency = scorers()
    queries = ev.sample_queries(rc.load_queries(), n, seed)
    index.encode_queries([q.text for q in queries])
    return ev.evaluate_queries(queries, lambda text, kk: [h.passage_id for h in index.search(method, text, kk)],
                               index.by_id, rc.load_passages(), encode, fluency, k, emb_t, ovl_t, seed)
