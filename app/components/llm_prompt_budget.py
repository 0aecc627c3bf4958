"""Lesson 10's prompt budget tab: how many retrieved chunks fit the context window after the system
prompt and the answer budget (layout only; the numbers come from
:func:`playground.rag.llm_serving.prompt_budget`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from components.rag_index import load_index
from playground.rag import llm_serving as ls



@cached()
def chunk_lengths(question: str, k: int) -> tuple[list[str], list[int]]:
    """Passage ids and token lengths of the top ``k`` hybrid (RRF) chunks, citation header included."""
    index = load_index()
    hits = index.search("rrf", question, k)
    chunks = [f"[{n}] {index.by_id[h.passage_id].title}\n{index.by_id[h.passage_id].text}"
              for n, h in enumerate(hits, 1)]
    return [h.passage_id for h in hits], ls.token_lengths(chunks)


@cached()
def question_tokens(question: str) -> int:
    return ls.token_lengths([question])[0]


def fit(question: str, window: int, sys_tokens: int, answer_tokens: int, overhead: int) -> tuple:
    """Token lengths of the top 50 chunks, the question's tokens, and how many chunks fit."""
    _, lengths = chunk_lengths(question, 50)
    q_tokens = question_tokens(question)
    return lengths, ls.prompt_budget(window, sys_tokens, q_tokens, answer_tokens, lengths, overhead)


def show(page: LessonPage, model: ls.ModelSpec | None) -> None:
    """Render the tab for ``model``'s context window (None: the sidebar's model is invalid)."""
    st.caption("How many retrieved chunks fit the context window after the system prompt and the space "
               "reserved for the answer. Chunks are the top hybrid (RRF) passages for the question; tokens "
               "are counted with MiniLM's WordPiece tokenizer, a stand-in for the LLM's own.")
    cols = st.columns(4)
    sys_tokens = page.slider("sys_tokens", "System prompt tokens", 0, 8000, 600, step=50, container=cols[0])
    answer_tokens = page.slider("answer_tokens", "Answer budget (tokens)", 0, 8000, 512, step=64, container=cols[1])
    overhead = page.slider("overhead", "Citation header per chunk", 0, 64, 8, container=cols[2])
    question = page.text("budget_q", "Question", ls.DEFAULT_QUESTION, container=cols[3])
    load_index()
    if not question.strip():
        st.warning("Type a question to see which retrieved chunks fit.")
        return
    if model is None:
        return
    lengths, budget = page.guard(fit, question, model.max_context, sys_tokens, answer_tokens, overhead) or (None, None)
    if budget is None:
        return
    c = st.columns(3)
    page.metric("Chunks that fit", f"{budget.n_fit} of {len(lengths)}", container=c[0], headline=True)
    page.metric("Tokens left for chunks", f"{budget.room:,}", container=c[1])
    page.metric("Median chunk", f"{ls.median_tokens(lengths)} tokens", container=c[2])
    if budget.available <= 0:
        st.error(f"System prompt, question and answer budget already take {budget.fixed_tokens:,} of "
                 f"{model.max_context:,} tokens: no room for context.")
    fig = go.Figure()
    for name, value in budget.parts():
        fig.add_bar(y=["context"], x=[value], name=name, orientation="h")
    fig.add_vline(x=model.max_context, line_dash="dash", line_color="red",
                  annotation_text=f"{model.max_context:,}-token window")
    fig.update_layout(barmode="stack", height=220, title="Where the context window goes (tokens)")
    page.chart(fig)
