"""Lesson 8's "requirements → design" tab: the prompt's numbers in, sizes, costs and the components
they call for out (layout only; the numbers come from :mod:`playground.rag.requirements`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.rag import requirements as rq


def show(page: LessonPage) -> tuple[rq.Requirements, rq.Sizing | None]:
    """Render the tab; return the requirements and their sizing (None after a bad input)."""
    c1, c2, c3 = st.columns(3)
    n_docs = page.select_slider("n_docs", "Documents in the corpus",
                                [1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000],
                                1_000_000, container=c1, format_func=lambda v: f"{v:,}")
    doc_tokens = page.slider("doc_tokens", "Average tokens per document", 100, 20_000, 1_500,
                             step=100, container=c1)
    req_chunk = page.slider("req_chunk", "Chunk size (tokens)", 64, 1024, 256, step=32, container=c1)
    req_overlap = page.slider("req_overlap", "Chunk overlap (tokens)", 0, 256, 32, step=16, container=c1)
    updates = page.slider("updates", "Documents changed per day (%)", 0.0, 50.0, 2.0, step=0.5, container=c2)
    fresh = page.select_slider("fresh", "Freshness target (hours until searchable)",
                               [0.25, 1.0, 6.0, 24.0, 168.0], 1.0, container=c2)
    workers = page.slider("workers", "Embedding workers", 1, 64, 4, container=c2)
    dtype = page.select("dtype", "Vector type", list(rq.BYTES_PER_DIM), container=c2)
    qps = page.slider("qps", "Peak QPS", 1, 1000, 10, container=c3)
    latency = page.slider("latency", "Retrieval latency budget (ms, p95)", 50, 2000, 300, step=50, container=c3)
    budget = page.number("budget", "Monthly budget ($)", 1_000, 1_000_000, 30_000, step=1_000, container=c3)
    idents = page.toggle("idents", "Users search for identifiers / error codes", True, container=c3)
    req = rq.Requirements(n_docs=n_docs, doc_tokens=doc_tokens, chunk_tokens=req_chunk,
                          overlap_tokens=req_overlap, updates_per_day=updates / 100,
                          freshness_hours=fresh, qps=qps, latency_ms=latency, cost_budget=budget,
                          dtype=dtype, embed_workers=workers, identifiers=idents)
    sizing = page.guard(rq.size, req)
    if sizing is None:
        return req, None
    m = st.columns(5)
    page.metric("Chunks", f"{sizing.n_chunks:,}", container=m[0])
    page.metric("Index RAM (vectors + text)", f"{sizing.index_gb:,.1f} GB", container=m[1])
    page.metric("Full re-index", f"{sizing.reindex_hours:,.1f} h", container=m[2])
    page.metric("Embedding the corpus once", f"${sizing.embed_cost_full:,.0f}", container=m[3])
    page.metric("Monthly cost", f"${sizing.monthly_total:,.0f}", container=m[4],
                delta=f"{sizing.over_budget:+,.0f} vs budget", delta_color="inverse")
    for warning in sizing.warnings:
        st.warning(warning)
    left, right = st.columns([1.1, 1])
    left.markdown("**Components these requirements call for**\n\n" + "\n".join(
        f"- {'needed:' if need else 'not needed:'} {name}" for name, need in sizing.components.items()))
    parts = (sizing.monthly_llm_cost, sizing.monthly_index_cost, sizing.monthly_embed_cost)
    fig = go.Figure(go.Bar(x=["Generation (LLM)", "Index RAM", "Re-embedding changes"], y=list(parts),
                           text=[f"${v:,.0f}" for v in parts]))
    fig.add_hline(y=budget, line_dash="dash", line_color="red", annotation_text="budget")
    fig.update_layout(title="Monthly cost by part ($)", height=320, yaxis_type="log")
    page.chart(fig, container=right)
    st.caption(f"Exact scan of {sizing.n_chunks:,} vectors ≈ {sizing.flat_scan_ms:,.0f} ms on one "
               f"core; {sizing.shards} shard(s) of ≤ {sizing.shard_gb:.0f} GB; a day of changes "
               f"is {sizing.daily_changed_chunks:,.0f} chunks = {sizing.daily_reembed_hours:,.2f} h of "
               f"embedding with {workers} workers at {req.embed_per_s:.0f} chunks/s each.")
    return req, sizing


def formulas(req: rq.Requirements, sizing: rq.Sizing) -> list[str]:
    """The sizing formulas with the numbers on screen, for "The math"."""
    return [
        rf"n_\text{{chunks}} = N\left\lceil\frac{{T-o}}{{c-o}}\right\rceil = {req.n_docs:,}\times{sizing.chunks_per_doc}"
        rf" = {sizing.n_chunks:,}",
        rf"\tau = T + (n_d - 1)\,o = {req.doc_tokens:,} + ({sizing.chunks_per_doc} - 1)\cdot{req.overlap_tokens}"
        rf" = {sizing.doc_chunk_tokens:,}\ \text{{chunk tokens per document}}",
        rf"\text{{RAM}} = n\,d\,b + 4N\tau = {sizing.n_chunks:,}\cdot{req.dim}\cdot{rq.BYTES_PER_DIM[req.dtype]:g}"
        rf" + 4\cdot{req.n_docs:,}\cdot{sizing.doc_chunk_tokens:,} = {sizing.index_gb:,.1f}\ \text{{GB}}",
        rf"t_\text{{re-index}} = \frac{{n}}{{w\,r}} = \frac{{{sizing.n_chunks:,}}}{{{req.embed_workers}\cdot"
        rf"{req.embed_per_s:.0f}/\text{{s}}}} = {sizing.reindex_hours:,.2f}\ \text{{h}}",
        rf"\$_\text{{LLM}}/\text{{month}} = \text{{QPS}}\cdot 2.59\text{{M s}}\cdot(k \min(c, T) + 200 + a)\cdot p"
        rf" = \${sizing.monthly_llm_cost:,.0f}",
    ]
