"""Lesson 14's "Late by segment" tab: who gets the broken promise, per trip segment, and what a
flat buffer matched to the quantile model's overall coverage leaves behind (layout only; the
numbers come from :mod:`playground.cases.eta`)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.cases import eta


def show(page: LessonPage, cmp: eta.PromiseComparison, test: pd.DataFrame, q: float, buffer: float) -> None:
    """Render the tab."""
    qname, matched = eta.quantile_name(q), cmp.matched
    late = eta.late_by_condition(test, {k: v for k, v in cmp.promises.items() if k != f"mean + {buffer:g} min"})
    bars = go.Figure()  # graph_objects, not plotly.express: px copies the chart template per figure
    for promise, rows in late.groupby("promise", sort=False):
        bars.add_bar(x=rows["segment"], y=rows["late rate"], name=promise)
    bars.update_layout(barmode="group", height=420, title="Late-arrival rate by segment: who gets the broken promise",
                       xaxis_title="segment", yaxis_title="late rate", yaxis_tickformat=".0%",
                       legend_title_text="promise")  # LessonPage.chart puts the legend in one row above the plot
    bars.add_hline(y=1 - q, line_dash="dot", line_color="grey", annotation_text=f"target {1 - q:.0%}")
    page.chart(bars)
    worst = late.loc[late.groupby("promise")["late rate"].idxmax()].set_index("promise")
    flat = f"mean + {matched:.1f} min (same overall coverage as {qname})"
    st.caption(f"A flat buffer of {matched:.1f} min makes the mean cover as many trips overall as the "
               f"{qname} model, but its worst segment ({worst.loc[flat, 'segment']}) is late "
               f"{worst.loc[flat, 'late rate']:.0%} of the time against {worst.loc[f'{qname} model', 'late rate']:.0%} "
               f"for the {qname} model's worst: the spread of a trip depends on its context, which only a "
               "quantile model learns.")
    page.record(f"late rate worst segment, {qname} model", f"{worst.loc[f'{qname} model', 'late rate']:.3f}")
    page.record("late rate worst segment, mean + matched buffer", f"{worst.loc[flat, 'late rate']:.3f}")
