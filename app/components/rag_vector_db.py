"""Lesson 8's "just a vector DB vs the full pipeline" tab: recall@5 of dense retrieval alone and
of hybrid retrieval + MaxSim rerank on the labelled queries, and the queries the vector DB fails
(layout only; the numbers come from :mod:`playground.rag.vector_db_gap`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.background import background
from components.cache import cached
from components.page import LessonPage
from components.relevance import MARKS, code
from components.rag_index import load_index
from playground.rag import corpus as rc
from playground.rag import retrieval_eval as rev
from playground.rag import vector_db_gap as vg

K = 5


@cached("Running the vector DB on the labelled queries…")
def vector_db_recall(k: int) -> list[float]:
    """Recall@k per query of dense retrieval only (the "naive" design)."""
    return [row[f"recall@{k}"] for row in rev.evaluate(load_index(), rc.load_queries(), "dense", recall_k=k)]


@cached()
def pipeline_recall(k: int, _index, progress=None) -> list[float]:
    """Recall@k per query of hybrid retrieval + MaxSim rerank ("full"), default settings; the
    reranker's scores ship for these queries (``progress`` follows any token vectors computed when
    they do not match the installed model)."""
    full = rev.evaluate(_index, rc.load_queries(), "rerank", recall_k=k, progress=progress)
    return [row[f"recall@{k}"] for row in full]


def show(page: LessonPage, index, seed: int) -> None:
    """Render the tab (the routing section follows it on the page)."""
    st.markdown(
        "**Just a vector DB:** embed every passage, return the nearest 5 (dense only).  \n"
        "**Full pipeline:** query understanding → hybrid retrieval (BM25 + dense, weighted fusion) → "
        "MaxSim rerank of the top 20 → grounded generation with citations (lesson 10) → evaluation on "
        "labelled queries (lesson 11). Only hybrid retrieval and the rerank run on this page; query "
        "understanding is reduced to identifier detection, measured below (no query rewriting).")
    queries = rc.load_queries()
    naive = vector_db_recall(K)
    full = background(pipeline_recall, K, _index=index,
                      label="Running the full pipeline on the 167 labelled queries")
    gap = vg.compare(naive, full, [q.type for q in queries], rc.QUERY_TYPES)
    m = st.columns(3)
    page.metric("Recall@5 · vector DB only", f"{gap.naive_mean:.3f}", container=m[0], headline=True)
    if full is None:
        m[1].metric("Recall@5 · full pipeline", "computing…")
        m[2].metric("Vector-DB misses the pipeline recovers", f"? / {len(gap.failing)}")
    else:
        page.metric("Recall@5 · full pipeline", f"{gap.full_mean:.3f}", container=m[1], headline=True)
        page.metric("Vector-DB misses the pipeline recovers", f"{len(gap.recovered)} / {len(gap.failing)}",
                    container=m[2])
    labels = [rc.TYPE_LABELS[t] for t in rc.QUERY_TYPES]
    fig = go.Figure()
    fig.add_bar(name="vector DB only", x=labels, y=[gap.naive_by_type[t] for t in rc.QUERY_TYPES])
    if full is not None:
        fig.add_bar(name="full pipeline", x=labels, y=[gap.full_by_type[t] for t in rc.QUERY_TYPES])
    fig.update_layout(barmode="group", title="Recall@5 per query type", yaxis_range=[0, 1], height=320)
    page.chart(fig)
    if full is None:
        st.caption("The query-by-query comparison appears when the full pipeline has run.")
        return
    label = {i: f"{queries[i].id}: {queries[i].text} (pipeline recovers)" for i in gap.recovered}
    label |= {i: f"{queries[i].id}: {queries[i].text} (both miss)" for i in gap.missed}
    if not label:
        return
    picked = page.select("fail_q", "A query the vector DB fails (top 5 has nothing relevant)",
                         list(label.values()), label[vg.example(gap, seed)], container=st)
    query = next(q for q in queries if q.id == picked.split(":")[0])
    left, right = st.columns(2)
    for col, method, name in ((left, "dense", "Just a vector DB"), (right, "rerank", "Full pipeline")):
        hits = index.search(method, query.text, K)
        col.markdown(f"**{name}**\n\n" + "\n".join(
            f"{i}. {MARKS[query.relevant.get(h.passage_id, 0)]} `{code(h.passage_id)}`"
            for i, h in enumerate(hits, 1)))
    st.caption("[answer]: answers the query (grade 2) · [related]: related (grade 1) · [not relevant]: not "
               "labelled relevant. Labelled answers: " + ", ".join(f"`{code(p)}`" for p in query.relevant))
