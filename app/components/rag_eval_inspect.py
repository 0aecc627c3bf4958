"""Lesson 11's inspection tab: one evaluated query with its context and scored candidates, and the
learner's own answer scored against that context (layout only; the numbers come from
:mod:`playground.rag.evaluation`)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from components.page import LessonPage
from components.rag_eval_runs import N_QUERIES, scorers
from playground.rag import corpus as rc
from playground.rag import eval_run as er
from playground.rag import eval_summary as es
from playground.rag import evaluation as ev
from playground.scenario import escape_md

# table columns sized so the verdicts and scores fit on screen; the long text comes last and takes the rest
SCORE = st.column_config.NumberColumn(format="%.2f", width="small")
FIT = {"kind": st.column_config.TextColumn(width="small"), "faithful": st.column_config.CheckboxColumn(
    width="small", help="Reference label: how the answer was built"), "words": st.column_config.NumberColumn(width="small"),
    **dict.fromkeys(["faith. emb", "faith. ovl", "relevance", "fluency", "best cosine", "token overlap"], SCORE),
    **dict.fromkeys(["supported (emb)", "supported (overlap)"], st.column_config.CheckboxColumn(width="small"))}


def show(page: LessonPage, evals: list[ev.QueryEval], emb_t: float, ovl_t: float) -> None:
    """Render the tab: the query picked by number, its candidates, and the learner's answer."""
    qi = page.number("qi", "Query # in the set", 1, N_QUERIES, 1, step=1, container=st.columns(3)[0])
    e, beyond = es.pick_query(evals, qi)
    if beyond:
        st.warning(f"Only {len(evals)} queries are evaluated; showing the last one.")
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
        return
    encode, fluency = scorers()
    visitor_encode = encode.transient(partial(er.sentence_vectors, persist=False))  # never on disk
    score = page.guard(ev.score_answer, e.question, mine, e.context_texts, visitor_encode, fluency, emb_t, ovl_t)
    if score is None:
        return
    c = st.columns(4)
    page.metric("Your faithfulness (embedding)", f"{score.faithfulness_emb:.2f}", container=c[0])
    page.metric("Your faithfulness (overlap)", f"{score.faithfulness_overlap:.2f}", container=c[1])
    page.metric("Your answer relevance", f"{score.relevance:.2f}", container=c[2])
    page.metric("Your fluency", f"{score.fluency:.2f}", container=c[3])
    st.dataframe(pd.DataFrame([{"supported (emb)": s.by_embedding, "supported (overlap)": s.by_overlap,
                                "best cosine": s.similarity, "token overlap": s.overlap, "sentence": s.sentence}
                               for s in score.sentences]), hide_index=True, column_config=FIT)
