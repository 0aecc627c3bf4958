"""Lesson 13's real-time latency budget section (layout only; the numbers come from
:mod:`playground.cases.fraud_latency`, the model's time from timing the lesson's own model)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.cases import fraud
from playground.cases import fraud_latency as fl

VELOCITY = {"db": "computed at request time from the transaction database",
            "stream": "precomputed by the streaming job (key-value lookups)"}


@cached("Timing the lesson's model on single transactions …")
def model_time(frame: pd.DataFrame, seed: int) -> tuple[float, float]:
    train = frame[frame.day < fraud.TRAIN_DAYS]
    model = fraud.fit_model(train, "none", seed)
    rows = frame[frame.day >= fraud.TRAIN_DAYS][list(fraud.FEATURES)].to_numpy(dtype=float)[:200]
    return fl.measure_model(model.predict_proba, rows)


def latency_section(page: LessonPage, tab, frame: pd.DataFrame, seed: int) -> list[str]:
    """Render section 6 in ``tab`` and return its formulas for "The math"; while the tab is closed
    only its controls (timing the model takes a second)."""
    st.header("6 · The real-time budget: score inside the payment authorisation")
    st.caption("A card payment waits for the issuer's answer; fraud scoring gets a slice of that time (the "
               "budget below is an assumption to set, as are the lookup and query latencies). Every step's latency "
               "is log-normal from its median and p99; lookups issued together cost the slowest of them. The "
               "model's time is measured here: the CPU time of the lesson's gradient-boosted model scoring one "
               "transaction at a time on one thread (CPU time: on this shared machine wall time adds the wait for a core).")
    c = st.columns(4)
    budget = page.slider("lat_budget", "Scoring budget (ms, p99)", 20, 300, 100, step=10, container=c[0])
    velocity = page.select("lat_velocity", "Velocity features", list(VELOCITY), "db", container=c[1],
                           format_func=VELOCITY.get)
    parallel = page.toggle("lat_parallel", "Issue the lookups in parallel", True, container=c[2])
    kv_p99 = page.slider("lat_kv_p99", "Feature-store lookup p99 (ms; median 1 ms)", 1.0, 50.0, 6.0, step=1.0,
                         container=c[3])
    if page.deferred(tab):
        return []
    model_p50, model_p99 = model_time(frame, seed)
    steps = page.guard(fl.scoring_steps, velocity, parallel, kv_p99, (model_p50, model_p99), len(fraud.WINDOWS))
    b = None if steps is None else page.guard(fl.simulate, steps, budget, 20_000, seed)
    if b is None:
        return []
    m = st.columns(4)
    page.metric("Scoring latency p99", f"{b.p99:,.0f} ms", container=m[0],
                delta=f"{b.over_by:+,.0f} ms vs budget", delta_color="inverse")
    page.metric("Scoring latency p50", f"{b.p50:,.1f} ms", container=m[1])
    page.metric("Payments over the budget", f"{b.over_budget:.1%}", container=m[2])
    page.metric("Model p99 (measured CPU time)", f"{model_p99:,.1f} ms", container=m[3])
    advice = ("" if b.fits else ": an over-budget payment is approved unscored (or times out). Precompute the "
              "velocity features in the stream (section 3) and read them with the other lookups.")
    page.verdict(b.fits, f"p99 {b.p99:,.0f} ms {'within' if b.fits else 'over'} the {budget} ms budget{advice}",
                 headline=False)
    names = list(b.steps)
    fig = go.Figure()
    fig.add_bar(name="p50", y=names, x=[b.steps[s][0] for s in names], orientation="h")
    fig.add_bar(name="p99", y=names, x=[b.steps[s][1] for s in names], orientation="h")
    fig.add_vline(x=budget, line_dash="dash", line_color="red", annotation_text="budget")
    fig.update_layout(barmode="group", title="Where the time goes (ms per step; the request is their sum)",
                      height=320, xaxis_title="ms")
    page.chart(fig)
    return [rf"t_\text{{step}} \sim \text{{LogNormal}}(\ln p_{{50}},\ (\ln p_{{99}} - \ln p_{{50}})/z_{{0.99}});\ "
            rf"\text{{parallel}}: \max_i t_i,\ \text{{sequential}}: \textstyle\sum_i t_i;\ "
            rf"P_{{99}}\big(\textstyle\sum_\text{{steps}}\big) = {b.p99:,.0f}\ \text{{ms}}"]
