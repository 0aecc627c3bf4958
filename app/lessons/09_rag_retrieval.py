"""Lesson 9: retrieval and reranking on Python's own documentation with its labelled queries."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.background import background
from components.cache import cached
from components.page import LessonPage
from components.relevance import MARKS, code
from components.rag_index import load_index
from playground.rag import analysis as ra
from playground.rag import corpus as rc
from playground.rag import ir_metrics as ir
from playground.rag import ltr
from playground.rag import retrieval_eval as rev
from playground.rag import retrievers as rv
from playground.scenario import escape_md
from scenarios.l09 import PRESETS


@cached("Scoring the labelled queries…")
def run_eval(method: str, recall_k: int, params: tuple, _index, progress=None) -> pd.DataFrame:
    rows = rev.evaluate(_index, rc.load_queries(), method, recall_k=recall_k, progress=progress, **dict(params))
    return pd.DataFrame(rows)


@cached("Training the learned reranker on 4 query folds, scoring the 5th (×5)…")
def run_learned(kind: str, seed: int, _index, progress=None) -> tuple[pd.DataFrame, dict]:
    rows, alphas = ltr.compare(_index, rc.load_queries(), kind, seed=seed, progress=progress)
    return pd.DataFrame(rows), alphas


page = LessonPage("l09", presets=PRESETS)
st.sidebar.markdown("**Fusion, rerank and the BM25 analyser**")
alpha = page.slider("alpha", "Weighted fusion: alpha (weight of dense)", 0.0, 1.0, 0.5, step=0.05)
rerank_n = page.slider("rerank_n", "Rerank the top N", 5, 50, 20, step=5)
analyzer = page.select("analyzer", "BM25 analyser", list(ra.ANALYZERS), rv.DEFAULTS["analyzer"], format_func=lambda a: ra.ANALYZER_LABELS[a],
                       help="simple: lowercase words; search engine: identifiers split on case and "
                            "punctuation and kept whole, stopwords out, Snowball stemmer.")
recall_k = page.select_slider("recall_k", "Recall cut-off k", [1, 3, 5, 10, 20, 50], 10)
with page.advanced_controls():
    seed = page.seed()
    k1 = page.slider("k1", "BM25 k1 (term-frequency saturation)", 0.1, 3.0, 1.2, step=0.1)
    b = page.slider("b", "BM25 b (length normalisation)", 0.0, 1.0, 0.75, step=0.05)
    rrf_k = page.slider("rrf_k", "RRF constant k", 0, 200, 60, step=5)
    fusion = page.select("fusion", "List the reranker re-orders", ["weighted", "rrf"])
    ltr_kind = page.select("ltr_model", "Learned reranker model", list(ltr.MODELS),
                           format_func=lambda m: {"gbdt": "gradient-boosted trees", "logistic": "logistic regression"}[m])
params = {"k1": k1, "b": b, "rrf_k": rrf_k, "alpha": alpha, "fusion": fusion, "rerank_n": rerank_n,
          "analyzer": analyzer}

index = load_index()
queries = rc.load_queries()
st.caption(
    f"Corpus: {len(index):,} passages of the documentation shipped with Python 3.11 (standard-library "
    f"docstrings and `pydoc` topics), each within MiniLM's 256-token window; {len(queries)} "
    "hand-labelled queries in four types. Dense: packaged all-MiniLM-L6-v2 (384-d, mean pooled) in a "
    "FAISS `IndexFlatIP`. **Reranker:** late-interaction MaxSim over the same MiniLM's token "
    "embeddings (ColBERT-style scoring; MiniLM was not trained for it). **Learned reranker:** "
    "gradient-boosted trees or logistic regression over BM25, dense, MaxSim, identifier/title match "
    "and passage kind, always scored on queries it did not train on.")
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

analyser_tab, learned_tab, explorer_tab, live_tab = page.tabs("view", [
    "BM25's analyser", "A learned reranker and tuned fusion", "Query explorer", "Live search"], on_stage=False)

# ---- BM25 analyser ---------------------------------------------------------------------------
with analyser_tab:
    other = "simple" if analyzer == "search" else "search"
    bm25_other = run_eval("bm25", recall_k, tuple(sorted(rv.relevant_params("bm25", {**params, "analyzer": other}).items())),
                          index)
    by_analyzer = {analyzer: evals["bm25"], other: bm25_other}
    table = pd.DataFrame({ra.ANALYZER_LABELS[a]: df.groupby("type")["ndcg@10"].mean().reindex(types)
                          for a, df in by_analyzer.items()}).rename(index=rc.TYPE_LABELS).T
    table["all"] = [by_analyzer[a]["ndcg@10"].mean() for a in by_analyzer]
    st.dataframe(table.style.format("{:.3f}"), width="stretch")
    gain = by_analyzer["search"]["ndcg@10"].mean() - by_analyzer["simple"]["ndcg@10"].mean()
    page.record("BM25 nDCG@10: search-engine − simple analyser", f"{gain:+.3f}")
    sample = "assertRaisesRegex members"
    st.caption(f"BM25 nDCG@10 per query type under each analyser (k1 {k1:g}, b {b:g}). `{sample}` → simple: "
               f"`{' '.join(ra.simple(sample))}`; search engine: `{' '.join(ra.search(sample))}`. "
               f"Search-engine minus simple, all queries: **{gain:+.3f}**.")


# ---- learned reranker --------------------------------------------------------------------------
with learned_tab:
    learned_df, alphas = background(run_learned, ltr_kind, seed, index,
                                    label="Training the learned reranker on 4 query folds, scoring the 5th (×5)") or (None, {})
    if learned_df is not None:
        p_col = next(c for c in learned_df.columns if c.startswith("precision@"))
        means = learned_df.groupby("method")[[p_col, "ndcg@10", "recall@10"]].mean().reindex(list(ltr.LEARNED_METHODS))
        means.index = [ltr.LEARNED_METHODS[m] for m in means.index]
        per_type = learned_df.pivot_table(index="method", columns="type", values="ndcg@10").reindex(
            list(ltr.LEARNED_METHODS))[types].rename(columns=rc.TYPE_LABELS)
        per_type.index = [ltr.LEARNED_METHODS[m] for m in per_type.index]
        st.dataframe(means.join(per_type.add_prefix("nDCG@10 · ")).style.format("{:.3f}"), width="stretch")
        learned = learned_df[learned_df.method == "learned"].set_index("query_id")
        lines = []
        for base in ("weighted", "tuned", "rerank"):
            other_rows = learned_df[learned_df.method == base].set_index("query_id").loc[learned.index]
            for metric in ("ndcg@10", p_col):
                x, y = learned[metric].to_numpy(), other_rows[metric].to_numpy()
                lo, hi = ir.paired_bootstrap_ci(x, y, seed)
                page.record(f"learned − {base} ({metric})", f"{x.mean() - y.mean():+.3f}")
                lines.append(f"- learned − {ltr.LEARNED_METHODS[base]}, {metric}: **{x.mean() - y.mean():+.3f}** "
                             f"(95 % paired bootstrap {lo:+.3f} to {hi:+.3f})")
        page.metric("nDCG@10 · learned reranker (CV)", f"{learned['ndcg@10'].mean():.3f}", headline=True)
        used = pd.Series(alphas).value_counts().sort_index()
        st.markdown("\n".join(lines))
        st.caption("5-fold cross-validation by query (`GroupKFold`; the two phrasings of a paired need share a "
                   "fold): every query is ranked by a model that never saw it or its twin. Candidates: BM25's "
                   "and dense retrieval's top 30. The tuned hybrid's alpha is the best on the four training "
                   "folds, applied to the fifth; alphas chosen: "
                   + ", ".join(f"{a:g} ({n} queries)" for a, n in used.items()) + ".")


# ---- query explorer ------------------------------------------------------------------------
with explorer_tab:
    explore_type = page.select("explore_type", "Query type", list(rc.QUERY_TYPES), container=st,
                               format_func=lambda t: rc.TYPE_LABELS[t], horizontal=True, radio=True)
    candidates = [q for q in queries if q.type == explore_type]
    labels = [f"{q.id}: {q.text}" for q in candidates]
    picked = page.select("explore_q", "Query", labels, container=st)
    query = candidates[labels.index(picked)] if picked in labels else candidates[0]
    st.caption("Relevance marks: [answer] answers the query (grade 2) · [related] related (grade 1) · [not relevant] not labelled relevant. "
               "Labelled answers: " + ", ".join(f"`{code(pid)}` ({g})" for pid, g in query.relevant.items()))
    columns = st.columns(len(methods))
    for col, m in zip(columns, methods):
        hits = index.search(m, query.text, 5, **params)
        row = evals[m].set_index("query_id").loc[query.id]
        col.markdown(f"**{rv.METHOD_LABELS[m]}**  \nnDCG@10 {row['ndcg@10']:.2f}")
        col.markdown("\n".join(f"{i}. {MARKS[query.relevant.get(h.passage_id, 0)]} `{code(h.passage_id)}`"
                               for i, h in enumerate(hits, 1)))


# ---- live search ---------------------------------------------------------------------------
with live_tab:
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
page.board({"bm25": ["nDCG@10 · BM25"], "vector_index": ["nDCG@10 · Dense (MiniLM + FAISS)"],
            "fusion": ["nDCG@10 · Hybrid RRF", "nDCG@10 · Hybrid weighted"],
            "rag_reranker": ["nDCG@10 · Hybrid + MaxSim rerank"]})
page.finish()
