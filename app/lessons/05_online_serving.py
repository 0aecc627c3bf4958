"""Lesson 5: tail latency of a fanned-out request path, its mitigations, and the queueing view.
The two sections' layout lives in ``components.latency_request_path`` and ``components.latency_queue``."""

import streamlit as st

from components import latency_queue, latency_request_path
from components.latency_queue import BATCHES
from components.latency_request_path import request_paths
from components.page import LessonPage
from playground.recsys import queueing as qu
from playground.recsys import serving as sv
from scenarios.l05 import PRESETS

page = LessonPage("l05", presets=PRESETS)
seed = page.seed()
budget = page.slider("budget", "Latency budget at p99 (ms)", 50, 500, 200, step=10)
n = page.slider("n", "Fan-out: feature-store shards N", 1, 100, 20)
st.sidebar.markdown("**Production mitigations (on each shard lookup)**")
cache = page.slider("cache", "Cache hit rate", 0.0, 0.95, 0.5, step=0.05)
hedge = page.toggle("hedge", "Hedged requests", True)
hedge_ms = page.slider("hedge_ms", "Send a backup after (ms)", 1, 200, 25, disabled=not hedge)
timeout = page.toggle("timeout", "Timeout with fallback", True)
timeout_ms = page.slider("timeout_ms", "Timeout (ms)", 5, 300, 60, disabled=not timeout)
with page.advanced_controls():
    page.advanced().markdown("**Stage latencies (median, p99 in ms)**")
    stage_values = {}
    for stage in sv.STAGES:
        med = page.slider(f"med_{stage.key}", f"{stage.name}: median", 1, 200, int(stage.median_ms))
        p99 = page.slider(f"p99_{stage.key}", f"{stage.name}: p99", 1, 500, int(stage.p99_ms))
        stage_values[stage.key] = (float(med), float(p99))
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
stages = sv.with_overrides(stage_values)
paths = page.guard(request_paths, stages, n, production, seed)
tabs = page.tabs("view", ["Request path", "Ranking service as a queue"], on_stage=False)
with tabs[0]:
    latency_request_path.show(page, paths, stages, design, budget, n)
with tabs[1]:
    point = latency_queue.show(page, qps, svc_ms, replicas, q_budget, batch, overhead, seed)

fs_med, fs_p99 = stage_values["fs"]
formulas = [
    r"X \sim \mathrm{LogNormal}(\mu, \sigma),\quad \mu = \ln(\text{median}),\quad "
    r"\sigma = \frac{\ln(p_{99}/\text{median})}{z_{0.99}}",
    rf"P(\text{{stage}} \le x) = F(x)^N, \qquad p_{{99}}^{{\text{{stage}}}} = F^{{-1}}\!\left(0.99^{{1/N}}\right)",
    rf"P(\text{{some shard beyond its own p99}}) = 1 - 0.99^{{N}} = 1 - 0.99^{{{n}}} = {sv.some_shard_beyond_p99(n):.2f}",
    r"\text{hedge after } d:\quad T = \min(X_1,\ d + X_2)",
    r"P(T > x) = \bar F(x)\,\bar F(x - d)\ \ (x > d), \qquad \text{extra load} = \bar F(d)",
    r"C(c, a) = \frac{\frac{a^c}{c!}\frac{1}{1-\rho}}{\sum_{k=0}^{c-1}\frac{a^k}{k!} + \frac{a^c}{c!}\frac{1}{1-\rho}},"
    r"\quad a = \lambda/\mu,\ \rho = a/c",
    r"P(T > t) = (1-C)e^{-\mu t} + C\,\frac{\theta e^{-\mu t} - \mu e^{-\theta t}}{\theta - \mu},\quad \theta = c\mu - \lambda",
]
stage_p99 = page.guard(sv.fanout_quantile, 0.99, fs_med, fs_p99, n) if paths is not None else None
if stage_p99 is not None:
    formulas.insert(2, rf"N = {n}:\ p_{{99}}^{{\text{{stage}}}} = {stage_p99:.0f}"
                       rf"\ \text{{ms vs one shard's }} {fs_p99:.0f}\ \text{{ms}}")
if paths is not None and hedge:
    formulas.append(rf"d = {hedge_ms}\ \text{{ms}}:\ \bar F(d)\,(1-h) = {paths.production.extra_load:.3f}"
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
