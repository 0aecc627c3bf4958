"""Lesson 8's query-understanding step: identifier-like queries go to BM25, the rest to dense
retrieval (layout only; the numbers come from :mod:`playground.rag.routing` and
:func:`playground.rag.retrieval_eval.evaluate`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.rag import corpus as rc
from playground.rag import retrieval_eval as rev
from playground.rag import routing as rt


@cached("Scoring BM25 and dense retrieval on the labelled queries…")
def per_query(_index, n: int, k: int) -> dict[str, list[float]]:
    """Recall@k per labelled query under BM25 and dense retrieval (``n`` keys the index)."""
    return {m: [row[f"recall@{k}"] for row in rev.evaluate(_index, rc.load_queries(), m, recall_k=k)]
            for m in ("bm25", "dense")}


def show(page: LessonPage, index, k: int = 5) -> None:
    """Render the routing toggle, its recall per query type and the detector's confusion counts."""
    st.subheader("Query understanding: send identifiers to BM25")
    on = page.toggle("route", "Detect identifier-like queries and send them to BM25", False)
    queries = rc.load_queries()
    types = [q.type for q in queries]
    summary = rt.summarise(per_query(index, len(index), k), [q.text for q in queries], types, rc.QUERY_TYPES)
    counts = summary.counts
    shown = ("dense", "bm25", "routed") if on else ("dense", "bm25")
    names = {"dense": "dense only (vector DB)", "bm25": "BM25 only", "routed": "routed"}
    m = st.columns(3)
    page.metric(f"Recall@{k} · {'routed' if on else 'dense only'}", f"{summary.mean['routed' if on else 'dense']:.3f}",
                container=m[0], delta=f"{summary.gain:+.3f} vs dense only" if on else None)
    page.metric("Rare-entity queries detected", f"{counts['tp']} / {summary.n_entity}", container=m[1])
    page.metric("Other queries sent to BM25", f"{counts['fp']} / {summary.n_other}", container=m[2])
    fig = go.Figure()
    for name in shown:
        fig.add_bar(name=names[name], x=[rc.TYPE_LABELS[t] for t in rc.QUERY_TYPES],
                    y=[summary.by_type[name][t] for t in rc.QUERY_TYPES])
    fig.update_layout(barmode="group", title=f"Recall@{k} per query type", yaxis_range=[0, 1], height=320)
    page.chart(fig)
    st.caption("The detector reads the query's shape only (snake_case, dotted paths, inner capitals, long "
               "ALLCAPS, letters with digits): plain-word identifiers such as 'casefold' stay with dense "
               "retrieval, and a question that names a symbol goes to BM25. Routing keeps dense retrieval's "
               "paraphrase recall, which score fusion dilutes (lesson 9).")
