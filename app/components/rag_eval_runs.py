"""Lesson 11's evaluated query set, shared by every tab: the cached scorers (sentence encoder and
the corpus fluency scale) and the cached run that retrieves, builds candidate answers and scores
them (the numbers come from :mod:`playground.rag.eval_run` and :mod:`playground.rag.evaluation`;
the default view's vectors ship, so it needs no model)."""

from __future__ import annotations

from components.cache import cached
from components.rag_index import load_index
from playground.rag import corpus as rc
from playground.rag import eval_run as er
from playground.rag import evaluation as ev

N_QUERIES = len(rc.load_queries())


@cached("Fitting the corpus bigram model…")
def scorers() -> tuple[ev.MemoEncoder, ev.FluencyScale]:
    passages = rc.load_passages()
    return er.encoder(persist=True), ev.fluency_scale([p.text for p in passages])


@cached("Retrieving, building candidate answers and scoring them (MiniLM embeds what is not shipped)…")
def evaluated(method: str, k: int, n: int, seed: int, emb_t: float, ovl_t: float,
              progress=None) -> list[ev.QueryEval]:
    encode, fluency = scorers()
    return er.run(load_index(), method, k, n, seed, emb_t, ovl_t, encode, fluency, progress)
