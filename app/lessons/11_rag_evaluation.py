"""Lesson 11: RAG evaluation — retrieval and generation measured separately; fluency vs faithfulness;
judge agreement."""

from functools import partial

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from components.rag_index import load_index
from playground import embeddings
from playground.rag import corpus as rc
from playground.rag import evaluation as ev
from playground.rag import retrievers as rv
from playground.scenario import escape_md
from scenarios.l11 import PRESETS

SHORT = {label: kind for kind, (label, _) in ev.KINDS.items()}  # compact axis labels
# table columns sized so the verdicts and scores fit on screen; the long text comes last and takes the rest
SCORE = st.column_config.NumberColumn(format="%.2f", width="small")
FIT = {"kind": st.column_config.TextColumn(width="small"), "faithful": st.column_config.CheckboxColumn(
    width="small", help="Reference label: how the answer was built"), "words": st.column_config.NumberColumn(width="small"),
    **dict.fromkeys(["faith. emb", "faith. ovl", "relevance", "fluency", "best cosine", "token overlap"], SCORE),
    **dict.fromkeys(["supported (emb)", "supported (overlap)"], st.column_config.CheckboxColumn(width="small"))}
N_QUERIES = len(rc.load_queries())


@cached("Fitting the corpus bigram model…")
def scorers() -> tuple[ev.MemoEncoder, ev.FluencyScale]:
    passages = rc.load_passages()
    return ev.MemoEncoder(partial(embeddings.embed, persist=True)), ev.fluency_scale([p.text for p in passages])


@cached("Retrieving, building candidate answers and scoring them…")
def run(method: str, k: int, n: int, seed: int, emb_t: float, ovl_t: float) -> list[ev.QueryEval]:
    index = load_index()
    encode, fluency = scorers()
    queries = ev.sample_queries(rc.load_queries(), n, seed)
    index.encode_queries([q.text for q in queries])
    evals = ev.evaluate_queries(queries, lambda text, kk: [h.passage_id for h in index.search(method, text, kk)],
                                index.by_id, rc.load_passages(), encode, fluency, k, emb_t, ovl_t, seed)
    return evals


