"""Lesson 13's second section: the decline threshold comes from the cost of each mistake; the
expected-cost curve is the lesson's hero chart (layout only; the numbers come from
:mod:`playground.cases.fraud_threshold`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.cases import fraud
from playground.cases import fraud_threshold as ft

MARKERS = (("minimum", "green", "solid", "top left"), ("0.5", "red", "dash", "top right"))
"""Vertical lines on the cost chart: label, colour, dash and where the label sits."""


def _cost_figure(h: ft.HeldOut) -> go.Figure:
    """Missed fraud, false declines and their sum per 1,000 transactions against the threshold."""
    points = ft.cost_points(h)
    fig = go.Figure()
    fig.add_scatter(x=points["threshold"], y=points["missed fraud"], name="missed fraud (chargebacks)",
                    mode="lines", line=dict(dash="dot", color="#d62728"))
    fig.add_scatter(x=points["threshold"], y=points["false declines"], name="false declines (friction)",
                    mode="lines", line=dict(dash="dot", color="#ff7f0e"))
    fig.add_scatter(x=points["threshold"], y=points["cost"], name="expected cost (sum)", mode="lines",
                    line=dict(width=3, color="#1f77b4"))
    for (text, colour, dash, side), at in zip(MARKERS, (h.best_threshold, 0.5)):
        x, label_x = ft.log_marker(at)  # log axis: the line takes x, its label log10(x)
        fig.add_vline(x=x, line_color=colour, line_dash=dash, annotation_text=text,
                      annotation=dict(x=label_x), annotation_position=side)
    fig.update_layout(title="Expected cost per 1,000 transactions vs decline threshold",
                      xaxis_type="log", xaxis_title="decline if score ≥ threshold (log scale)",
                      yaxis_title="$ per 1k", yaxis_range=[0, h.cost_axis_top], height=420)
    return fig


def show(page: LessonPage, h: ft.HeldOut, friction: float, fee: float) -> list[str]:
    """Render the section; return its formulas (with the current numbers) for "The math"."""
    conf = h.confusion
    cols = st.columns(4)
    page.metric("Cost per 1k transactions", f"${h.cost_per_1k:.0f}", container=cols[0], headline=True,
                help=f"Declining score ≥ {h.threshold:.3g}.")
    page.metric("…at threshold 0.5", f"${h.half_per_1k:.0f}", container=cols[1])
    page.metric("…approving everything", f"${h.approve_all_per_1k:.0f}", container=cols[2])
    page.metric("Recall / precision", f"{conf['recall']:.0%} / {conf['precision']:.0%}", container=cols[3])
    if h.rule == "0.5" and h.half_is_costly:
        page.verdict(False, f"Threshold 0.5 costs ${h.half_excess_per_1k:.0f} per 1,000 transactions "
                     f"more than the minimum-cost threshold {h.best_threshold:.3g}: 0.5 means 'a miss and a "
                     "false decline cost the same', which they never do.")
    elif h.rule == "minimum expected cost" and h.half_is_costly:
        page.verdict(True, f"Threshold {h.best_threshold:.3g} from the cost curve: ${h.cost_per_1k:.0f} per 1,000 "
                     f"transactions, ${h.half_excess_per_1k:.0f} less than 0.5, which prices a miss and a false "
                     "decline the same.")
    if h.handling != fraud.Handling.NONE:
        st.info(f"'{h.handling}' inflates the scores: they are no longer probabilities, so the threshold must be "
                "read off the cost curve (or the scores re-calibrated), never set from first principles.")
    else:
        page.metric("Amount-aware rule p·(amount+fee) > (1−p)·friction", f"${h.bayes_per_1k:.0f} per 1k",
                    help="Calibrated probabilities allow a per-transaction threshold: big baskets get declined "
                         "at a lower fraud probability.")
    page.chart(_cost_figure(h), hero=True)
    return [
        rf"C(t) = \sum_{{\text{{fraud}},\, s < t}} (\text{{amount}} + {fee:g}) + {friction:g}\cdot "
        rf"\#\{{\text{{legit}},\, s \ge t\}} = \${h.cost_now:,.0f}\ \text{{over {h.n:,} transactions}}",
        rf"t^\star = \arg\min_t C(t) = {h.best_threshold:.3g},\qquad "
        rf"\text{{decline iff }} p\,(\text{{amount}} + {fee:g}) > (1 - p)\,{friction:g}",
    ]
