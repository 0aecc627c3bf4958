"""Lesson 3's "ANN index" tab: the selected FAISS index against an exact brute-force scan, the
recall-vs-QPS Pareto plot of the sweep, index memory and build time, and the table of every
setting (layout and the cached collection, builds and measurements; the numbers come from
:mod:`playground.recsys.ann` and :mod:`playground.recsys.ann_sweep`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import ann_two_tower
from components.background import background
from components.cache import cached
from components.page import LessonPage
from playground.recsys import ann
from playground.recsys import ann_sweep as sw
from playground.recsys import sizing as sz
from playground.recsys import two_tower as tt

FAISS_THREADS = 1  # one thread per session: predictable timings on a shared CPU (bench/ann.py uses all)
COLORS = dict(zip(ann.KINDS, ("#444444", "#1f77b4", "#2ca02c", "#d62728")))


@cached("Making the collection")
def collection(coll_key: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Base vectors and queries: synthetic clusters ("syn", seed, n, d) or the two-tower model's
    item and user vectors ("tt", seed, zipf, cfg, logq)."""
    if coll_key[0] == "syn":
        _, seed, n, d = coll_key
        return sw.synthetic_collection(n, d, seed)
    _, seed, zipf, cfg, logq = coll_key
    return tt.index_collection(ann_two_tower.towers(seed, zipf, cfg)[logq], seed)


@cached(lambda n, _spec, **_: f"Building {ann.KIND_LABELS[_spec.kind]} over {n:,} vectors")
def built_index(coll_key: tuple, n: int, build_key: tuple, _spec: ann.IndexSpec, progress=None) -> ann.Built:
    """The index of ``_spec`` over the collection, keyed by the parameters that change the build."""
    return ann.build(_spec, collection(coll_key)[0], seed=coll_key[1], progress=progress, max_train=50_000)


@cached("Exact top-k by numpy brute force (the reference)")
def exact_neighbours(coll_key: tuple, k: int) -> np.ndarray:
    xb, xq = collection(coll_key)
    return ann.exact_topk(xb, xq, k)


@cached()
def measured(coll_key: tuple, k: int, spec: ann.IndexSpec) -> ann.Measurement:
    """Recall against exact search, QPS, latency and memory of one index setting."""
    xb, xq = collection(coll_key)
    return ann.measure(built_index(coll_key, len(xb), spec.build_key(), spec), spec, xq,
                       exact_neighbours(coll_key, k), k, n_single=25)


@cached()
def sweep(coll_key: tuple, k: int, spec: ann.IndexSpec, kinds: tuple, progress=None) -> sw.Sweep:
    """Every sweep setting measured against exact top-k (each index built and measured once, cached)."""
    n, d = collection(coll_key)[0].shape
    return sw.measure_sweep(spec, kinds, n, d, k, lambda s: measured(coll_key, k, s), FAISS_THREADS, progress)


@dataclass(frozen=True)
class Shown:
    """What the tab measured: the collection's shape, the (clamped) spec, the sweep's exact index and
    the selected index (None when it could not be measured)."""

    n: int
    d: int
    spec: ann.IndexSpec
    exact: ann.Measurement | None
    chosen: ann.Measurement | None


