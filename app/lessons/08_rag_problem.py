"""Lesson 8: define the RAG problem — requirements to components, chunking (BM25 and dense), "just a
vector DB" vs the full pipeline on the same failing queries, and access control around the ANN search."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import acl_search, chunking_dense, query_routing
from components.background import background
from components.cache import cached
from components.page import LessonPage
from components.relevance import MARKS, code
from components.rag_index import load_index
from playground.rag import chunking as ch
from playground.rag import corpus as rc
from playground.rag import requirements as rq
from playground.rag import retrieval_eval as rev
from scenarios.l08 import PRESETS

DOCS = ("module:json", "module:subprocess", "module:shutil", "topic:formatstrings", "module:functools",
        "topic:specialnames", "module:datetime")


@cached("Re-chunking the labelled documents and scoring 167 queries with BM25…")
def chunk_eval(strategy: str, size: int, overlap: int, k: int) -> ch.ChunkingEval:
    return ch.evaluate_chunking(rc.load_documents(), rc.load_passages(), rc.load_queries(),
                                strategy, size, overlap, k=k)


@cached("Running the vector DB on the labelled queries…")
def vector_db_recall(k: int) -> pd.DataFrame:
    """Recall@k per query of dense retrieval only (the "naive" design)."""
    queries = rc.load_queries()
    naive = pd.DataFrame(rev.evaluate(load_index(), queries, "dense", recall_k=k))
    return pd.DataFrame({"query_id": naive["query_id"], "type": naive["type"],
                         "text": [q.text for q in queries], "naive": naive[f"recall@{k}"]})


@cached()
def pipeline_recall(k: int, _index, progress=None) -> np.ndarray:
    """Recall@k per query of hybrid retrieval + MaxSim rerank ("full"), default settings; the
    reranker's token vectors are computed for the reranked passages (``progress`` meanwhile)."""
    full = rev.evaluate(_index, rc.load_queries(), "rerank", recall_k=k, progress=progress)
    return np.array([row[f"recall@{k}"] for row in full])


page = LessonPage("l08", presets=PRESETS)
seed = page.seed()
tabs = st.tabs(["1 · Requirements → design", "2 · Chunking on a real document",
                "3 · Just a vector DB vs the full pipeline", "4 · Chunk size for dense retrieval",
                "5 · Access control: filter before or after the ANN search"])

# ---- 1. requirements -----------------------------------------------------------------------
with tabs[0]:
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
    if sizing is not None:
        m = st.columns(5)
        page.metric("Chunks", f"{sizing.n_chunks:,}", container=m[0])
        page.metric("Index RAM (vectors + text)", f"{sizing.index_gb:,.1f} GB", container=m[1])
        page.metric("Full re-index", f"{sizing.reindex_hours:,.1f} h", container=m[2])
        page.metric("Embedding the corpus once", f"${sizing.embed_cost_full:,.0f}", container=m[3])
        page.metric("Monthly cost", f"${sizing.monthly_total:,.0f}", container=m[4],
                    delta=f"{sizing.monthly_total - budget:+,.0f} vs budget", delta_color="inverse")
        for warning in sizing.warnings:
            st.warning(warning)
        left, right = st.columns([1.1, 1])
        left.markdown("**Components these requirements call for**\n\n" + "\n".join(
            f"- {'needed:' if need else 'not needed:'} {name}" for name, need in sizing.components.items()))
        fig = go.Figure(go.Bar(x=["Generation (LLM)", "Index RAM", "Re-embedding changes"],
                               y=[sizing.monthly_llm_cost, sizing.monthly_index_cost, sizing.monthly_embed_cost],
                               text=[f"${v:,.0f}" for v in (sizing.monthly_llm_cost, sizing.monthly_index_cost,
                                                          sizing.monthly_embed_cost)]))
        fig.add_hline(y=budget, line_dash="dash", line_color="red", annotation_text="budget")
        fig.update_layout(title="Monthly cost by part ($)", height=320, yaxis_type="log")
        page.chart(fig, container=right)
        st.caption(f"Exact scan of {sizing.n_chunks:,} vectors ≈ {sizing.flat_scan_ms:,.0f} ms on one "
                   f"core; {sizing.shards} shard(s) of ≤ {0.7 * req.node_ram_gb:.0f} GB; a day of changes "
                   f"is {sizing.daily_changed_chunks:,.0f} chunks = {sizing.daily_reembed_hours:,.2f} h of "
                   f"embedding with {workers} workers at {req.embed_per_s:.0f} chunks/s each.")