page = LessonPage("l11", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**Retrieval**")
method = page.select("method", "Retriever", list(rv.METHODS), "rrf", format_func=lambda m: rv.METHOD_LABELS[m])
k = page.slider("k", "Context passages (k)", 1, 10, 5)
n = page.slider("n", "Labelled queries evaluated", 8, N_QUERIES, 16,
                help="Stratified by query type; more queries embed more sentences (about 25 per query).")
st.sidebar.markdown("**Judges**")
with page.advanced_controls():
    emb_t = page.slider("emb_t", "Embedding support threshold τₑ", 0.3, 0.95, 0.7, step=0.05)
    ovl_t = page.slider("ovl_t", "Token-overlap support threshold τₒ", 0.3, 1.0, 0.8, step=0.05)
cut = page.slider("cut", "Faithful if faithfulness ≥", 0.5, 1.0, 0.75, step=0.05)
naive = page.toggle("naive", "Naive: judge answers by fluency", False)

load_index()
with st.spinner("Scoring…"):
    evals = run(method, k, n, seed, emb_t, ovl_t)
answers = pd.DataFrame(ev.answer_records(evals, cut=cut))
per_query = pd.DataFrame([{"query": e.query_id, "type": rc.TYPE_LABELS.get(e.type, e.type), "question": e.question,
                           "context precision": e.context_precision, "context recall": e.context_recall}
                          for e in evals])

# ---- 1. retrieval -------------------------------------------------------------------------------
_tabs = page.tabs("view", ['1 · Retrieval: is the right context there?', '2 · Generation: faithful or just fluent?', '3 · Inspect a query and score your own answer', '4 · Judge agreement'], default='2 · Generation: faithful or just fluent?')
with _tabs[0]:
    c = st.columns(3)
    page.metric(f"Context precision@{k}", f"{per_query['context precision'].mean():.2f}", container=c[0], headline=True)
    page.metric(f"Context recall@{k}", f"{per_query['context recall'].mean():.2f}", container=c[1], headline=True)
    page.metric("Queries evaluated", f"{len(evals)}", container=c[2])
    by_type = per_query.groupby("type")[["context precision", "context recall"]].mean().reset_index()
    fig = go.Figure()
    for col in ("context precision", "context recall"):
        fig.add_bar(x=by_type["type"], y=by_type[col], name=col)
    fig.update_layout(title=f"{rv.METHOD_LABELS[method]}, top {k}: retrieval quality by query type", yaxis_range=[0, 1],
                      height=320)
    page.chart(fig)
    with st.expander("Per query"):
        st.dataframe(per_query.round(3), hide_index=True)

    # ---- 2. generation: fluent vs faithful ------------------------------------------------------------

with _tabs[1]:
    st.caption("Up to seven candidate answers per query, built deterministically from the corpus: two grounded in "
               "the retrieved context (extractive) and five that are not (half from an unrelated passage, grounded plus "
               "confident filler, fully from an unrelated passage, a grounded sentence with its key word swapped for "
               "another passage's, the context's own words shuffled). Fluency is a "
               "bigram language model of the documentation's prose, scored leave-one-out: the share of corpus "
               "sentences whose words follow each other less typically (it measures 'reads like the docs').")
    kinds = answers.groupby("label", sort=False)[["faithfulness_emb", "faithfulness_overlap", "fluency", "relevance",
                                                 "words"]].mean()
    unrelated = answers[answers.kind == "unrelated"]
    grounded = answers[answers.kind == "grounded"]
    c = st.columns(4)
    page.metric("Fluency · unrelated answers", f"{unrelated.fluency.mean():.2f}", container=c[0], headline=True)
    page.metric("Faithfulness · unrelated answers", f"{unrelated.faithfulness_emb.mean():.2f}", container=c[1], headline=True)
    page.metric("Fluency · grounded answers", f"{grounded.fluency.mean():.2f}", container=c[2])
    page.metric("Faithfulness · grounded answers", f"{grounded.faithfulness_emb.mean():.2f}", container=c[3])
    left, right = st.columns(2)
    fig = px.scatter(answers, x="fluency", y="faithfulness_emb", color="label", hover_data=["query_id", "words"],
                     title="Every candidate: fluency (x) does not predict faithfulness (y)")
    fig.update_traces(marker=dict(size=9, opacity=0.75))
    fig.update_layout(height=520, legend=dict(orientation="h", y=-0.25, title=None), yaxis_title="faithfulness (embedding)")
    page.chart(fig, container=left)
    fig = go.Figure()
    for col, name in [("faithfulness_emb", "faithfulness (embedding)"), ("faithfulness_overlap", "faithfulness (overlap)"),
                      ("fluency", "fluency"), ("relevance", "answer relevance")]:
        fig.add_bar(y=[SHORT[label] for label in kinds.index], x=kinds[col], name=name, orientation="h",
                    texttemplate="%{x:.2f}", textposition="outside", cliponaxis=False, constraintext="none",
                    textfont_size=11)  # a zero is labelled "0.00", not a missing bar
    fig.update_layout(title="Mean score by kind of answer", height=560, xaxis_range=[0, 1.12],
                      yaxis=dict(autorange="reversed"), legend=dict(orientation="h", y=-0.15))
    page.chart(fig, container=right)
    st.dataframe(kinds.round(2).rename(columns={"words": "mean words"}))

    # ---- 3. one query, and the learner's answer ----------------------------------------------------------

with _tabs[2]:
    qi = page.number("qi", "Query # in the set", 1, N_QUERIES, 1, step=1, container=st.columns(3)[0])
    if qi > len(evals):
        st.warning(f"Only {len(evals)} queries are evaluated; showing the last one.")
    e = evals[min(qi, len(evals)) - 1]
    st.markdown(f"**{escape_md(e.query_id)}** ({escape_md(rc.TYPE_LABELS.get(e.type, e.type))}): "
                f"{escape_md(e.question)} · context precision {e.context_precision:.2f}, recall {e.context_recall:.2f}")
    st.markdown("Context: " + ", ".join(f"[{i}] {escape_md(pid)}" for i, pid in enumerate(e.context_ids, 1)))
    st.dataframe(pd.DataFrame([{"kind": cand.kind, "faithful": cand.faithful, "faith. emb": s.faithfulness_emb,
                                "faith. ovl": s.faithfulness_overlap, "relevance": s.relevance, "fluency": s.fluency,
                                "words": s.words, "answer": cand.text}
                               for cand, s in zip(e.candidates, e.scores)]), hide_index=True, column_config=FIT)
    mine = page.text("answer", "Your answer to this query (scored against its retrieved context)", "", container=st)
    if not mine.strip():
        st.info("Type an answer above: try a sentence copied from the context, then add one about something "
                "else, then swap one identifier for a wrong one, and watch which sentences still count as supported.")
    else:
        encode, fluency = scorers()
        visitor_encode = encode.transient(partial(embeddings.embed, persist=False))  # never on disk
        score = page.guard(ev.score_answer, e.question, mine, e.context_texts, visitor_encode, fluency, emb_t, ovl_t)
        if score is not None:
            c = st.columns(4)
            page.metric("Your faithfulness (embedding)", f"{score.faithfulness_emb:.2f}", container=c[0])
            page.metric("Your faithfulness (overlap)", f"{score.faithfulness_overlap:.2f}", container=c[1])
            page.metric("Your answer relevance", f"{score.relevance:.2f}", container=c[2])
            page.metric("Your fluency", f"{score.fluency:.2f}", container=c[3])
            st.dataframe(pd.DataFrame([{"supported (emb)": s.by_embedding, "supported (overlap)": s.by_overlap,
                                        "best cosine": s.similarity, "token overlap": s.overlap, "sentence": s.sentence}
                                       for s in score.sentences]), hide_index=True, column_config=FIT)

    # ---- 4. judge agreement ----------------------------------------------------------------------------

with _tabs[3]:
    st.caption("Three cheap judges label every candidate faithful or not: embedding support, token-overlap support "
               "(both: faithfulness ≥ the cut) and fluency (≥ 0.5). The reference label is how the answer was built. "
               "Cohen's kappa corrects raw agreement for the agreement expected by chance. Both faithfulness judges "
               "pass the shuffled word salad (its words are all in the context) that the fluency judge rejects, and "
               "similarity-based support mostly misses a single swapped key word (a real factual error): every cheap "
               "judge has a blind spot, which is why a judge is checked against a labelled set before it gates a release.")
    judges = {"embedding judge": answers.judge_emb, "overlap judge": answers.judge_overlap,
              "fluency judge": answers.judge_fluency, "reference label": answers.faithful}
    pairs = [("embedding judge", "overlap judge"), ("embedding judge", "reference label"),
             ("overlap judge", "reference label"), ("fluency judge", "reference label")]
    kappas = {f"{a} vs {b}": ev.cohen_kappa(judges[a].tolist(), judges[b].tolist()) for a, b in pairs}
    c = st.columns(2) + st.columns(2)
    for col, (name, value) in zip(c, kappas.items()):
        page.metric(f"κ {name}", "undefined" if np.isnan(value) else f"{value:.2f}", container=col,
                    headline=name.startswith("fluency"))
    gate = "fluency judge" if naive else "embedding judge"
    passed = answers[judges[gate]]
    wrong = int((~passed.faithful).sum())
    page.metric(f"Unfaithful answers passed by the {gate}", f"{wrong} of {int((~answers.faithful).sum())}", headline=True)
    if naive:
        page.verdict(False, f"Gating releases on fluency passes {wrong} unfaithful answers: fluent is not faithful.")
    left, right = st.columns(2)
    for container, (a, b) in zip((left, right), [("embedding judge", "overlap judge"), (gate, "reference label")]):
        m = ev.confusion(judges[a].tolist(), judges[b].tolist())
        fig = go.Figure(go.Heatmap(z=m, x=[f"{b}: no", f"{b}: yes"], y=[f"{a}: no", f"{a}: yes"], text=m,
                                   texttemplate="%{text}", colorscale="Blues", showscale=False))
        fig.update_layout(title=f"{a} vs {b}", height=300)
        page.chart(fig, container=container)

# ---- the math ---------------------------------------------------------------------------------------
emb_v_ovl = ev.cohen_kappa(judges["embedding judge"].tolist(), judges["overlap judge"].tolist())
agree = float((judges["embedding judge"] == judges["overlap judge"]).mean())
p_a, p_b = float(judges["embedding judge"].mean()), float(judges["overlap judge"].mean())
p_e = p_a * p_b + (1 - p_a) * (1 - p_b)
page.math([
    rf"\text{{context precision@{k}}} = \frac{{\sum_{{i\le {k}}} P@i \cdot rel_i}}{{\sum_{{i\le {k}}} rel_i}}"
    rf" \;\Rightarrow\; \text{{mean}} = {per_query['context precision'].mean():.3f}",
    rf"\text{{context recall@{k}}} = \frac{{|R \cap \text{{top}}_{k}|}}{{|R|}} \;\Rightarrow\; \text{{mean}} = "
    rf"{per_query['context recall'].mean():.3f}",
    rf"\text{{faithfulness}} = \frac{{\#\{{s \in \text{{answer}} : \max_{{c \in \text{{context}}}} \cos(s, c) \ge {emb_t:g}\}}}}"
    rf"{{\#\,\text{{sentences}}}} \;\Rightarrow\; \text{{grounded}} = {grounded.faithfulness_emb.mean():.2f},\ "
    rf"\text{{unrelated}} = {unrelated.faithfulness_emb.mean():.2f}",
    rf"\text{{relevance}} = \cos(q, a), \qquad \text{{fluency}} = \Pr_{{s \sim \text{{corpus}}}}"
    r"\left[\tfrac{1}{n}\textstyle\sum \log p(w_i \mid w_{i-1}) \text{ of } s < \text{that of the answer}\right]",
    rf"\kappa = \frac{{p_o - p_e}}{{1 - p_e}} = \frac{{{agree:.3f} - {p_e:.3f}}}{{1 - {p_e:.3f}}} = "
    + ("\\text{undefined}" if np.isnan(emb_v_ovl) else f"{emb_v_ovl:.3f}")
    + r"\quad(\text{embedding vs overlap judge})",
], notes="$rel_i = 1$ when the passage at rank $i$ has a qrels grade ≥ 1; $p_o$ is the observed agreement "
         "and $p_e = p_a p_b + (1-p_a)(1-p_b)$ the agreement expected by chance from each judge's yes-rate.")
page.board({"rag_eval": [f"Context precision@{k}", f"Context recall@{k}"],
            "feedback": ["κ embedding judge vs reference label", f"Unfaithful answers passed by the {gate}"]})
page.finish()
