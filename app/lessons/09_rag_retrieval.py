"""Lesson 9: retrieval and reranking on Python's own documentation with its labelled queries.
The comparison of every method lives in ``components.rag_methods``, each tab in its own
``components.rag_*`` module."""

import streamlit as st

from components import rag_analyser, rag_explorer, rag_learned_rerank, rag_live_search, rag_methods
from components.page import LessonPage
from components.rag_index import load_index
from playground.rag import analysis as ra
from playground.rag import corpus as rc
from playground.rag import ltr
from playground.rag import retrievers as rv
from scenarios.l09 import PRESETS

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
st.caption(
    f"Corpus: {len(index):,} passages of the documentation shipped with Python 3.11 (standard-library "
    f"docstrings and `pydoc` topics), each within MiniLM's 256-token window; {len(rc.load_queries())} "
    "hand-labelled queries in four types. Dense: packaged all-MiniLM-L6-v2 (384-d, mean pooled) in a "
    "FAISS `IndexFlatIP`. **Reranker:** late-interaction MaxSim over the same MiniLM's token "
    "embeddings (ColBERT-style scoring; MiniLM was not trained for it). **Learned reranker:** "
    "gradient-boosted trees or logistic regression over BM25, dense, MaxSim, identifier/title match "
    "and passage kind, always scored on queries it did not train on.")
evals = rag_methods.run_all(index, recall_k, params)
comparison = rag_methods.show(page, evals, recall_k, fusion, seed)

analyser_tab, learned_tab, explorer_tab, live_tab = page.tabs("view", [
    "BM25's analyser", "A learned reranker and tuned fusion", "Query explorer", "Live search"], on_stage=False)
with analyser_tab:
    rag_analyser.show(page, index, evals, params, recall_k)
with learned_tab:
    rag_learned_rerank.show(page, index, ltr_kind, seed)
with explorer_tab:
    rag_explorer.show(page, index, evals, params)
with live_tab:
    served = rag_live_search.show(page, index, params)
rag_methods.verdict(page, evals, comparison, served, seed)  # the served method is the live search's

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
    rf"\qquad\text{{best here: {comparison.best} = {comparison.best_ndcg:.3f}}}",
], notes="Each retriever contributes its top 100 to fusion. nDCG uses linear gains (grades 2/1), "
         "as scikit-learn's `ndcg_score` does.")
page.board({"bm25": ["nDCG@10 · BM25"], "vector_index": ["nDCG@10 · Dense (MiniLM + FAISS)"],
            "fusion": ["nDCG@10 · Hybrid RRF", "nDCG@10 · Hybrid weighted"],
            "rag_reranker": ["nDCG@10 · Hybrid + MaxSim rerank"]})
page.finish()
