"""Lesson 11's generation tab: faithful or just fluent? Every candidate answer's fluency against
its faithfulness, and the mean scores per kind of answer (layout only; the numbers come from
:mod:`playground.rag.eval_summary`)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.rag import eval_summary as es
from playground.rag import evaluation as ev

SHORT = {label: kind for kind, (label, _) in ev.KINDS.items()}  # compact axis labels
BARS = [("faithfulness_emb", "faithfulness (embedding)"), ("faithfulness_overlap", "faithfulness (overlap)"),
        ("fluency", "fluency"), ("relevance", "answer relevance")]


def show(page: LessonPage, records: list[dict], emb_t: float, naive: bool) -> list[str]:
    """Render the tab from :func:`playground.rag.evaluation.answer_records`; return its formulas
    (with the current numbers) for "The math". ``naive``: answers are judged by fluency."""
    st.caption("Up to seven candidate answers per query, built deterministically from the corpus: two grounded in "
               "the retrieved context (extractive) and five that are not (half from an unrelated passage, grounded plus "
               "confident filler, fully from an unrelated passage, a grounded sentence with its key word swapped for "
               "another passage's, the context's own words shuffled). Fluency is a "
               "bigram language model of the documentation's prose, scored leave-one-out: the share of corpus "
               "sentences whose words follow each other less typically (it measures 'reads like the docs').")
    summary = es.generation_summary(records)
    kinds = summary.by_kind
    _verdict(page, summary, naive)
    c = st.columns(4)
    page.metric("Fluency · unrelated answers", f"{summary.fluency['unrelated']:.2f}", container=c[0], headline=True)
    page.metric("Faithfulness · unrelated answers", f"{summary.faithfulness['unrelated']:.2f}", container=c[1],
                headline=True)
    page.metric("Fluency · grounded answers", f"{summary.fluency['grounded']:.2f}", container=c[2])
    page.metric("Faithfulness · grounded answers", f"{summary.faithfulness['grounded']:.2f}", container=c[3])
    left, right = st.columns(2)
    fig = px.scatter(pd.DataFrame(records), x="fluency", y="faithfulness_emb", color="label",
                     hover_data=["query_id", "words"], title="Every candidate: fluency (x) does not predict faithfulness (y)")
    fig.update_traces(marker=dict(size=9, opacity=0.75))
    fig.update_layout(height=520, legend_title=None, yaxis_title="faithfulness (embedding)")
    page.chart(fig, container=left)
    fig = go.Figure()
    for col, name in BARS:
        fig.add_bar(y=[SHORT[label] for label in kinds.index], x=kinds[col], name=name, orientation="h",
                    texttemplate="%{x:.2f}", textposition="outside", cliponaxis=False, constraintext="none",
                    textfont_size=11)  # a zero is labelled "0.00", not a missing bar
    fig.update_layout(title="Mean score by kind of answer", height=560, xaxis_range=[0, 1.12],
                      yaxis=dict(autorange="reversed"))
    page.chart(fig, container=right)
    st.dataframe(kinds.round(2).rename(columns={"words": "mean words"}))
    return [
        rf"\text{{faithfulness}} = \frac{{\#\{{s \in \text{{answer}} : \max_{{c \in \text{{context}}}} \cos(s, c) \ge {emb_t:g}\}}}}"
        rf"{{\#\,\text{{sentences}}}} \;\Rightarrow\; \text{{grounded}} = {summary.faithfulness['grounded']:.2f},\ "
        rf"\text{{unrelated}} = {summary.faithfulness['unrelated']:.2f}",
        rf"\text{{relevance}} = \cos(q, a), \qquad \text{{fluency}} = \Pr_{{s \sim \text{{corpus}}}}"
        r"\left[\tfrac{1}{n}\textstyle\sum \log p(w_i \mid w_{i-1}) \text{ of } s < \text{that of the answer}\right]",
    ]


def _verdict(page: LessonPage, summary: es.GenerationSummary, naive: bool) -> None:
    """Red when the page's judge (fluency when ``naive``, else faithfulness) separates grounded from
    unrelated answers less than the other score does."""
    judge, other = ("fluency", "faithfulness") if naive else ("faithfulness", "fluency")
    gap, other_gap = summary.separation[judge], summary.separation[other]
    if math.isnan(gap) or math.isnan(other_gap):  # no grounded or no unrelated answer was built
        return
    holds = gap > other_gap
    why = ("it tells them apart." if holds else f"{other} separates them better." if not naive
           else "a fluent answer passes whether or not the context supports it.")
    page.verdict(holds, f"Judged by {judge}, grounded answers score {gap:+.2f} above unrelated ones ({other}: "
                 f"{other_gap:+.2f}): {why}")
