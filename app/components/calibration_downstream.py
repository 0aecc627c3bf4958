"""Lesson 4's downsampling correction and what calibration does downstream: a show/skip
threshold and a bid (layout only; the numbers come from :mod:`playground.recsys.calibration`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.recsys import calibration as cal


def show_downsampling(page: LessonPage, rep: cal.CalibrationReport, data: cal.ClickData, n_kept: int,
                      w: float) -> None:
    """The keep rate, the click rate the model saw, and what it predicts by true CTR."""
    true_ctr = data.test_ctr
    st.subheader("Negative downsampling and its correction")
    left, right = st.columns([1, 2])
    page.metric("Training rows kept", f"{n_kept:,} of {len(data.y_train):,}", container=left)
    page.metric("Click rate the model saw", f"{float(cal.inflated(true_ctr, w)):.1%}",
                delta=f"true {true_ctr:.1%}", delta_color="off", container=left,
                help="The click rate after downsampling, p/(p + (1 − p)·w) at the true CTR.")
    grid, inflated = cal.inflation_curve(w)
    fig = go.Figure()
    fig.add_scatter(x=grid, y=grid, mode="lines", line=dict(dash="dash", color="grey"), name="p")
    fig.add_scatter(x=grid, y=inflated, mode="lines", name="p′ = p / (p + (1−p)·w)", line=dict(color="#d62728"))
    for v, label, color in ((rep.variants["naive"], "naive model", "#d62728"),
                            (rep.variants["corrected"], "model + correction q", "#2ca02c")):
        true_mean, pred_mean = cal.by_true_probability(data.p_test, v.p)
        fig.add_scatter(x=true_mean, y=pred_mean, mode="markers", name=label, marker=dict(color=color, size=8))
    fig.update_layout(height=400, title=f"What a model trained at w = {w:.2f} predicts (by true CTR)",
                      xaxis_title="true CTR", yaxis_title="predicted CTR",
                      legend_bgcolor="rgba(255,255,255,0.8)")
    page.chart(fig, container=right)


def show_decisions(page: LessonPage, naive: cal.Variant, corrected: cal.Variant, prod: cal.Variant,
                   prod_name: str, data: cal.ClickData, t: float) -> None:
    """Wrong show/skip decisions, value lost and over-bidding, naive → production."""
    st.subheader("Why it matters downstream: a threshold and a bid")
    c = st.columns(3)
    page.metric("Wrong show/skip decisions", f"{naive.decision.wrong:.1%} → {prod.decision.wrong:.1%}",
                container=c[0], headline=True)
    page.metric("Value lost per 1k impressions", f"{naive.decision.regret:.1f} → {prod.decision.regret:.1f}",
                container=c[1], help="In units of the value of one click, against deciding with the true CTR.")
    page.metric("Bid ÷ fair bid", f"{naive.decision.bid_ratio:.2f} → {prod.decision.bid_ratio:.2f}",
                container=c[2], help="A bid of value × pCTR: above 1 the advertiser overpays.")
    st.caption(f"Naive → production. An item is shown when pCTR > t = {t:.2f}; AUC is (almost) the same "
               "for both, yet the naive scores make the wrong call far more often and over-bid in an auction.")
    fig = go.Figure()
    for v, label, color in ((naive, "naive", "#d62728"), (corrected, "corrected only", "#ff7f0e"),
                            (prod, prod_name, "#2ca02c")):
        grid, regret = cal.regret_curve(v.p, data.p_test)
        fig.add_scatter(x=grid, y=regret, mode="lines", name=label, line=dict(color=color))
    fig.add_vline(x=t, line_dash="dot", line_color="grey", annotation_text=f"t = {t:.2f}")
    fig.update_layout(height=340, title="Value lost per 1k impressions at every break-even CTR",
                      xaxis_title="break-even CTR t = cost ÷ value", yaxis_title="value lost / 1k")
    page.chart(fig, hero=True)