def show(page: LessonPage, tab, coll_key: tuple, k: int, asked: ann.IndexSpec, logq: bool) -> Shown:
    """Make the collection (before the tab, so its progress shows whichever tab is open), render
    the tab and return what it measured. The two-tower vectors wait for the models, which train
    in the background: until then the tab shows the training's progress and measures nothing."""
    spec, clamped = ann.clamp_nprobe(asked)  # nprobe ≤ nlist
    if coll_key[0] == "tt":
        _, seed, zipf, cfg, _ = coll_key
        with tab:
            if ann_two_tower.trained(seed, zipf, cfg) is None:
                st.markdown(f"The index is built over the item vectors of the two-tower model "
                            f"{'with' if logq else 'without'} logQ, once both models are trained (progress "
                            "above; the first tab shows the untrained towers meanwhile).")
                return Shown(ann_two_tower.interactions(seed, zipf).n_items, cfg["dim"], spec, None, None)
    xb, xq = collection(coll_key)
    n, d = xb.shape
    kinds = sw.sweep_kinds(spec.kind, n)
    synthetic = coll_key[0] == "syn"
    with ann.faiss_threads(FAISS_THREADS), tab:
        st.markdown(
            f"**{n:,} vectors × {d} dims** ({'synthetic overlapping clusters' if synthetic else 'item vectors of the two-tower model ' + ('with' if logq else 'without') + ' logQ'}), "
            f"{len(xq)} queries ({'fresh draws from the mixture' if synthetic else 'user vectors'}). "
            "Recall@k is measured against an exact numpy brute-force search; QPS from one batch of "
            "all queries, latency from queries sent one at a time; FAISS runs on one thread here.")
        if clamped:
            st.caption(clamped)
        result = page.guard(background, sweep, coll_key, k, spec, tuple(kinds),
                            label=f"Building and measuring every index setting over {n:,} vectors")
        if result is None:
            return Shown(n, d, spec, None, None)
        if result.skipped:
            st.warning("Left out of the sweep (settings that cannot work on this collection): "
                       + "; ".join(sorted(set(result.skipped))))
        if n > sw.SWEEP_ALL_MAX:
            st.info(f"At N = {n:,} only exact search and the selected index ({ann.KIND_LABELS[spec.kind]}) are built, to keep "
                    "the page responsive; the full 1M-vector Pareto is in docs/bench/ann.md.")

        def measure_chosen():
            """The selected index measured against exact search."""
            ann.validate(spec, n, d, k)
            return measured(coll_key, k, spec)

        chosen = page.guard(measure_chosen)
        if chosen is not None:
            _versus_exact(page, chosen, result.exact, k)
        _sweep_charts(page, result, chosen, kinds, n, d, k)
    return Shown(n, d, spec, result.exact, chosen)


def _versus_exact(page: LessonPage, chosen: ann.Measurement, exact: ann.Measurement, k: int) -> None:
    """The selected index's metrics beside the exact scan's."""
    vs = sw.against_exact(chosen, exact)
    left, right = st.columns(2)
    left.markdown("**Naive: exact brute-force scan**")
    right.markdown(f"**Production: {chosen.label}**")
    page.metric("Exact QPS (batch)", f"{exact.qps:,.0f}", container=left)
    page.metric("Exact p50 latency (1 query)", f"{exact.latency_ms_p50:.2f} ms", container=left)
    page.metric("Exact index memory", sz.human_bytes(exact.memory_bytes), container=left)
    page.metric("Recall@k vs exact", f"{chosen.recall:.3f}", container=right, headline=True)
    page.metric("QPS (batch)", f"{chosen.qps:,.0f}", delta=f"{vs.speedup:.1f}× exact", container=right, headline=True)
    page.metric("p50 latency (1 query)", f"{chosen.latency_ms_p50:.3f} ms",
                delta=f"p99 {chosen.latency_ms_p99:.3f} ms", delta_color="off", container=right)
    page.metric("Index memory", sz.human_bytes(chosen.memory_bytes), delta=f"{vs.memory_ratio:.2f}× exact",
                delta_color="inverse", container=right)
    page.metric("Build time", f"{chosen.build_s:.2f} s", container=right)
    if vs.low_recall:
        st.warning(f"Recall@{k} is {chosen.recall:.2f}: {vs.missed:.0%} of the true "
                   "neighbours never reach the ranker. Raise nprobe / efSearch (or use a finer PQ) "
                   "and watch QPS fall on the Pareto plot.")


