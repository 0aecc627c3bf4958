"""Lesson 13's first section: ROC flatters and PR tells the truth under class imbalance, and the
same scores re-weighted to rarer fraud (layout only; the numbers come from
:mod:`playground.cases.fraud_threshold`)."""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.cases import fraud_threshold as ft


def _curves_figures(h: ft.HeldOut) -> tuple[go.Figure, go.Figure]:
    """ROC and PR of every handling, with the chosen threshold marked on both."""
    roc, pr = go.Figure(), go.Figure()
    for name, c in h.curves.items():
        x, y = ft.roc_points(c)
        roc.add_scatter(x=x, y=y, mode="lines", name=f"{name} ({c.roc_auc:.3f})")
        x, y = ft.pr_points(c)
        pr.add_scatter(x=x, y=y, mode="lines", name=f"{name} ({c.average_precision:.3f})")
    roc.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line_dash="dot", line_color="grey", name="random")
    pr.add_hline(y=h.fraud_rate, line_dash="dot", line_color="grey", annotation_text="random = fraud rate")
    conf = h.confusion
    for fig, x, y in ((roc, conf["fpr"], conf["recall"]), (pr, conf["recall"], conf["precision"])):
        fig.add_scatter(x=[x], y=[y], mode="markers", marker=dict(size=13, symbol="x", color="black"),
                        name=f"threshold {h.threshold:.3g}")
    roc.update_layout(title="ROC (AUC in legend)", xaxis_title="false-positive rate", yaxis_title="recall",
                      height=460)
    pr.update_layout(title="Precision–recall (AP in legend)", xaxis_title="recall", yaxis_title="precision",
                     height=460, yaxis_range=[0, 1.02])
    return roc, pr


def show(page: LessonPage, h: ft.HeldOut) -> list[str]:
    """Render the section; return its formulas (with the current numbers) for "The math"."""
    chosen, conf = h.chosen, h.confusion
    cols = st.columns(4)
    page.metric("Fraud rate (held-out week)", f"{h.fraud_rate:.2%}", container=cols[0])
    page.metric("ROC-AUC", f"{chosen.roc_auc:.3f}", container=cols[1], headline=True)
    page.metric("PR-AUC (average precision)", f"{chosen.average_precision:.3f}", container=cols[2], headline=True)
    page.metric("False declines per catch", f"{h.declines_per_catch:.1f}", container=cols[3])
    left, right = st.columns(2)
    roc, pr = _curves_figures(h)
    page.chart(roc, container=left)
    page.chart(pr, container=right)

    low = h.rarest
    st.caption(f"Same model and scores, legit transactions re-weighted to other fraud rates: ROC-AUC stays "
               f"{low['ROC-AUC']:.3f} at 0.1 % while PR-AUC falls to {low['PR-AUC']:.3f}. ROC's x-axis divides "
               "false alarms by the huge number of legit transactions, so thousands of them look like a "
               "tiny FPR; precision counts them against the few frauds.")
    page.record("ROC-AUC at 0.1 % (re-weighted)", f"{low['ROC-AUC']:.3f}")
    page.record("PR-AUC at 0.1 % (re-weighted)", f"{low['PR-AUC']:.3f}")
    sweep = px.line(h.sweep.melt(id_vars="fraud rate", var_name="metric", value_name="value"), x="fraud rate",
                    y="value", color="metric", markers=True, log_x=True, height=320,
                    title="One model, rarer fraud: ROC-AUC holds, PR-AUC collapses")
    sweep.update_layout(yaxis_range=[0, 1.02], xaxis=dict(tickvals=list(h.sweep["fraud rate"]), tickformat=".1%"))
    page.chart(sweep)
    return [
        rf"\mathrm{{AP}} = \sum_n (R_n - R_{{n-1}})\,P_n = {chosen.average_precision:.3f},\quad "
        rf"\mathrm{{ROC\text{{-}}AUC}} = \int \mathrm{{TPR}}\, d\,\mathrm{{FPR}} = {chosen.roc_auc:.3f}",
        rf"\text{{at }} t = {h.threshold:.3g}:\ P = \frac{{TP}}{{TP+FP}} = \frac{{{conf['tp']}}}{{{conf['tp']}+{conf['fp']}}}"
        rf",\ \ \mathrm{{FPR}} = \frac{{FP}}{{FP+TN}} = \frac{{{conf['fp']}}}{{{h.legit}}} = {conf['fpr']:.4f}",
    ]
