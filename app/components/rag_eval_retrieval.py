"""Lesson 11's retrieval tab: is the right context there? Context precision and recall@k, overall
and per query type (layout only; the numbers come from :mod:`playground.rag.eval_summary`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.rag import eval_summary as es
from playground.rag import evaluation as ev
from playground.rag import retrievers as rv


def show(page: LessonPage, evals: list[ev.QueryEval], method: str, k: int) -> list[str]:
    """Render the tab; return its formulas (with the current numbers) for "The math"."""
    summary = es.retrieval_summary(evals)
    c = st.columns(3)
    page.metric(f"Context precision@{k}", f"{summary.precision:.2f}", container=c[0], headline=True)
    page.metric(f"Context recall@{k}", f"{summary.recall:.2f}", container=c[1], headline=True)
    page.metric("Queries evaluated", f"{len(evals)}", container=c[2])
    fig = go.Figure()
    for col in es.RETRIEVAL:
        fig.add_bar(x=summary.by_type["type"], y=summary.by_type[col], name=col)
    fig.update_layout(title=f"{rv.METHOD_LABELS[method]}, top {k}: retrieval quality by query type", yaxis_range=[0, 1],
                      height=320)
    page.chart(fig)
    with st.expander("Per query"):
        st.dataframe(summary.per_query.round(3), hide_index=True)
    return [
        rf"\text{{context precision@{k}}} = \frac{{\sum_{{i\le {k}}} P@i \cdot rel_i}}{{\sum_{{i\le {k}}} rel_i}}"
        rf" \;\Rightarrow\; \text{{mean}} = {summary.precision:.3f}",
        rf"\text{{context recall@{k}}} = \frac{{|R \cap \text{{top}}_{k}|}}{{|R|}} \;\Rightarrow\; \text{{mean}} = "
        rf"{summary.recall:.3f}",
    ]
