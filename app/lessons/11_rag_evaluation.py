"""Lesson 11: RAG evaluation — retrieval and generation measured separately; fluency vs faithfulness;
judge agreement. Each tab's layout lives in its own ``components.rag_eval_*`` module."""

import streamlit as st

from components import rag_eval_generation, rag_eval_inspect, rag_eval_judge, rag_eval_retrieval
from components.page import LessonPage
from components.rag_eval_runs import N_QUERIES, evaluated
from components.rag_index import load_index
from playground.rag import eval_run as er
from playground.rag import evaluation as ev
from playground.rag import retrievers as rv
from scenarios.l11 import PRESETS

page = LessonPage("l11", presets=PRESETS)
seed = page.seed(er.DEFAULT["seed"])
st.sidebar.markdown("**Retrieval**")
method = page.select("method", "Retriever", list(rv.METHODS), er.DEFAULT["method"], format_func=lambda m: rv.METHOD_LABELS[m])
k = page.slider("k", "Context passages (k)", 1, 10, er.DEFAULT["k"])
st.sidebar.markdown("**Judges**")
emb_t = page.slider("emb_t", "Embedding support threshold τₑ", 0.3, 0.95, 0.7, step=0.05)
cut = page.slider("cut", "Faithful if faithfulness ≥", 0.5, 1.0, 0.75, step=0.05)
naive = page.toggle("naive", "Naive: judge answers by fluency", True)
with page.advanced_controls():
    n = page.slider("n", "Labelled queries evaluated", 8, N_QUERIES, er.DEFAULT["n"],
                    help="Stratified by query type; more queries embed more sentences (about 25 per query).")
    ovl_t = page.slider("ovl_t", "Token-overlap support threshold τₒ", 0.3, 1.0, 0.8, step=0.05)

load_index()
with st.spinner("Scoring…"):
    evals = evaluated(method, k, n, seed, emb_t, ovl_t)
records = ev.answer_records(evals, cut=cut)

tabs = page.tabs("view", ['1 · Retrieval: is the right context there?', '2 · Generation: faithful or just fluent?',
                          '3 · Inspect a query and score your own answer', '4 · Judge agreement'],
                 default='2 · Generation: faithful or just fluent?')
with tabs[0]:
    formulas = rag_eval_retrieval.show(page, evals, method, k)
with tabs[1]:
    formulas += rag_eval_generation.show(page, records, emb_t, naive)
with tabs[2]:
    rag_eval_inspect.show(page, evals, emb_t, ovl_t)
with tabs[3]:
    agreement, kappa = rag_eval_judge.show(page, records, naive)

page.math(formulas + kappa,
          notes="$rel_i = 1$ when the passage at rank $i$ has a qrels grade ≥ 1; $p_o$ is the observed agreement "
                "and $p_e = p_a p_b + (1-p_a)(1-p_b)$ the agreement expected by chance from each judge's yes-rate.")
page.board({"rag_eval": [f"Context precision@{k}", f"Context recall@{k}"],
            "feedback": ["κ embedding judge vs reference label",
                         f"Unfaithful answers passed by the {agreement.gate}"]})
page.finish()