# ---- 2. chunking -----------------------------------------------------------------------------
with tabs[1]:
    c1, c2, c3, c4 = st.columns(4)
    doc_id = page.select("doc", "Document", list(DOCS), container=c1)
    strategy = page.select("strategy", "Strategy", list(ch.STRATEGIES), "recursive", container=c2)
    size = page.slider("size", "Chunk size (words)", 10, 400, 160, step=10, container=c3)
    overlap = page.slider("overlap", "Overlap (words)", 0, 100, 20, step=5, container=c4)
    eval_k = page.select_slider("eval_k", "Chunks retrieved per query (k)", [1, 3, 5, 10, 20], 5, container=c4)
    document = next(d for d in rc.load_documents() if d.id == doc_id)
    chunks = page.guard(ch.chunk, document.text, strategy, size, overlap)
    result = None if chunks is None else page.guard(chunk_eval, strategy, size, overlap, eval_k)
    base = None if result is None else page.guard(chunk_eval, "paragraph", 160, 0, eval_k)
    if result is not None:
        words = np.array([c.words for c in chunks])
        m = st.columns(4)
        page.metric(f"Chunks of {doc_id}", f"{len(chunks):,}", container=m[0])
        page.metric(f"Recall@{eval_k} on the labelled set", f"{result.recall:.3f}", container=m[1], headline=True,
                    delta=f"{result.recall - base.recall:+.3f} vs shipped passages")
        page.metric("Chunks in the labelled documents", f"{result.n_chunks:,}", container=m[2])
        page.metric(f"Words in the prompt at k = {eval_k}", f"{result.context_words:,.0f}", container=m[3])
        left, right = st.columns(2)
        hist = go.Figure(go.Histogram(x=words, nbinsx=30))
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
        holds = result.recall >= base.recall - 0.02  # within 0.02 of the shipped passages
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

# ---- 3. vector DB vs pipeline -----------------------------------------------------------------
with tabs[2]:
    st.markdown(
        "**Just a vector DB:** embed every passage, return the nearest 5 (dense only).  \n"
        "**Full pipeline:** query understanding → hybrid retrieval (BM25 + dense, weighted fusion) → "
        "MaxSim rerank of the top 20 → grounded generation with citations (lesson 10) → evaluation on "
        "labelled queries (lesson 11). Only hybrid retrieval and the rerank run on this page; query "
        "understanding is reduced to identifier detection, measured below (no query rewriting).")
    index = load_index()
    table = vector_db_recall(5)
    full = background(pipeline_recall, 5, _index=index,
                      label="Running the full pipeline on the 167 labelled queries")
    table["full"] = np.nan if full is None else full
    failing = table[table["naive"] == 0]
    m = st.columns(3)
    page.metric("Recall@5 · vector DB only", f"{table['naive'].mean():.3f}", container=m[0], headline=True)
    if full is None:
        m[1].metric("Recall@5 · full pipeline", "computing…")
        m[2].metric("Vector-DB misses the pipeline recovers", f"? / {len(failing)}")
    else:
        page.metric("Recall@5 · full pipeline", f"{table['full'].mean():.3f}", container=m[1], headline=True)
        page.metric("Vector-DB misses the pipeline recovers", f"{(failing['full'] > 0).sum()} / {len(failing)}",
                    container=m[2])
    per_type = table.groupby("type")[["naive", "full"]].mean().reindex(list(rc.QUERY_TYPES))
    fig = go.Figure()
    fig.add_bar(name="vector DB only", x=[rc.TYPE_LABELS[t] for t in per_type.index], y=per_type["naive"])
    if full is not None:
        fig.add_bar(name="full pipeline", x=[rc.TYPE_LABELS[t] for t in per_type.index], y=per_type["full"])
    fig.update_layout(barmode="group", title="Recall@5 per query type", yaxis_range=[0, 1], height=320,
                      legend_orientation="h")
    page.chart(fig)
    rng = np.random.default_rng(seed)
    recovered = [f"{r.query_id}: {r.text} (pipeline recovers)" for r in failing.itertuples() if r.full > 0]
    missed = [f"{r.query_id}: {r.text} (both miss)" for r in failing.itertuples() if r.full == 0]
    options = recovered + missed
    if full is None:
        st.caption("The query-by-query comparison appears when the full pipeline has run.")
    elif options:
        pool = recovered or missed
        default = pool[int(rng.integers(len(pool)))]
        picked = page.select("fail_q", "A query the vector DB fails (top 5 has nothing relevant)",
                             options, default, container=st)
        qid = picked.split(":")[0]
        query = next(q for q in rc.load_queries() if q.id == qid)
        left, right = st.columns(2)
        for col, method, name in ((left, "dense", "Just a vector DB"), (right, "rerank", "Full pipeline")):
            hits = index.search(method, query.text, 5)
            col.markdown(f"**{name}**\n\n" + "\n".join(
                f"{i}. {MARKS[query.relevant.get(h.passage_id, 0)]} `{code(h.passage_id)}`"
                for i, h in enumerate(hits, 1)))
        st.caption("[answer]: answers the query (grade 2) · [related]: related (grade 1) · [not relevant]: not labelled relevant. Labelled answers: "
                   + ", ".join(f"`{code(p)}`" for p in query.relevant))
    query_routing.routing_section(page, index)
