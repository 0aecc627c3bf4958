"""Lesson 3's "Sizing the store" tab: the embedding store's memory, shards and machines for a
catalogue of N items, the exact scan at this machine's measured speed, and one replica's size per
storage type (layout only; the numbers come from :mod:`playground.recsys.sizing`)."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from components.ann_index import tex
from components.page import LessonPage
from playground.recsys import ann
from playground.recsys import sizing as sz


@dataclass(frozen=True)
class Sizing:
    """The tab's controls and the store they size (None after bad input)."""

    n: int
    replicas: int
    ram_gb: int
    usable: float
    store: sz.StoreSize | None


def show(page: LessonPage, tab, exact: ann.Measurement | None, n: int, d: int, M: int) -> Sizing:
    """Render the tab and return its controls and store; ``exact`` is the exact search measured over
    the ``n`` × ``d`` collection (None: no scan-time estimate), ``M`` the HNSW graph's links per node."""
    with tab:
        c1, c2, c3 = st.columns(3)
        sz_n = page.select_slider("sz_n", "Items N", [10 ** e for e in range(6, 11)], 10 ** 9, container=c1,
                                  format_func=lambda v: f"{v:,}")
        sz_d = page.select_slider("sz_d", "Dimension d", [32, 64, 128, 256, 512, 768, 1024], 128, container=c1)
        dtype = page.select("dtype", "Stored as", list(sz.DTYPES), "fp32", container=c2)
        sz_m = page.select_slider("sz_m", "PQ bytes per vector (m, 8-bit codes)", [4, 8, 16, 32, 64], 16, container=c2)
        overhead = page.select("overhead", "Index structure", list(sz.OVERHEADS), "none", container=c2)
        replicas = page.slider("replicas", "Replicas", 1, 10, 2, container=c3)
        ram = page.select_slider("ram", "RAM per machine (GB)", [16, 32, 64, 128, 256, 512, 1024], 256, container=c3)
        usable = page.slider("usable", "Usable share of RAM", 0.3, 1.0, 0.7, step=0.05, container=c3)
        store = page.guard(sz.size_store, sz_n, sz_d, dtype, replicas, ram, usable, overhead, pq_m=sz_m, nbits=8, M=M)
        sizing = Sizing(sz_n, replicas, ram, usable, store)
        if store is None:
            return sizing
        a, b, c = st.columns(3)
        page.metric("Bytes per item", f"{store.bytes_per_item:,.0f} B", container=a)
        page.metric("One replica", sz.human_bytes(store.replica_bytes), container=a, headline=True)
        page.metric("All replicas", sz.human_bytes(store.total_bytes), container=b)
        page.metric("Shards per replica", f"{store.shards:,}", container=b)
        page.metric("Machines", f"{store.machines:,}", container=c, headline=True)
        if exact is not None:
            scan = sz.exact_scan(n, d, exact.qps, sz_n, sz_d, store.shards)
            page.metric("Exact scan per query at N", f"{scan.seconds:,.2f} s", container=c,
                        help=f"Brute force costs 2·N·d flops per query; this machine's exact search ran at "
                             f"{scan.gflops:.1f} GFLOP/s in the batch above.")
            if scan.too_slow:
                page.verdict(False, f"Naive retrieval at {sz_n:,} items: an exact scan takes {scan.seconds:,.1f} s per query on one "
                             f"machine (a {scan.shard_ms:,.0f} ms slice on each of {store.shards} shards) "
                             "against a budget of a few tens of ms for candidate generation: an ANN index is not optional.")
        rows = sz.size_by_dtype(sz_n, sz_d, replicas, ram, usable, overhead, pq_m=sz_m, M=M)
        bars = sz.replica_bars(rows, ram, usable)
        figs = go.Figure(go.Bar(x=bars.dtypes, y=bars.replica_gb,
                                text=[f"{sz.human_bytes(size.replica_bytes)} · {size.shards} shard(s)" for _, size in rows],
                                textposition="outside",
                                marker_color=["#d62728" if t == dtype else "#9ecae1" for t in bars.dtypes]))
        figs.add_hline(y=bars.usable_gb, line_dash="dash")
        figs.update_layout(title=f"One replica of {sz_n:,} × {sz_d} by storage type<br><sup>dashed: usable RAM "
                                 f"of one machine ({bars.usable_gb:g} GB)</sup>", yaxis_title="GB (log)",
                           yaxis_type="log", height=380, yaxis_range=list(bars.log_range), yaxis_dtick=1)
        page.chart(figs, hero=tab.open)
        return sizing


def formulas(sizing: Sizing) -> list[str]:
    """The store's memory and shard count with the tab's numbers (none after bad input)."""
    store = sizing.store
    if store is None:
        return []
    total_tex, replica_tex = (r"\text{" + sz.human_bytes(b) + "}" for b in (store.total_bytes, store.replica_bytes))
    return [rf"\text{{memory}} = N \cdot b \cdot r = 10^{{{sz.power_of_ten(sizing.n)}}} \cdot {tex(store.bytes_per_item)}\,\text{{B}} \cdot {sizing.replicas}"
            rf" = {total_tex},\quad \text{{shards}} = \left\lceil"
            rf"\frac{{{replica_tex}}}{{{sizing.usable:g}\cdot {sizing.ram_gb}\,\text{{GB}}}}\right\rceil = {store.shards}"]
