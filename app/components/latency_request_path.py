"""Lesson 5's request path: naive vs mitigated requests on the same draws, the latency
histogram, the tail against fan-out and p99 per stage (layout only; the numbers come from
:mod:`playground.recsys.serving`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.recsys import serving as sv

FANOUTS = (1, 2, 5, 10, 20, 50, 100)
N_REQUESTS = 20_000
SHORT = {"cg": "Candidates", "fs": "Feature lookup", "rank": "Ranking", "rr": "Re-rank"}


@cached()
def request_paths(stages, n, m, seed) -> sv.PathComparison:
    return sv.naive_vs_production(stages, n, m, FANOUTS, N_REQUESTS, 3_000, seed)


def show(page: LessonPage, paths: sv.PathComparison | None, stages, design: str, budget: int, n: int) -> None:
    """Render the section (its numbers only when the simulation ran)."""
    st.subheader("The request path: naive vs production on the same requests")
    if paths is None:
        return
    naive, prod = paths.naive, paths.production
    c = st.columns(4)
    page.metric("p99 (naive)", f"{naive.p99:.0f} ms", delta=f"{naive.p99 - budget:+.0f} vs budget",
                delta_color="inverse", container=c[0], headline=True)
    page.metric(f"p99 ({design})", f"{prod.p99:.0f} ms", delta=f"{prod.p99 - budget:+.0f} vs budget",
                delta_color="inverse", container=c[1], headline=True)
    page.metric(f"p50 ({design})", f"{prod.p50:.0f} ms", delta=f"naive {naive.p50:.0f} ms",
                delta_color="off", container=c[2])
    page.metric(f"Over budget ({design})", f"{prod.share_over(budget):.1%}",
                delta=f"naive {naive.share_over(budget):.1%}", delta_color="off", container=c[3])
    c = st.columns(4)
    page.metric("Sum of component medians", f"{sv.sum_of_medians(stages):.0f} ms", container=c[0],
                help="The naive estimate: add up each component's typical latency, one call each.")
    page.metric("Extra load from hedging", f"{prod.extra_load:.1%}", container=c[1],
                help="Backup calls per lookup: the price of a shorter tail.")
    page.metric("Degraded by timeout", f"{prod.degraded:.2%}", container=c[2],
                help="Requests where some shard timed out and fallback features were used.")
    page.metric("Lookups served from cache", f"{prod.cache_share:.0%}", container=c[3])
    if prod.p99 > budget:
        page.verdict(False, f"{design.capitalize()} p99 {prod.p99:.0f} ms still misses the {budget} ms budget: cache more, "
                     "hedge earlier, tighten the timeout, or cut the fan-out.")
    elif naive.p99 > budget:
        page.verdict(True, f"The naive path misses the budget by {naive.p99 - budget:.0f} ms at p99; the "
                     f"mitigations bring it to {prod.p99:.0f} ms.")
    if prod.degraded > 0.05:
        st.warning(f"{prod.degraded:.0%} of requests rank with fallback features: the timeout is "
                   "buying latency with quality.")
    centres, shares = sv.latency_histograms([naive, prod], budget)
    fig = go.Figure()
    for sim, share, label, color, side in ((naive, shares[0], "naive", "#d62728", "top right"),
                                           (prod, shares[1], design, "#2ca02c", "top left")):
        fig.add_scatter(x=centres, y=share, mode="lines", line=dict(shape="hvh", color=color), fill="tozeroy",
                        name=label, opacity=0.6)
        fig.add_vline(x=sim.p99, line_dash="dot", line_color=color,
                      annotation_text=f"{label} p99 {sim.p99:.0f}", annotation_position=side)
    fig.add_vline(x=budget, line_color="black", line_width=2, annotation_text=f"budget {budget} ms",
                  annotation_position="bottom right")
    fig.update_layout(height=360, title=f"End-to-end latency of {N_REQUESTS:,} simulated requests (N = {n})",
                      xaxis_title="latency (ms)", yaxis_title="share of requests")
    page.chart(fig, hero=True)
    left, right = st.columns(2)
    page.chart(_fanout_figure(paths, budget, n), container=left)
    keys = [s.key for s in stages]
    fig = go.Figure()
    for sim, label, color in ((naive, "naive", "#d62728"), (prod, design, "#2ca02c")):
        fig.add_bar(x=[SHORT[k] for k in keys], y=[sim.stage_quantile(k) for k in keys], name=f"p99 {label}",
                    marker_color=color)
    fig.update_layout(height=380, title="p99 per stage (the fanned-out lookup dominates)",
                      yaxis_title="ms", barmode="group")
    page.chart(fig, container=right)


def _fanout_figure(paths: sv.PathComparison, budget: int, n: int) -> go.Figure:
    naive_curve, prod_curve = paths.naive_curve, paths.production_curve
    fig = go.Figure()
    fig.add_scatter(x=naive_curve["n"], y=naive_curve["p99"], name="request p99 (naive)", line=dict(color="#d62728"))
    fig.add_scatter(x=naive_curve["n"], y=naive_curve["p50"], name="request p50 (naive)",
                    line=dict(color="#d62728", dash="dot"))
    fig.add_scatter(x=prod_curve["n"], y=prod_curve["p99"], name="request p99 (production)", line=dict(color="#2ca02c"))
    fig.add_scatter(x=naive_curve["n"], y=naive_curve["stage_p99"], name="lookup stage p99, analytic",
                    line=dict(color="grey", dash="dash"))
    fig.add_hline(y=budget, line_color="black", annotation_text="budget")
    fig.add_vline(x=n, line_dash="dot", line_color="grey")
    fig.update_xaxes(tickvals=list(FANOUTS))
    fig.update_layout(height=380, title="Tail at scale: latency vs fan-out", xaxis_type="log",
                      xaxis_title="shards N (log)", yaxis_title="ms")
    return fig
