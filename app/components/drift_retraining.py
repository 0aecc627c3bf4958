"""Lesson 7's "Retraining policies" tab: never, a fixed schedule and a drift trigger replayed on
the same stream, with their accuracy and cost (layout only; the numbers come from
:mod:`playground.monitoring.retraining`)."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.drift_detectors import Thresholds
from components.drift_stream import TRAIN_DAYS, stream_and_scores
from components.page import LessonPage
from playground.monitoring import drift as dr
from playground.monitoring import retraining as rt


@cached("Replaying the stream under each policy…")
def policies(key, **kwargs):
    stream, _, _ = stream_and_scores(*key)
    return rt.compare(stream, train_days=TRAIN_DAYS, **kwargs)


@dataclass(frozen=True)
class Schedule:
    """The tab's policy settings (the rollout tab reuses the schedule)."""

    focus: str
    trigger: str
    every: int
    window_days: int
    retrain_cost: float
    error_cost: float


def show(page: LessonPage, key: tuple, stream: dr.Stream, drift_start: int | None, label_delay: int,
         det: Thresholds) -> Schedule:
    """Render the tab; return its settings."""
    batch = key[6]
    c1, c2, c3 = st.columns(3)
    focus = page.select("policy_focus", "Your team's policy", rt.POLICIES, rt.Policy.NEVER, container=c1)
    trigger = page.select("trigger", "Drift trigger", rt.TRIGGERS, container=c1, format_func=rt.TRIGGER_LABELS.get)
    every = page.slider("every", "Fixed schedule: retrain every (days)", 3, 60, 14, container=c2)
    window_days = page.slider("train_window", "Labelled days per retrain", 1, 30, 14, container=c2)
    retrain_cost = page.number("retrain_cost", "Cost of one retrain", 0, 100_000, 500, step=100, container=c3)
    error_cost = page.slider("error_cost", "Cost of one wrong prediction", 0.0, 5.0, 0.5, step=0.1,
                             container=c3)
    schedule = Schedule(focus, trigger, every, window_days, retrain_cost, error_cost)
    runs = page.guard(policies, key, window_days=window_days, every=every, label_delay=label_delay,
                      trigger=trigger, ph_delta=det.ph_delta, ph_threshold=det.ph, psi_threshold=det.psi)
    if runs is None:
        return schedule
    since = drift_start if drift_start is not None else TRAIN_DAYS
    summary, cheapest = rt.policy_summary(runs, since, retrain_cost, error_cost, batch, TRAIN_DAYS)
    mine = runs[focus]
    st.markdown(f"**Your team's policy: {focus}**")
    m1, m2, m3, m4 = st.columns(4)
    page.metric(f"Accuracy from day {since}", f"{mine.mean_accuracy(since):.3f}", container=m1, headline=True)
    page.metric("Retrains", f"{mine.retrains}", container=m2, headline=True)
    page.metric("Total cost", f"{mine.cost(retrain_cost, error_cost, batch, TRAIN_DAYS):,.0f}", container=m3)
    page.metric("Best possible accuracy", f"{stream.best_accuracy(since):.3f}", container=m4)
    st.dataframe(summary, hide_index=True)
    st.caption(f"Cheapest policy at these costs: **{cheapest}**. Retrains use the last "
               f"{window_days} labelled days; with a {label_delay}-day label delay the freshest "
               "training data is always that old.")
    fig = go.Figure()
    days = list(range(stream.days))
    for name, run in runs.items():
        fig.add_scatter(x=days, y=run.accuracy, name=f"{name} ({run.retrains} retrains)",
                        line_width=3 if name == focus else 1.5)
        if run.retrain_days:
            fig.add_scatter(x=run.retrain_days, y=run.retrain_accuracy(), mode="markers",
                            marker_symbol="triangle-up", marker_size=9, name=f"{name}: retrain", showlegend=False)
    fig.add_scatter(x=days, y=stream.bayes_acc, name="best possible", line_dash="dot", line_color="grey")
    if drift_start is not None:
        fig.add_vline(x=drift_start, line_color="orange", annotation_text="drift starts")
    fig.update_layout(title="Daily accuracy of the model in production under each policy",
                      xaxis_title="day", yaxis_title="accuracy", height=400)
    page.chart(fig)
    return schedule
