"""Lesson 5: tail latency of a fanned-out request path, its mitigations, and the queueing view."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.recsys import queueing as qu
from playground.recsys import serving as sv
from scenarios.l05 import PRESETS

FANOUTS = (1, 2, 5, 10, 20, 50, 100)
BATCHES = (1, 2, 4, 8, 16, 32)
N_REQUESTS = 20_000
SHORT = {"cg": "Candidates", "fs": "Feature lookup", "rank": "Ranking", "rr": "Re-rank"}
BELOW = dict(orientation="h", yanchor="top", y=-0.22, x=0)

page = LessonPage("l05", presets=PRESETS)
seed = page.seed()
budget = page.slider("budget", "Latency budget at p99 (ms)", 50, 500, 200, step=10)
n = page.slider("n", "Fan-out: feature-store shards N", 1, 100, 20)
with st.sidebar.expander("Stage latencies (median, p99 in ms)"):
    box = st.container()
stage_values = {}
for stage in sv.STAGES:
    med = page.slider(f"med_{stage.key}", f"{stage.name}: median", 1, 200, int(stage.median_ms), container=box)
    p99 = page.slider(f"p99_{stage.key}", f"{stage.name}: p99", 1, 500, int(stage.p99_ms), container=box)
    stage_values[stage.key] = (float(med), float(p99))
st.sidebar.markdown("**Production mitigations (on each shard lookup)**")
cache = page.slider("cache", "Cache hit rate", 0.0, 0.95, 0.5, step=0.05)
hedge = page.toggle("hedge", "Hedged requests", True)
hedge_ms = page.slider("hedge_ms", "Send a backup after (ms)", 1, 200, 25, disabled=not hedge)
timeout = page.toggle("timeout", "Timeout with fallback", True)
timeout_ms = page.slider("timeout_ms", "Timeout (ms)", 5, 300, 60, disabled=not timeout)
with page.advanced_controls():
    page.advanced().markdown("**Ranking service as a queue**")
    qps = page.slider("qps", "Traffic (requests/s)", 10, 5000, 800, step=10)
    svc_ms = page.slider("svc_ms", "Mean service time per request (ms)", 1, 200, 20)
    replicas = page.slider("replicas", "Replicas", 1, 200, 20)
    q_budget = page.slider("q_budget", "Ranking service p99 budget (ms)", 10, 1000, 100, step=10)
    batch = page.select_slider("batch", "Batch size B", BATCHES, default=1)
    overhead = page.slider("overhead", "Fixed-overhead share of a call f", 0.0, 0.95, 0.6, step=0.05,
                           help="A batch of B costs s·(f + (1 − f)·B): the larger f, the more batching saves.")

production = sv.Mitigations(cache_hit=cache, cache_ms=1.0, hedge_ms=float(hedge_ms) if hedge else None,
                            timeout_ms=float(timeout_ms) if timeout else None)
design = "production" if (cache > 0 or hedge or timeout) else "no mitigation"


@cached()
def run_requests(stages, n, m, seed):
    return sv.simulate(stages, n, sv.Mitigations(), N_REQUESTS, seed), sv.simulate(stages, n, m, N_REQUESTS, seed)


@cached()
def fanout_curve(stages, m, seed):
    return sv.tail_vs_fanout(stages, FANOUTS, m, 3_000, seed)


@cached()
def batching_table(qps, s1, replicas, overhead, budget, seed):
    return qu.batching_table(qps, s1, replicas, overhead, budget, BATCHES, seed=seed)


stages = sv.with_overrides(stage_values)


def request_paths() -> tuple:
    """Naive and production requests on the same draws, and both fan-out curves."""
    return (run_requests(stages, n, production, seed),
            (fanout_curve(stages, sv.Mitigations(), seed), fanout_curve(stages, production, seed)))


sims, curves = page.guard(request_paths) or (None, None)
if sims is not None:
    naive, prod = sims

st.subheader("The request path: naive vs production on the same requests")
if sims is not None:
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

    hi = float(np.quantile(naive.total, 0.999)) * 1.05
    edges = np.linspace(0, max(hi, budget * 1.1), 121)
    fig = go.Figure()
    for sim, label, color, side in ((naive, "naive", "#d62728", "top right"), (prod, design, "#2ca02c", "top left")):
        counts, _ = np.histogram(sim.total, edges)
        fig.add_scatter(x=(edges[:-1] + edges[1:]) / 2, y=counts / counts.sum(), mode="lines",
                        line=dict(shape="hvh", color=color), fill="tozeroy", name=label, opacity=0.6)
        fig.add_vline(x=sim.p99, line_dash="dot", line_color=color,
                      annotation_text=f"{label} p99 {sim.p99:.0f}", annotation_position=side)
    fig.add_vline(x=budget, line_color="black", line_width=2, annotation_text=f"budget {budget} ms",
                  annotation_position="bottom right")
    fig.update_layout(height=360, title=f"End-to-end latency of {N_REQUESTS:,} simulated requests (N = {n})",
                      xaxis_title="latency (ms)", yaxis_title="share of requests", legend=BELOW)
    page.chart(fig, hero=True)

    left, right = st.columns(2)
    naive_curve, prod_curve = curves
    fig = go.Figure()
    fig.add_scatter(x=naive_curve["n"], y=naive_curve["p99"], name="request p99 (naive)",
                    line=dict(color="#d62728"))
    fig.add_scatter(x=naive_curve["n"], y=naive_curve["p50"], name="request p50 (naive)",
                    line=dict(color="#d62728", dash="dot"))
    fig.add_scatter(x=prod_curve["n"], y=prod_curve["p99"], name="request p99 (production)",
                    line=dict(color="#2ca02c"))
    fig.add_scatter(x=naive_curve["n"], y=naive_curve["stage_p99"], name="lookup stage p99, analytic",
                    line=dict(color="grey", dash="dash"))
    fig.add_hline(y=budget, line_color="black", annotation_text="budget")
    fig.add_vline(x=n, line_dash="dot", line_color="grey")
    fig.update_xaxes(tickvals=list(FANOUTS))
    fig.update_layout(height=380, title="Tail at scale: latency vs fan-out", xaxis_type="log",
                      xaxis_title="shards N (log)", yaxis_title="ms", legend=BELOW)
    page.chart(fig, container=left)

    keys = [s.key for s in stages]
    fig = go.Figure()
    for sim, label, color, side in ((naive, "naive", "#d62728", "top right"), (prod, design, "#2ca02c", "top left")):
        fig.add_bar(x=[SHORT[k] for k in keys],
                    y=[sim.stage_quantile(k) for k in keys], name=f"p99 {label}",
                    marker_color=color)
    fig.update_layout(height=380, title="p99 per stage (the fanned-out lookup dominates)",
                      yaxis_title="ms", barmode="group", legend=BELOW)
    page.chart(fig, container=right)

# ---- queueing ----
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
util = np.linspace(0.02, 0.99, 80)
curve = [(qu.mean_response(u * replicas * mu, mu, replicas), qu.response_quantile(0.99, u * replicas * mu, mu, replicas))
         for u in util]
fig = go.Figure()
fig.add_scatter(x=util, y=[p * 1e3 for _, p in curve], name="p99", line=dict(color="#d62728"))
fig.add_scatter(x=util, y=[m * 1e3 for m, _ in curve], name="mean", line=dict(color="#1f77b4"))
if point is not None and batch == 1:
    fig.add_scatter(x=[point.utilisation], y=[point.p99 * 1e3], mode="markers", name="now",
                    marker=dict(size=12, color="black"))
fig.add_hline(y=q_budget, line_color="black", annotation_text="budget")
fig.update_layout(height=360, title=f"Latency vs utilisation ({replicas} replicas, no batching)",
                  xaxis_title="utilisation ρ", xaxis_tickformat=".0%", yaxis_title="ms",
                  yaxis_range=[0, max(q_budget * 3, 5 * svc_ms)], legend=BELOW)
page.chart(fig, container=left)

c_min = int(np.floor(qps / mu)) + 1
cs = np.arange(c_min, min(max(needed or 0, replicas, c_min) + 12, c_min + 80))
p99s = [qu.response_quantile(0.99, qps, mu, int(k)) * 1e3 for k in cs]
fig = go.Figure()
fig.add_scatter(x=cs, y=p99s, mode="lines+markers", name="p99 (B = 1)", line=dict(color="#d62728"))
fig.add_hline(y=q_budget, line_color="black", annotation_text="budget")
fig.add_vline(x=replicas, line_dash="dot", line_color="grey", annotation_text="now")
fig.update_layout(height=360, title=f"p99 vs replicas at {qps} requests/s", xaxis_title="replicas",
                  yaxis_title="ms", yaxis_range=[0, max(q_budget * 2, p99s[-1] * 3)], legend=BELOW)
page.chart(fig, container=right)

st.markdown("**Batching: throughput per replica vs latency** (same traffic and budget)")
batching = page.guard(batching_table, qps, svc_ms / 1e3, replicas, overhead, q_budget / 1e3, seed)
if batching is not None:
    st.dataframe(batching.style.format(
        {"batch time (ms)": "{:.1f}", "throughput / replica (req/s)": "{:.0f}",
         f"utilisation at {replicas}": "{:.0%}", f"p99 at {replicas} (ms)": "{:.0f}"}),
        hide_index=True, width="stretch")

fs_med, fs_p99 = stage_values["fs"]
formulas = [
    r"X \sim \mathrm{LogNormal}(\mu, \sigma),\quad \mu = \ln(\text{median}),\quad "
    r"\sigma = \frac{\ln(p_{99}/\text{median})}{z_{0.99}}",
    rf"P(\text{{stage}} \le x) = F(x)^N, \qquad p_{{99}}^{{\text{{stage}}}} = F^{{-1}}\!\left(0.99^{{1/N}}\right)",
    rf"P(\text{{some shard beyond its own p99}}) = 1 - 0.99^{{N}} = 1 - 0.99^{{{n}}} = {1 - 0.99 ** n:.2f}",
    r"\text{hedge after } d:\quad T = \min(X_1,\ d + X_2)",
    r"P(T > x) = \bar F(x)\,\bar F(x - d)\ \ (x > d), \qquad \text{extra load} = \bar F(d)",
    r"C(c, a) = \frac{\frac{a^c}{c!}\frac{1}{1-\rho}}{\sum_{k=0}^{c-1}\frac{a^k}{k!} + \frac{a^c}{c!}\frac{1}{1-\rho}},"
    r"\quad a = \lambda/\mu,\ \rho = a/c",
    r"P(T > t) = (1-C)e^{-\mu t} + C\,\frac{\theta e^{-\mu t} - \mu e^{-\theta t}}{\theta - \mu},\quad \theta = c\mu - \lambda",
]
stage_p99 = page.guard(sv.fanout_quantile, 0.99, fs_med, fs_p99, n) if sims is not None else None
if stage_p99 is not None:
    formulas.insert(2, rf"N = {n}:\ p_{{99}}^{{\text{{stage}}}} = {stage_p99:.0f}"
                       rf"\ \text{{ms vs one shard's }} {fs_p99:.0f}\ \text{{ms}}")
if sims is not None and hedge:
    formulas.append(rf"d = {hedge_ms}\ \text{{ms}}:\ \bar F(d)\,(1-h) = {prod.extra_load:.3f}"
                    r"\ \text{backups per lookup}")
if point is not None:
    formulas.append(rf"\lambda = {qps},\ c = {replicas},\ B = {batch}:\ \rho = {point.utilisation:.2f},\ "
                    rf"C = {qu.erlang_c(qps / batch, 1 / point.service, replicas):.3f},\ "
                    rf"p_{{99}} = {point.p99 * 1e3:.0f}\ \text{{ms}}")
page.math(formulas, notes="Stage latencies are lognormal; the lookup stage waits for the slowest of "
          "$N$ shards. The queue is M/M/c: Poisson arrivals at rate $\\lambda$, exponential service "
          "at rate $\\mu$ per replica, $c$ replicas sharing one queue; $C$ is the probability of waiting. "
          "A lookup answered by the cache (share $h$) never sends a backup.")
page.board({"request_path": ["p99 (naive)", "p99 (production)"], "cache": ["Lookups served from cache"], **{c: f"p99 {v[1]:.0f}"
            f" of {budget} ms" for c, v in zip(("ann_index", "feature_store", "ranker", "rerank_rules"), stage_values.values())}})
page.finish()
