"""Lesson 7's "Safe rollout" tab: a labelling incident, direct deploy vs a shadow gate (layout
only; the numbers come from :mod:`playground.monitoring.deployment`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.drift_retraining import Schedule
from components.drift_stream import DAYS, TRAIN_DAYS, stream_and_scores
from components.page import LessonPage
from playground.monitoring import deployment as dp


@cached("Replaying the rollouts…")
def rollouts(key, **kwargs):
    stream, _, _ = stream_and_scores(*key)
    return {shadow: dp.replay(stream, shadow, **kwargs) for shadow in (False, True)}


def show(page: LessonPage, key: tuple, label_delay: int, schedule: Schedule) -> None:
    """Render the tab."""
    every = schedule.every
    st.markdown(f"A retrain every {every} days on the last {schedule.window_days} labelled days (the schedule "
                "set in the previous tab), and a logging incident that inverts the labels of a few days.")
    c1, c2, c3 = st.columns(3)
    bad_start = page.slider("bad_start", "Incident: labels inverted from day", TRAIN_DAYS, DAYS - 1, 80,
                            container=c1)
    bad_len = page.slider("bad_len", "Incident length (days, 0 = none)", 0, 30, 10, container=c1)
    shadow_days = page.slider("shadow_days", "Shadow period (days)", 1, 14, 3, container=c2)
    gate = page.toggle("gate", "Shadow gate: promote a retrained model only if it beats the serving one",
                       False, container=c3)
    bad = dp.incident_window(bad_start, bad_len, DAYS)
    rolls = page.guard(rollouts, key, bad_days=bad, every=every, window_days=schedule.window_days,
                       label_delay=label_delay, shadow_days=shadow_days)
    if rolls is None:
        return
    chosen, other = rolls[gate], rolls[not gate]
    m1, m2, m3 = st.columns(3)
    page.metric("Worst day's accuracy in production", f"{chosen.worst_day():.3f}",
                note=f"{'without' if gate else 'with'} the gate: {other.worst_day():.3f}", container=m1, headline=True)
    page.metric(f"Accuracy from day {TRAIN_DAYS}", f"{chosen.mean_accuracy(TRAIN_DAYS):.3f}", container=m2)
    page.metric("Candidates rolled back", f"{len(chosen.rolled_back)}", container=m3)
    poisoned = rolls[False].poisoned
    if not gate and poisoned:
        page.verdict(False, f"The retrain on day {poisoned[0]} learned from inverted labels and went straight "
                     f"to production: accuracy {rolls[False].mean_accuracy_after(poisoned[0], every):.2f} on "
                     f"average until the next retrain, against "
                     f"{rolls[True].mean_accuracy_after(poisoned[0], every):.2f} "
                     "with the gate. Nothing compared it with the model it replaced.")
    elif gate and chosen.rolled_back:
        page.verdict(True, f"The shadow gate scored each candidate on {shadow_days} day(s) of live traffic "
                     f"first and rolled back the one(s) judged on day(s) "
                     f"{', '.join(map(str, chosen.rolled_back))}: the serving model stayed.")
    elif gate:
        st.info("No candidate was worse than the serving model: the gate only delayed each "
                f"promotion by {shadow_days} day(s) plus the label delay.")
    fig = go.Figure()
    days = list(range(DAYS))
    for run in (rolls[False], rolls[True]):
        fig.add_scatter(x=days, y=run.accuracy, name=f"{run.name} ({len(run.rolled_back)} rolled back)",
                        line_width=3 if run is chosen else 1.5)
    if bad:
        fig.add_vrect(x0=bad[0], x1=bad[1] - 1, fillcolor="red", opacity=0.1, annotation_text="labels inverted")
    fig.update_layout(title="Accuracy in production: direct deploy vs shadow gate", xaxis_title="day",
                      yaxis_title="accuracy", height=360)
    page.chart(fig)