with tabs[3]:
    chunking_dense.dense_chunking_section(page)
with tabs[4]:
    acl_search.acl_section(page, index, seed)

if sizing is not None:
    page.math([
        rf"n_\text{{chunks}} = N\left\lceil\frac{{T-o}}{{c-o}}\right\rceil = {n_docs:,}\times{sizing.chunks_per_doc}"
        rf" = {sizing.n_chunks:,}",
        rf"\tau = T + (n_d - 1)\,o = {doc_tokens:,} + ({sizing.chunks_per_doc} - 1)\cdot{req_overlap}"
        rf" = {sizing.doc_chunk_tokens:,}\ \text{{chunk tokens per document}}",
        rf"\text{{RAM}} = n\,d\,b + 4N\tau = {sizing.n_chunks:,}\cdot{req.dim}\cdot{rq.BYTES_PER_DIM[dtype]:g}"
        rf" + 4\cdot{n_docs:,}\cdot{sizing.doc_chunk_tokens:,} = {sizing.index_gb:,.1f}\ \text{{GB}}",
        rf"t_\text{{re-index}} = \frac{{n}}{{w\,r}} = \frac{{{sizing.n_chunks:,}}}{{{workers}\cdot{req.embed_per_s:.0f}"
        rf"/\text{{s}}}} = {sizing.reindex_hours:,.2f}\ \text{{h}}",
        rf"\$_\text{{LLM}}/\text{{month}} = \text{{QPS}}\cdot 2.59\text{{M s}}\cdot(k \min(c, T) + 200 + a)\cdot p"
        rf" = \${sizing.monthly_llm_cost:,.0f}",
        r"\text{recall@k} = \frac{1}{|Q|}\sum_q \frac{|\{p \in R_q : \text{some top-}k\text{ chunk covers } p\}|}{|R_q|}",
    ], notes="N documents of T tokens cut into n_d chunks of c tokens with overlap o (every chunk but "
             "the last is full, so a document holds T + (n_d − 1)o chunk tokens; a document shorter "
             "than c is one chunk of T tokens); d dims of b bytes; "
             "w workers embedding r chunks/s; k chunks of min(c, T) tokens plus a 200-token system prompt and "
             "a answer tokens per query at p $/token.")
page.board({"ingest": ["Chunks", "Full re-index"], "embed_job": ["Embedding the corpus once", "Index RAM (vectors + text)"],
            "ingest>embed_job": ["Monthly cost"]})
page.finish()
