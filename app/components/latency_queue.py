"""Lesson 5's ranking service as an M/M/c queue: utilisation, p99, replicas for the budget and
batching (layout only; the numbers come from :mod:`playground.recsys.queueing`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.recsys import queueing as qu

BATCHES = (1, 2, 4, 8, 16, 32)


@cached()
def batching_table(qps, s1, replicas, overhead, budget, seed):
    return qu.batching_table(qps, s1, replicas, overhead, budget, BATCHES, seed=seed)


def show(page: LessonPage, qps: int, svc_ms: float, replicas: int, q_budget: int, batch: int, overhead: float,
         seed: int) -> qu.Batched | None:
    """Render the section; return the batched queue at the current settings (None if unstable)."""
    st.subheader("The ranking service as a queue (M/M/c)")
    st.caption("Poisson arrivals, exponential service, one shared queue in front of the replicas. "
               "Latency is flat until utilisation nears 100 %, then explodes.")
    point = page.guard(qu.batched, qps, svc_ms / 1e3, replicas, batch, overhead, seed=seed)
    needed = page.guard(qu.batched_replicas_needed, qps, svc_ms / 1e3, batch, overhead, q_budget / 1e3, seed=seed)
    c = st.columns(4)
    if point is not None:
        page.metric("Utilisation", f"{point.utilisation:.0%}", container=c[0], headline=True)
        page.metric("Service p99", f"{point.p99 * 1e3:.0f} ms",
                    delta=f"{point.p99 * 1e3 - q_budget:+.0f} vs budget", delta_color="inverse", container=c[1])
        page.metric("Service mean", f"{point.mean * 1e3:.1f} ms", container=c[2])
    else:
        st.info("Add replicas or lower the traffic: the numbers above need utilisation below 100 %.")
    page.metric("Replicas for the budget", "impossible" if needed is None else f"{needed}",
                delta=None if needed is None else f"{needed - replicas:+d} vs now", delta_color="off",
                container=c[3], headline=True)
    if needed is None:
        st.warning(f"No replica count meets {q_budget} ms at p99: the service time itself (batch of {batch}, "
                   f"{qu.batch_service_time(svc_ms, batch, overhead):.0f} ms mean, exponential) has a longer tail. "
                   "Make the model faster, use smaller batches, or raise the budget.")
    if batch > 1:
        st.caption(f"Batching B = {batch}: the batch queue is modelled as M/M/c at {qps / batch:.0f} batches/s "
                   "(an approximation that slightly over-states the wait) plus the time to fill the batch.")
    mu = 1e3 / svc_ms
    left, right = st.columns(2)
    util, means, p99s = qu.utilisation_curve(mu, replicas)
    fig = go.Figure()
    fig.add_scatter(x=util, y=[p * 1e3 for p in p99s], name="p99", line=dict(color="#d62728"))
    fig.add_scatter(x=util, y=[m * 1e3 for m in means], name="mean", line=dict(color="#1f77b4"))
    if point is not None and batch == 1:
        fig.add_scatter(x=[point.utilisation], y=[point.p99 * 1e3], mode="markers", name="now",
                        marker=dict(size=12, color="black"))
    fig.add_hline(y=q_budget, line_color="black", annotation_text="budget")
    fig.update_layout(height=360, title=f"Latency vs utilisation ({replicas} replicas, no batching)",
                      xaxis_title="utilisation ρ", xaxis_tickformat=".0%", yaxis_title="ms",
                      yaxis_range=[0, max(q_budget * 3, 5 * svc_ms)])
    page.chart(fig, container=left)
    cs, quantiles = qu.replica_curve(qps, mu, replicas, needed)
    p99_ms = [p * 1e3 for p in quantiles]
    fig = go.Figure()
    fig.add_scatter(x=cs, y=p99_ms, mode="lines+markers", name="p99 (B = 1)", line=dict(color="#d62728"))
    fig.add_hline(y=q_budget, line_color="black", annotation_text="budget")
    fig.add_vline(x=replicas, line_dash="dot", line_color="grey", annotation_text="now")
    fig.update_layout(height=360, title=f"p99 vs replicas at {qps} requests/s", xaxis_title="replicas",
                      yaxis_title="ms", yaxis_range=[0, max(q_budget * 2, p99_ms[-1] * 3)])
    page.chart(fig, container=right)
    st.markdown("**Batching: throughput per replica vs latency** (same traffic and budget)")
    batching = page.guard(batching_table, qps, svc_ms / 1e3, replicas, overhead, q_budget / 1e3, seed)
    if batching is not None:
        st.dataframe(batching.style.format(
            {"batch time (ms)": "{:.1f}", "throughput / replica (req/s)": "{:.0f}",
             f"utilisation at {replicas}": "{:.0%}", f"p99 at {replicas} (ms)": "{:.0f}"}),
            hide_index=True, width="stretch")
    return point
