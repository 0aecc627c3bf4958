"""Lesson 11's judge-agreement tab: three cheap judges against each other and against the reference
labels (Cohen's kappa, confusion counts) and what the judge that gates a release lets through
(layout only; the numbers come from :mod:`playground.rag.eval_summary`)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.rag import eval_summary as es


def show(page: LessonPage, records: list[dict], naive: bool) -> tuple[es.Agreement, list[str]]:
    """Render the tab from :func:`playground.rag.evaluation.answer_records`; return the agreement
    and its formula (with the current numbers) for "The math"."""
    st.caption("Three cheap judges label every candidate faithful or not: embedding support, token-overlap support "
               "(both: faithfulness ≥ the cut) and fluency (≥ 0.5). The reference label is how the answer was built. "
               "Cohen's kappa corrects raw agreement for the agreement expected by chance. Both faithfulness judges "
               "pass the shuffled word salad (its words are all in the context) that the fluency judge rejects, and "
               "similarity-based support mostly misses a single swapped key word (a real factual error): every cheap "
               "judge has a blind spot, which is why a judge is checked against a labelled set before it gates a release.")
    agreement = es.judge_agreement(records, naive)
    c = st.columns(2) + st.columns(2)
    for col, (name, value) in zip(c, agreement.kappas.items()):
        page.metric(f"κ {name}", "undefined" if math.isnan(value) else f"{value:.2f}", container=col,
                    headline=name.startswith("fluency"))
    gate, wrong = agreement.gate, agreement.passed_unfaithful
    page.metric(f"Unfaithful answers passed by the {gate}", f"{wrong} of {agreement.unfaithful}", headline=True)
    if naive:
        page.verdict(False, f"Gating releases on fluency passes {wrong} unfaithful answers: fluent is not faithful.")
    for container, ((a, b), m) in zip(st.columns(2), agreement.confusions.items()):
        fig = go.Figure(go.Heatmap(z=m, x=[f"{b}: no", f"{b}: yes"], y=[f"{a}: no", f"{a}: yes"], text=m,
                                   texttemplate="%{text}", colorscale="Blues", showscale=False))
        fig.update_layout(title=f"{a} vs {b}", height=300)
        page.chart(fig, container=container)
    p_o, p_e, kappa = agreement.observed, agreement.chance, agreement.kappas["embedding judge vs overlap judge"]
    return agreement, [
        rf"\kappa = \frac{{p_o - p_e}}{{1 - p_e}} = \frac{{{p_o:.3f} - {p_e:.3f}}}{{1 - {p_e:.3f}}} = "
        + (r"\text{undefined}" if math.isnan(kappa) else f"{kappa:.3f}") + r"\quad(\text{embedding vs overlap judge})"]
