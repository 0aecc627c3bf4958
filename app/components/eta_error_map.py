"""Lesson 14's "Pinball loss and heat map" tab: each model's pinball loss per quantile, the
chosen error or late rate by origin zone and hour, and the scorecard (layout only; the numbers
come from :mod:`playground.cases.eta`)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.cases import eta


def show(page: LessonPage, card: pd.DataFrame, test: pd.DataFrame, preds: pd.DataFrame, heat_metric: str,
         q: float) -> None:
    """Render the tab (``card``: the held-out scorecard, ``heat_metric``: one of :data:`eta.HEAT_METRICS`)."""
    losses = card[["pinball q=0.5", f"pinball q={q:g}"]].reset_index().melt(
        id_vars="model", var_name="loss", value_name="minutes")
    pin = go.Figure()  # graph_objects, not plotly.express: px copies the chart template per figure
    for model, rows in losses.groupby("model", sort=False):
        pin.add_bar(x=rows["minutes"], y=rows["loss"], name=model, orientation="h")
    pin.update_layout(barmode="group", height=300, xaxis_title="minutes", yaxis_title="loss", legend_title_text="model",
                      title="Pinball loss on held-out trips, minutes (lower is better): each model wins its own")
    page.chart(pin)
    grid = eta.heat_grid(test, preds, heat_metric, q)
    heat = go.Figure(go.Heatmap(z=grid.to_numpy(), x=list(grid.columns), y=[f"zone {z}" for z in grid.index],
                                colorscale="Reds",
                                colorbar_title="" if heat_metric == eta.HeatMetric.P50_ERROR else "rate",
                                hoverongaps=False, xgap=1, ygap=1))
    heat.update_layout(title=f"{eta.heat_label(heat_metric, q)} by origin zone × hour",
                       xaxis_title="hour of day", height=620, yaxis_autorange="reversed")
    page.chart(heat)
    st.caption("Zones are numbered row by row on a 6 × 6 grid around a slow downtown (zones 14, 15, 20, 21); "
               "blank cells had no held-out trip. The P50 error doubles in the weekday rush hours (7–9, "
               "16–19): trips there are the least predictable, which is exactly where the P90 promise has "
               "to sit furthest above the P50.")
    with st.expander("Scorecard (held-out trips)"):
        st.dataframe(card.style.format(precision=3))
