"""Lesson 8's access-control section: filter before, during or after the ANN search (layout only;
the numbers come from :mod:`playground.rag.access_filter`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.rag import access_filter as af
from playground.rag import corpus as rc

FRACTIONS = (0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0)


@cached("Building an HNSW index over the passage vectors…")
def hnsw(_index, n: int):
    """HNSW over the shipped index's passage vectors (``n`` keys the cache)."""
    return af.build(_index.embeddings, seed=0)


@cached("Searching with every filter mode at every allowed fraction…")
def sweep(_index, n: int, k: int, seed: int) -> dict:
    return af.sweep(hnsw(_index, n), _index.embeddings, [p.doc_id for p in _index.passages],
                    _index.query_matrix([q.text for q in rc.load_queries()], persist=True), k, FRACTIONS, seed)


def show(page: LessonPage, index, seed: int) -> None:
    """Render the section: controls, metrics at the chosen setting, recall and cost per fraction."""
    st.markdown(
        f"A user may read only some of the {len({p.doc_id for p in index.passages})} documents "
        "(document-level access control). The ANN index (FAISS HNSW, M = 16, efSearch = 64, over "
        f"all {len(index):,} passage vectors) does not know that; where the filter runs decides what "
        "the 167 labelled queries get back. Scored against the exact answer: the k nearest passages "
        "this user may read (brute force).")
    c = st.columns(3)
    fraction = page.select_slider("acl_share", "Share of documents this user may read", list(FRACTIONS), 0.05,
                                  container=c[0], format_func=lambda f: f"{f:.0%}")
    mode = page.select("acl_mode", "Apply the access filter", list(af.MODES), "post", container=c[1],
                       format_func=af.MODE_LABELS.get)
    k = page.select_slider("acl_k", "Results wanted (k)", [5, 10, 20], 10, container=c[2])
    table = page.guard(sweep, index, len(index), k, seed)
    if table is None:
        return
    r = table[mode][FRACTIONS.index(fraction)]
    m = st.columns(4)
    page.metric("Results returned per query", f"{r.returned:.1f} of {k}", container=m[0])
    page.metric("Recall vs exact filtered top-k", f"{r.recall:.3f}", container=m[1])
    page.metric("Queries that get no result", f"{r.empty:.0%}", container=m[2])
    page.metric("Vectors scored per query", f"{r.scored:,.0f}", container=m[3],
                delta=f"{r.n_allowed:,} passages readable", delta_color="off")
    if r.returned < k:
        st.warning(f"Filtering {af.MODE_LABELS[mode]} returns {r.returned:.1f} of the {k} passages asked for: "
                   "the nearest neighbours belong to documents this user may not read. Try "
                   f"'{af.MODE_LABELS['pre']}'.")
    left, right = st.columns(2)
    x = [f"{f:.0%}" for f in FRACTIONS]
    recall, cost = go.Figure(), go.Figure()
    for name in af.MODES:
        recall.add_scatter(x=x, y=[t.recall for t in table[name]], name=af.MODE_LABELS[name], mode="lines+markers")
        cost.add_scatter(x=x, y=[t.scored for t in table[name]], name=af.MODE_LABELS[name], mode="lines+markers")
    for fig, title, axis in ((recall, f"Recall vs the exact filtered top-{k}", "recall"),
                             (cost, "Vectors scored per query (the search's cost)", "vectors scored")):
        fig.add_vline(x=FRACTIONS.index(fraction), line_dash="dot")
        fig.update_layout(title=title, xaxis_title="share of documents readable", yaxis_title=axis,
                          height=340)
    recall.update_layout(yaxis_range=[0, 1.05])
    cost.update_layout(yaxis_type="log")
    page.chart(recall, container=left)
    page.chart(cost, container=right)
    st.caption("After the search, about k × (readable share) of the top-k survive, fewer when a user's "
               "documents lie away from the query; over-fetching searches ⌈k·N / N_readable⌉ deep and still "
               "loses when the readable passages cluster. Filtered HNSW walks the same graph and skips what "
               "it may not return, so with few readable passages its candidate list runs dry. Before: an "
               "exact scan of the readable passages only (cost = their number), exact at every share and "
               "cheaper than the graph walk when few are readable; vector databases switch to it below a "
               "readable-share threshold. Vectors scored: FAISS's HNSW distance counter per query.")
