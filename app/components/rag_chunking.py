"""Lesson 8's "chunking on a real document" tab: cut one document, score the chunking with BM25 on
the labelled queries against the shipped passages (layout only; the numbers come from
:mod:`playground.rag.chunking`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.rag import chunking as ch
from playground.rag import corpus as rc

DOCS = ("module:json", "module:subprocess", "module:shutil", "topic:formatstrings", "module:functools",
        "topic:specialnames", "module:datetime")


@cached("Re-chunking the labelled documents and scoring 167 queries with BM25…")
def chunk_eval(strategy: str, size: int, overlap: int, k: int) -> ch.ChunkingEval:
    return ch.evaluate_chunking(rc.load_documents(), rc.load_passages(), rc.load_queries(),
                                strategy, size, overlap, k=k)


def show(page: LessonPage) -> None:
    """Render the tab: controls, recall against the shipped passages, chunk lengths, the verdict."""
    c1, c2, c3, c4 = st.columns(4)
    doc_id = page.select("doc", "Document", list(DOCS), container=c1)
    strategy = page.select("strategy", "Strategy", list(ch.STRATEGIES), "fixed", container=c2)
    size = page.slider("size", "Chunk size (words)", 10, 400, 20, step=10, container=c3)
    overlap = page.slider("overlap", "Overlap (words)", 0, 100, 0, step=5, container=c4)
    eval_k = page.select_slider("eval_k", "Chunks retrieved per query (k)", [1, 3, 5, 10, 20], 5, container=c4)
    document = next(d for d in rc.load_documents() if d.id == doc_id)
    chunks = page.guard(ch.chunk, document.text, strategy, size, overlap)
    result = None if chunks is None else page.guard(chunk_eval, strategy, size, overlap, eval_k)
    base = None if result is None else page.guard(chunk_eval, "paragraph", 160, 0, eval_k)
    if result is None:
        return
    gap, holds = ch.against_shipped(result, base)
    m = st.columns(4)
    page.metric(f"Chunks of {doc_id}", f"{len(chunks):,}", container=m[0])
    page.metric(f"Recall@{eval_k} on the labelled set", f"{result.recall:.3f}", container=m[1], headline=True,
                delta=f"{gap:+.3f} vs shipped passages")
    page.metric("Chunks in the labelled documents", f"{result.n_chunks:,}", container=m[2])
    page.metric(f"Words in the prompt at k = {eval_k}", f"{result.context_words:,.0f}", container=m[3])
    left, right = st.columns(2)
    hist = go.Figure(go.Histogram(x=[c.words for c in chunks], nbinsx=30))
    hist.update_layout(title=f"Chunk length of {doc_id} ({strategy}, {size}/{overlap})",
                       xaxis_title="words per chunk", yaxis_title="chunks", height=320)
    page.chart(hist, container=left)
    bars = go.Figure()
    types = list(rc.QUERY_TYPES)
    for name, res in (("this chunking", result), ("shipped (paragraph, 160)", base)):  # short horizontal labels
        bars.add_bar(name=name, y=[t.replace("_", "-") for t in types], x=[res.per_type.get(t, 0) for t in types],
                     orientation="h", texttemplate="%{x:.2f}", textposition="outside", cliponaxis=False)  # labels fit
    bars.update_layout(barmode="group", title=f"BM25 recall@{eval_k} per query type", xaxis_range=[0, 1.15],
                       yaxis=dict(autorange="reversed", automargin=True), height=320)
    page.chart(bars, container=right, hero=True)
    page.verdict(holds, f"{strategy.capitalize()} chunks of {size} words, overlap {overlap}: recall@{eval_k} "
                 f"{result.recall:.3f} against {base.recall:.3f} for the shipped passages"
                 + ("." if holds else ": the windows cut answers apart from the headings that name them."))
    st.caption("Recall here: the share of a query's labelled passages that one of the top-k chunks "
               "covers (shares at least half of the shorter of the two). Larger chunks raise recall "
               "but put more words into every prompt; BM25 over the re-chunked labelled documents keeps "
               "this sandbox fast, so paraphrase queries stay near 0 whatever the chunking.")
    with st.expander("The first chunks", expanded=False):
        for c in chunks[:4]:
            st.text(c.text[:600])
