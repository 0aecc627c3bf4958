"""Lesson 8's "chunk size for dense retrieval" section (layout only; the numbers come from
:mod:`playground.rag.chunk_dense`, shipped as data/samples/rag/chunking_dense.json)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.background import background
from components.cache import cached
from components.page import LessonPage
from playground.rag import chunk_dense as cd
from playground.rag import corpus as rc

NAMES = {"dense": "dense (MiniLM)", "bm25": "BM25"}


@cached()
def dense_grid(progress=None) -> tuple[dict, str]:
    """The shipped grid when it matches the corpus and the model, else recomputed (minutes of MiniLM)."""
    documents, passages, queries = rc.load_documents(), rc.load_passages(), rc.load_queries()
    pool = cd.pool(documents, passages, queries)
    table = cd.shipped_grid(passages, pool)
    if table is not None:
        return table, "shipped"
    return cd.grid(documents, passages, queries, pool, progress=progress), "computed"


def show(page: LessonPage) -> None:
    """Render the section: grid controls, recall of both retrievers and the encoder's window."""
    got = background(dense_grid, label="Re-embedding every chunking of the pool with MiniLM (the shipped "
                                       "grid does not match this corpus or model)")
    if got is None:
        return
    table, source = got
    c = st.columns(3)
    size = page.select_slider("dsize", "Chunk size (words)", table["sizes"], 480, container=c[0])
    overlap = page.select("doverlap", "Overlap (words)", table["overlaps"], 20, container=c[1])
    k = page.select_slider("dk", "Chunks retrieved per query (k)", table["ks"], 5, container=c[2])
    points = [p for p in page.guard(cd.summarise, table, k) or [] if p.overlap == overlap]
    if not points:
        return
    here = next(p for p in points if p.size == size)
    m = st.columns(5)
    page.metric(f"Dense recall@{k} at {size} words", f"{here.recall['dense']:.3f}", container=m[0])
    page.metric(f"BM25 recall@{k}, same chunks", f"{here.recall['bm25']:.3f}", container=m[1])
    page.metric("Dense − BM25 (95% interval)", f"{here.gap:+.3f}", container=m[2],
                delta=f"[{here.gap_ci[0]:+.3f}, {here.gap_ci[1]:+.3f}]", delta_color="off")
    page.metric("Chunks longer than MiniLM's window", f"{here.over_window:.0%}", container=m[3],
                delta=f"{here.n_chunks:,} chunks, mean {here.mean_tokens:.0f} tokens", delta_color="off")
    page.metric(f"Prompt tokens for the top {k}", f"{here.prompt_tokens:,.0f}", container=m[4])
    if here.over_window > 0.5:
        st.warning(f"{here.over_window:.0%} of these chunks are longer than MiniLM's {cd.WINDOW}-token window: "
                   "the encoder never reads their tail. BM25 reads every word and gains from the bigger chunks; "
                   "dense retrieval does not, and every retrieved chunk fills the prompt. Try smaller chunks.")
    left, right = st.columns(2)
    curve = go.Figure()
    for name, label in NAMES.items():
        curve.add_scatter(x=[p.size for p in points], y=[p.recall[name] for p in points], name=label,
                          mode="lines+markers")
    curve.add_bar(x=[p.size for p in points], y=[p.over_window for p in points], name="share over the window",
                  opacity=0.3)
    curve.add_vline(x=size, line_dash="dot")
    curve.update_layout(title=f"Recall@{k} vs chunk size (overlap {overlap})", xaxis_title="chunk size (words)",
                        yaxis_range=[0, 1], height=340)
    page.chart(curve, container=left)
    types = [t for t in rc.QUERY_TYPES if t in here.per_type["dense"]]
    bars = go.Figure()
    for name, label in NAMES.items():
        bars.add_bar(name=f"{label}, {size} words", x=[rc.TYPE_LABELS[t] for t in types],
                     y=[here.per_type[name][t] for t in types])
    bars.update_layout(barmode="group", title=f"Recall@{k} per query type at {size} words", yaxis_range=[0, 1],
                       height=340)
    page.chart(bars, container=right)
    counts = {t: table["query_types"].count(t) for t in types}
    st.caption("Bigger chunks raise recall for both retrievers just by covering more (fewer, longer chunks); "
               "what the window changes is the gap. The interval is a paired bootstrap over the pool's queries: "
               "with this few queries most gaps are not resolved, and the page says so rather than pick a winner.")
    st.caption(f"Pool: a seeded sample of {len(table['doc_ids'])} documents ({cd.POOL_WORDS:,} words at most) holding "
               f"every answer of {len(table['query_ids'])} labelled queries ("
               + ", ".join(f"{n} {rc.TYPE_LABELS[t]}" for t, n in counts.items())
               + f"); both retrievers search the same {cd.STRATEGY} chunks. Re-embedding a chunking costs minutes "
               "of MiniLM on this shared machine, so the grid is precomputed by scripts/build_chunking_dense.py "
               f"({'shipped file, checked against the corpus and the model' if source == 'shipped' else 'recomputed here'}).")