def _sweep_charts(page: LessonPage, result: sw.Sweep, chosen: ann.Measurement | None, kinds: list,
                  n: int, d: int, k: int) -> None:
    """The Pareto plot, the fastest ANN at recall 0.95, memory and build time, and the table."""
    measurements = result.measurements
    mask, front = sw.pareto(measurements)
    fig = go.Figure()
    for kd in kinds:
        if not (pts := [m for m in measurements if m.spec.kind == kd]):
            continue
        fig.add_scatter(
            x=[m.recall for m in pts], y=[m.qps for m in pts], mode="lines+markers", name=ann.KIND_LABELS[kd],
            line_color=COLORS[kd], marker_size=9,
            text=[f"{m.label}<br>p50 {m.latency_ms_p50:.3f} ms<br>memory {sz.human_bytes(m.memory_bytes)}"
                  f"<br>build {m.build_s:.2f} s" for m in pts],
            hovertemplate="%{text}<br>recall %{x:.3f}<br>%{y:,.0f} QPS<extra></extra>")
    fig.add_scatter(x=[m.recall for m in front], y=[m.qps for m in front], mode="lines", name="Pareto front",
                    line=dict(color="orange", dash="dot", width=3), hoverinfo="skip")
    if chosen is not None:
        fig.add_scatter(x=[chosen.recall], y=[chosen.qps], mode="markers", name="selected",
                        marker=dict(symbol="star", size=20, color="gold", line=dict(color="black", width=1)))
    fig.update_layout(title=f"Recall@{k} vs queries per second ({n:,} × {d}; up and right is better)",
                      xaxis_title=f"recall@{k} vs exact", yaxis_title="QPS (batch, log scale)",
                      yaxis_type="log", height=480)
    page.chart(fig)
    fastest = sw.fastest_ann(result)
    if fastest is not None:
        best, speedup = fastest
        page.metric("Fastest ANN at recall ≥ 0.95", f"{speedup:.1f}× exact QPS", delta=best.label, delta_color="off")
    else:
        st.info("No swept ANN setting reaches recall 0.95 here; raise efSearch/nprobe range or M.")
    builds = sw.built_indexes(measurements)
    figm = go.Figure(go.Bar(x=[b.label for b in builds], y=[b.memory_mb for b in builds],
                            marker_color=[COLORS[b.kind] for b in builds],
                            text=[f"{b.memory_mb:.1f} MB · built in {b.build_s:.1f} s" for b in builds],
                            textposition="outside"))
    figm.update_layout(title="Index memory and build time", yaxis_title="MB", height=340)
    page.chart(figm)
    with st.expander("Every measured setting"):
        st.dataframe(pd.DataFrame(sw.table_rows(measurements)), hide_index=True)


def tex(x: float, fmt: str = ",.0f") -> str:
    """A number for LaTeX: thousands separators braced so no space follows the comma."""
    return format(x, fmt).replace(",", "{,}")


def formulas(shown: Shown, k: int) -> list[str]:
    """Recall@k and speed-up of the selected index, the IVF and HNSW search costs (when it was
    measured) and the PQ code size."""
    spec, n, d = shown.spec, shown.n, shown.d
    cost = sw.search_cost(spec, n, d)
    out = []
    if shown.chosen is not None:
        chosen, exact = shown.chosen, shown.exact
        out.append(rf"\text{{recall@}}{k} = \frac{{1}}{{|Q|}}\sum_q \frac{{|\text{{ANN}}_{{{k}}}(q)\cap \text{{Exact}}_{{{k}}}(q)|}}{{{k}}}"
                   rf" = {chosen.recall:.3f},\quad \text{{speed-up}} = \frac{{{tex(chosen.qps)}}}{{{tex(exact.qps)}}}"
                   rf" = {sw.against_exact(chosen, exact).speedup:.1f}\times")
        out.append(rf"\text{{IVF scans}} \approx \frac{{\text{{nprobe}}}}{{\text{{nlist}}}} N = \frac{{{spec.nprobe}}}{{{spec.nlist}}}\cdot{tex(n)} "
                   rf"\approx {tex(cost.ivf_scanned)}\ \text{{vectors}};\quad"
                   rf"\text{{HNSW}} \sim \text{{efSearch}}\cdot M \cdot \ln N = {spec.ef_search}\cdot{spec.M}\cdot\ln {tex(n)} \approx {tex(cost.hnsw_distances)}\ \text{{distances}}")
    out.append(rf"\text{{PQ code}} = m \cdot \frac{{\text{{nbits}}}}{{8}} = {spec.pq_m}\cdot\frac{{{spec.nbits}}}{{8}} = {cost.pq_code_bytes:g}\ \text{{B}}"
               rf"\ \text{{vs}}\ 4d = {cost.fp32_bytes}\ \text{{B (fp32)}}")
    return out
