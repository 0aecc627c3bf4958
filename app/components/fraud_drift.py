"""Lesson 13's fourth section: after ship fraudsters adapt and the frozen model decays, while a
model retrained weekly on delayed labels keeps up (layout only; the numbers come from
:mod:`playground.cases.fraud`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from plotly.subplots import make_subplots

from components import shapes
from components.cache import cached
from components.fraud_builds import stream
from components.page import LessonPage
from playground.cases import fraud

COLOURS = {fraud.FROZEN: "#d62728", fraud.RETRAINED: "#2ca02c"}
PANELS = ("recall", "precision", "PR-AUC")
LATE_LABELS = 21
"""Label delay (days) from which the page warns that retraining recovers little."""


@cached("Retraining week by week on delayed labels …")
def drift_scores(rate: float, drift: float, delay: int, seed: int) -> list[fraud.WeekScores]:
    return fraud.weekly_scores(stream(rate, drift, seed), delay, seed)


def weekly(rate: float, drift: float, delay: int, friction: float, fee: float, seed: int) -> pd.DataFrame:
    """Each week's decisions of the frozen and the retrained model (:func:`fraud.weekly_metrics`)."""
    return fraud.weekly_metrics(drift_scores(rate, drift, delay, seed), friction, fee)


def _figure(weeks: pd.DataFrame):
    fig = make_subplots(rows=1, cols=len(PANELS), subplot_titles=PANELS)
    for col, metric_name in enumerate(PANELS, start=1):
        for model_name, group in weeks.groupby("model"):
            fig.add_scatter(x=group["week"], y=group[metric_name], mode="lines+markers", name=model_name,
                            line_color=COLOURS[model_name], showlegend=col == 1, row=1, col=col)
    fig.update_yaxes(range=[0, 1.02])
    fig.update_xaxes(title_text="week")
    fig.update_layout(title=f"Weekly decisions (amount-aware rule); the model ships at week {fraud.SHIP_WEEK:g}",
                      height=400,
                      shapes=[shapes.across("x", fraud.SHIP_WEEK, 1, col, len(PANELS), dash="dot", color="grey")
                              for col in range(1, len(PANELS) + 1)])
    return fig


def show(page: LessonPage, tab, rate: float, drift: float, delay: int, friction: float, fee: float,
         seed: int) -> list[str]:
    """Render the section in ``tab``; return its formulas (with the current numbers) for "The math".
    While the tab is closed nothing is computed (the weekly retraining takes seconds)."""
    if page.deferred(tab):
        return []
    weeks = page.guard(weekly, rate, drift, delay, friction, fee, seed)
    if weeks is None:
        return []
    last = fraud.recent_weeks(weeks, 2)
    cols = st.columns(3)
    page.metric("Recall, last 2 weeks, frozen model", f"{last.loc[fraud.FROZEN, 'recall']:.0%}",
                container=cols[0], headline=True)
    page.metric("Recall, last 2 weeks, retrained", f"{last.loc[fraud.RETRAINED, 'recall']:.0%}",
                container=cols[1], headline=True, help=f"Retrained weekly on labels that arrive {delay} days late.")
    page.metric("PR-AUC, frozen → retrained",
                f"{last.loc[fraud.FROZEN, 'PR-AUC']:.2f} → {last.loc[fraud.RETRAINED, 'PR-AUC']:.2f}",
                container=cols[2])
    page.chart(_figure(weeks))
    st.caption("Share of fraud in the adapted style (slow, small, daytime gift cards) by week: "
               + ", ".join(f"{a:.0%}" for a in fraud.adapted_by_week(weeks)) + ". The frozen model learned "
               "bursts of big electronics purchases; the retrained one learns the new pattern, but only from "
               f"labels that have arrived: with a {delay}-day delay it is always at least {delay} days behind.")
    if delay >= LATE_LABELS:
        st.warning("With labels three or more weeks late, the retraining window still holds mostly the old "
                   "fraud pattern: retraining recovers little. Shorter label delay (faster chargeback "
                   "feeds, manual review labels) is worth as much as a better model.")
    return [rf"\text{{train}}_w = [\,7w - {delay} - 14,\ 7w - {delay}\,)\ \text{{days: the last two "
            rf"weeks whose labels have arrived}}"]
