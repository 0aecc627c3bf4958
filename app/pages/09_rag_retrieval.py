"""Lesson 9: retrieval and reranking on Python's own documentation with 167 labelled queries."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.background import background
from components.cache import cached
from components.page import LessonPage
from components.rag_index import load_index
from playground.rag import corpus as rc
from playground.rag import ir_metrics as ir
from playground.rag import retrieval_eval as rev
from playground.rag import retrievers as rv
from playground.scenario import escape_md
from scenarios.l09 import PRESETS

MARKS = {2: "✅", 1: "☑️", 0: "❌"}


def code(text: str) -> str:
    """Corpus identifiers shown in a code span (no markdown inside; backticks removed)."""
    return text.replace("`", "'")


@cached("Scoring the labelled queries…")
def run_eval(method: str, recall_k: int, params: tuple, _index, progress=None) -> pd.DataFrame:
    rows = rev.evaluate(_index, rc.load_queries(), method, recall_k=recall_k, progress=progress, **dict(params))
    return pd.DataFrame(rows)


page = LessonPage("l09", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**BM25**")
k1 = page.slider("k1", "k1 (term-frequency saturation)", 0.1, 3.0, 1.2, step=0.1)
b = page.slider("b", "b (length normalisation)", 0.0, 1.0, 0.75, step=0.05)
st.sidebar.markdown("**Fusion and rerank**")
rrf_k = page.slider("rrf_k", "RRF constant k", 0, 200, 60, step=5)
alpha = page.slider("alpha", "Weighted fusion: alpha (weight of dense)", 0.0, 1.0, 0.5, step=0.05)
fusion = page.select("fusion", "List the reranker re-orders", ["weighted", "rrf"])
rerank_n = page.slider("rerank_n", "Rerank the top N", 5, 50, 20, step=5)
recall_k = page.select_slider("recall_k", "Recall cut-off k", [1, 3, 5, 10, 20, 50], 10)
params = {"k1": k1, "b": b, "rrf_k": rrf_k, "alpha": alpha, "fusion": fusion, "rerank_n": rerank_n}

st.caption(
    "Corpus: 3,396 passages of the documentation shipped with Python 3.11 (standard-library "
    "docstrings and `pydoc` topics); 167 hand-labelled queries in four types. Dense: packaged "
    "all-MiniLM-L6-v2 (384-d, mean pooled) in a FAISS `IndexFlatIP`. **Reranker:** late-interaction "
    "MaxSim over the same MiniLM's token embeddings (ColBERT-style scoring; MiniLM was not trained "
    "for it, so it is a weak reranker, not a cross-encoder).")

index = load_index()
queries = rc.load_queries()
settings = {m: tuple(sorted(rv.relevant_params(m, params).items())) for m in rv.METHODS}
evals = {m: run_eval(m, recall_k, settings[m], index) for m in rv.METHODS if m != "rerank"}
reranked = background(run_eval, "rerank", recall_k, settings["rerank"], index,
                      label="Reranking the labelled queries (token vectors of the reranked passages)")
if reranked is not None:
    evals["rerank"] = reranked
methods = [m for m in rv.METHODS if m in evals]  # the reranker joins when its run is ready
rk = f"recall@{recall_k}"
metrics = ["ndcg@10", "mrr@10", rk]
stats = {m: rev.summarise(df.to_dict("records")) for m, df in evals.items()}
overall = pd.DataFrame({rv.METHOD_LABELS[m]: {c: s["all"][c] for c in metrics} for m, s in stats.items()}).T
overall["median ms / query"] = [evals[m]["latency_ms"].median() for m in methods]
best = overall["ndcg@10"].idxmax()

cols = st.columns(5)
for col, m in zip(cols, methods):
    page.metric(f"nDCG@10 · {rv.METHOD_LABELS[m]}", f"{overall.loc[rv.METHOD_LABELS[m], 'ndcg@10']:.3f}",
                container=col, headline=m in ("dense", "rerank"))
st.dataframe(overall.style.format("{:.3f}").format("{:.1f}", subset=["median ms / query"]), width="stretch")
st.caption(f"Best overall nDCG@10: **{best}**. Means over {len(queries)} queries; "
           f"MRR@10 and {rk} use any grade ≥ 1 as relevant, nDCG uses the grades (2, 1). Latency: "
           "search time on this shared 2-core CPU when the table was first computed, query embedding "
           "excluded (embedding one new query takes about 0.5 s here).")

fig = go.Figure()
types = list(rc.QUERY_TYPES)
for m in methods:
    fig.add_bar(name=rv.METHOD_LABELS[m], x=[rc.TYPE_LABELS[t] for t in types],
                y=[stats[m][t]["ndcg@10"] for t in types])
fig.update_layout(barmode="group", title="nDCG@10 per query type", yaxis_title="nDCG@10",
                  yaxis_range=[0, 1], legend_orientation="h")
page.chart(fig)

# verdicts with a paired bootstrap interval (seeded)
def verdict(group: str, a: str, b_: str) -> str:
    da, db = evals[a], evals[b_]
    sel = da["type"] == group if group != "all" else np.ones(len(da), bool)
    x, y = da.loc[sel, "ndcg@10"].to_numpy(), db.loc[sel, "ndcg@10"].to_numpy()
    lo, hi = ir.paired_bootstrap_ci(x, y, seed)
    page.record(f"{rv.METHOD_LABELS[a]} − {rv.METHOD_LABELS[b_]} ({group})", f"{x.mean() - y.mean():+.3f}")
    return (f"- **{rv.METHOD_LABELS[a]} vs {rv.METHOD_LABELS[b_]}** on {rc.TYPE_LABELS.get(group, 'all queries')}: "
            f"{x.mean():.3f} vs {y.mean():.3f} (difference {x.mean() - y.mean():+.3f}, 95 % bootstrap "
            f"interval {lo:+.3f} to {hi:+.3f})")


st.markdown("**What the labelled set shows at these settings**\n\n" + "\n".join([
    verdict("rare_entity", "bm25", "dense"), verdict("paraphrase", "dense", "bm25"),
    verdict("all", "weighted", "dense"), verdict("all", "rrf", "dense")]
    + ([verdict("all", "rerank", fusion)] if "rerank" in evals else [])))

# ---- query explorer ------------------------------------------------------------------------
st.subheader("Query explorer: each method's top 5 for one labelled query")
explore_type = page.select("explore_type", "Query type", list(rc.QUERY_TYPES), container=st,
                           format_func=lambda t: rc.TYPE_LABELS[t], horizontal=True, radio=True)
candidates = [q for q in queries if q.type == explore_type]
labels = [f"{q.id}: {q.text}" for q in candidates]
picked = page.select("explore_q", "Query", labels, container=st)
query = candidates[labels.index(picked)] if picked in labels else candidates[0]
st.caption("Relevance marks: ✅ answers the query (grade 2) · ☑️ related (grade 1) · ❌ not labelled relevant. "
           "Labelled answers: " + ", ".join(f"`{code(pid)}` ({g})" for pid, g in query.relevant.items()))
columns = st.columns(len(methods))
for col, m in zip(columns, methods):
    hits = index.search(m, query.text, 5, **params)
    row = evals[m].set_index("query_id").loc[query.id]
    col.markdown(f"**{rv.METHOD_LABELS[m]}**  \nnDCG@10 {row['ndcg@10']:.2f}")
    col.markdown("\n".join(f"{i}. {MARKS[query.relevant.get(h.passage_id, 0)]} `{code(h.passage_id)}`"
                           for i, h in enumerate(hits, 1)))

# ---- live search ---------------------------------------------------------------------------
st.subheader("Search the corpus live")
c1, c2, c3 = st.columns([3, 1.4, 0.8])
text = page.text("query", "Your query", "CalledProcessError", container=c1)
live_method = page.select("live_method", "Method", list(rv.METHODS), container=c2,
                          format_func=lambda m: rv.METHOD_LABELS[m])
k = page.number("k", "Results", 1, 50, 5, step=1, container=c3)
if not text.strip():
    st.warning("Type a query (an identifier like `lru_cache`, or a question in your own words).")
else:
    hits = page.guard(index.search, live_method, text, int(k), **params)
    for rank, h in enumerate(hits or (), 1):
        p = index.by_id[h.passage_id]
        with st.container(border=True):
            st.markdown(f"**{rank}. `{code(p.title)}`** · score {h.score:.3f} · {escape_md(p.source)}")
            st.text(p.text[:400] + ("…" if len(p.text) > 400 else ""))

page.math([
    rf"\mathrm{{BM25}}(d,q)=\sum_{{t\in q}}\mathrm{{idf}}(t)\,\frac{{f_{{t,d}}\,({k1:.2f}+1)}}"
    rf"{{f_{{t,d}}+{k1:.2f}\,(1-{b:.2f}+{b:.2f}\,|d|/\overline{{|d|}})}}",
    r"\mathrm{dense}(d,q)=\cos(\mathbf{e}_q,\mathbf{e}_d)\quad(\text{MiniLM, mean pooled, unit length; FAISS inner product})",
    rf"\mathrm{{RRF}}(d)=\sum_{{r\in\{{\mathrm{{bm25}},\mathrm{{dense}}\}}}}\frac{{1}}{{{rrf_k}+\mathrm{{rank}}_r(d)}}",
    rf"s(d)={alpha:.2f}\,\hat s_\mathrm{{dense}}(d)+{1 - alpha:.2f}\,\hat s_\mathrm{{bm25}}(d),\quad"
    r"\hat s=\frac{s-\min s}{\max s-\min s}",
    rf"\mathrm{{MaxSim}}(q,d)=\frac{{1}}{{|q|}}\sum_{{i\in q}}\max_{{j\in d}}\cos(\mathbf{{q}}_i,\mathbf{{d}}_j)"
    rf"\quad\text{{on the top {rerank_n} of {fusion}}}",
    rf"\mathrm{{nDCG@10}}=\frac{{\sum_{{i\le10}} g_i/\log_2(i+1)}}{{\mathrm{{IDCG@10}}}}"
    rf"\qquad\text{{best here: {best} = {overall['ndcg@10'].max():.3f}}}",
], notes="Each retriever contributes its top 100 to fusion. nDCG uses linear gains (grades 2/1), "
         "as scikit-learn's `ndcg_score` does.")
page.finish()
