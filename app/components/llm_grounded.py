"""Lesson 10's grounded answer tab: retrieve, answer with citations, refuse without evidence, and
an off-topic probe (layout only; answers come from :mod:`playground.rag.generation`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from components.rag_index import load_index
from components.server_path import server_path_input
from playground.rag import generation as gen
from playground.rag import llm_serving as ls
from playground.rag import retrievers as rv
from playground.rag import shipped_batches
from playground.scenario import escape_md

FORMULA = r"\text{refuse} \iff \max_{s \in \text{context}} \cos(q, s) < \tau_\text{evidence}"


@cached()
def grounded(question: str, method: str, k: int, gate: float, model_path: str = "") -> gen.GroundedAnswer:
    """Retrieve and answer (extractive, or with the local model when a path is given)."""
    context = gen.retrieve(load_index(), question, method, k)
    encode = shipped_batches.encoder()  # the default answers' evidence vectors ship
    if model_path:
        return gen.generate_answer(question, context, encode, model_path, gate)
    return gen.extractive_answer(question, context, encode, gate)


def show(page: LessonPage) -> None:
    """Render the tab."""
    cols = st.columns([3, 1, 1, 1])
    question = page.text("question", "Question", ls.DEFAULT_QUESTION, container=cols[0])
    method = page.select("ans_method", "Retrieval", list(rv.METHODS), ls.GROUNDED_DEFAULTS["method"],
                         container=cols[1], format_func=lambda m: rv.METHOD_LABELS[m])
    k = page.slider("ans_k", "Passages", 1, 10, ls.GROUNDED_DEFAULTS["k"], container=cols[2])
    evidence_t = page.slider("evidence", "Evidence threshold", 0.0, 1.0, 0.45, step=0.01, container=cols[3])
    naive_gen = page.toggle("naive", "Naive: answer even without evidence", False, container=st.columns(2)[0])
    model_path = server_path_input("model_path", "Local transformers causal-LM folder (optional)", page.hosted,
                                   st.columns(2)[1])
    gate = -1.0 if naive_gen else evidence_t  # a gate below every cosine never refuses
    if not question.strip():
        st.warning("Type a question to get a grounded answer.")
        return

    def answer_question():
        """The grounded answer, from the local model when a folder is given."""
        if model_path:
            gen.check_generator_path(model_path)
            with st.spinner("Generating with the local model…"):
                return grounded(question, method, k, gate, model_path)
        return grounded(question, method, k, gate)

    answer = page.guard(answer_question)
    if answer is not None:
        page.metric("Best evidence (cosine)", f"{answer.best_score:.2f}", headline=True)
        if answer.refused:
            st.warning(escape_md(answer.text))
        else:
            st.success(f"**Answer ({escape_md(answer.generator)}):** {escape_md(answer.text)}")
            st.markdown("\n".join(f"- [{n}] {escape_md(pid)} · {escape_md(title)}"
                                  for n, pid, title in answer.citations) or "_(no citation marks in the answer)_")
        st.dataframe(pd.DataFrame([{"passage": e.passage_id, "sentence": e.sentence, "cosine": round(e.score, 3)}
                                   for e in answer.evidence[:6]]), hide_index=True)
    probe = page.guard(grounded, ls.OFF_TOPIC, method, k, gate)
    if probe is not None:
        verdict = "refuses" if probe.refused else f"answers anyway: “{probe.sentences[0]}”"
        st.info(f"Off-topic probe “{ls.OFF_TOPIC}”: best evidence {probe.best_score:.2f}; "
                f"{'the naive generator' if naive_gen else 'the production generator'} {escape_md(verdict)}")
