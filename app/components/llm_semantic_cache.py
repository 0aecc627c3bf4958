"""Lesson 10's semantic cache tab: hit rate, wrong answers and cost vs the similarity threshold,
and what the threshold has to separate (layout only; the numbers come from
:mod:`playground.rag.semantic_cache`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from components.rag_index import load_index
from playground.rag import corpus as rc
from playground.rag import semantic_cache as sc
from playground.rag.llm_units import tex


@cached("Embedding the labelled queries…")
def query_sims() -> tuple[list[str], np.ndarray, np.ndarray, list[int]]:
    """The labelled queries, their cosine similarities, which ask the same thing, and their intents."""
    queries = rc.load_queries()
    texts = [q.text for q in queries]
    # the vectors dense retrieval searches with: they ship for the labelled queries (no model load)
    sims = sc.similarity_matrix(load_index().query_matrix(texts, persist=True))
    pair_ids = [q.pair_id for q in queries]
    return texts, sims, sc.equivalence(texts, pair_ids), sc.intents(pair_ids)


@cached()
def cache_sweep(n_requests: int, zipf_s: float, seed: int) -> sc.CacheSweep:
    texts, sims, same, groups = query_sims()
    return sc.replay(sc.traffic(groups, n_requests, zipf_s, seed), sims, same, texts)


def show(page: LessonPage, llm_cost: float, fits: bool, seed: int) -> list[str]:
    """Render the tab with an LLM call priced at ``llm_cost`` dollars (``fits``: the sidebar's model
    serves requests); return its formula for "The math"."""
    st.caption("Replays a request stream over the labelled queries: question intents drawn with Zipf "
               "popularity, each asked in one of its phrasings (the labelled paraphrase pairs share an intent). "
               "A hit is correct when the cached query has the same intent; any other hit serves another "
               "question's answer. Naive design: an exact-match cache on the query text.")
    cols = st.columns(4)
    threshold = page.slider("threshold", "Similarity threshold", 0.3, 1.0, 0.9, step=0.01, container=cols[0])
    n_requests = page.slider("requests", "Requests", 200, 5000, 2000, step=100, container=cols[1])
    zipf_s = page.slider("zipf", "Popularity skew (Zipf s)", 0.0, 2.0, 1.0, step=0.1, container=cols[2])
    wrong_cost = page.slider("wrong_cost", "Cost of a wrong answer ($)", 0.0, 1.0, 0.05, step=0.01, container=cols[3])
    if not fits:
        st.caption("The model in the sidebar does not fit, so an LLM call is priced at $0 here: only wrong answers cost.")
    replayed = cache_sweep(n_requests, zipf_s, seed)
    at, exact = replayed.at(threshold), replayed.exact
    no_cache = sc.no_cache_cost_per_1k(llm_cost)
    with_cache = sc.cost_per_1k(at, llm_cost, wrong_cost)
    c = st.columns(4)
    page.metric("Hit rate", f"{at.hit_rate:.1%}", container=c[0], headline=True, delta=f"exact match: {exact.hit_rate:.1%}",
                delta_color="off")
    page.metric("Wrong answers per 1k", f"{at.wrong_per_1k:,.1f}", container=c[1], headline=True)
    page.metric("Cost per 1k with the cache", f"${with_cache:,.3f}", container=c[2],
                delta=f"no cache: ${no_cache:,.3f}", delta_color="off")
    page.metric("Cheapest threshold", f"{replayed.cheapest(llm_cost, wrong_cost):.2f}", container=c[3])
    if at.wrong_rate > 0.01:
        st.warning(f"At {threshold:.2f}, {at.wrong_rate:.1%} of users get an answer to a different question "
                   f"({at.wrong_hits} of {at.requests}).")
    thresholds, results = replayed.thresholds, replayed.results
    left, right = st.columns(2)
    fig = go.Figure()
    fig.add_scatter(x=thresholds, y=[r.hit_rate for r in results], name="hit rate")
    fig.add_scatter(x=thresholds, y=[r.correct_rate for r in results], name="correct hits")
    fig.add_scatter(x=thresholds, y=[r.wrong_rate for r in results], name="wrong answers")
    fig.add_hline(y=exact.hit_rate, line_dash="dot", annotation_text="exact-match cache")
    fig.add_vline(x=threshold, line_dash="dash")
    fig.update_layout(title="Hit rate vs threshold", xaxis_title="cosine threshold", yaxis_tickformat=".0%",
                      height=340)
    page.chart(fig, container=left)
    fig = go.Figure()
    fig.add_scatter(x=thresholds, y=replayed.costs(llm_cost, wrong_cost), name="semantic cache")
    fig.add_hline(y=no_cache, line_dash="dot", annotation_text="no cache")
    fig.add_hline(y=sc.cost_per_1k(exact, llm_cost, wrong_cost), line_dash="dash", annotation_text="exact match",
                  annotation_position="bottom right")
    fig.add_vline(x=threshold, line_dash="dash")
    fig.update_layout(title="Cost per 1k requests (LLM calls + wrong answers)", xaxis_title="cosine threshold",
                      yaxis_title="$", height=340)
    page.chart(fig, container=right)
    _, sims, same, _ = query_sims()
    pairs, others = sc.separation(sims, same)
    split = sc.separation_stats(pairs, others, threshold)
    fig = go.Figure()
    fig.add_histogram(x=pairs, name=f"paraphrase pairs (n={len(pairs)})", opacity=0.65, xbins=dict(size=0.05))
    fig.add_histogram(x=others, name=f"nearest different question (n={len(others)})", opacity=0.65, xbins=dict(size=0.05))
    fig.add_vline(x=threshold, line_dash="dash", annotation_text="threshold")
    fig.update_layout(barmode="overlay", height=300, xaxis_title="cosine similarity (MiniLM)",
                      title="What the threshold must separate: paraphrases vs the nearest different question")
    page.chart(fig)
    c = st.columns(2)
    page.metric("Paraphrase pairs above the threshold", f"{split.pairs_above:.0%}", container=c[0])
    page.metric("Queries whose nearest different question is above it", f"{split.others_above:.0%}", container=c[1])
    st.markdown(f"On this labelled set the paraphrase pairs (reworded with no shared words) have a median cosine of "
                f"**{split.pairs_median:.2f}**, while each query's most similar *different* question has a median of "
                f"**{split.others_median:.2f}**: a threshold low enough to catch paraphrases also serves wrong answers, "
                "so the safe semantic cache here gains little over exact match. Measure this before turning one on.")
    return [rf"\$/1\text{{k}}_\text{{cache}} = 1000\,(\text{{miss}} \cdot c_\text{{LLM}} + \text{{wrong}} \cdot c_\text{{wrong}})"
            rf" = 1000\,({at.miss_rate:.3f} \cdot {llm_cost:.5f} + {at.wrong_rate:.4f} \cdot {wrong_cost:g})"
            rf" = \${tex(f'{with_cache:,.3f}')}"]
