"""Lesson 1's trade-off frontier: every weighting on the simplex grid simulated (cached), the proxy
against the business metric with the frontier, and where naive, production and the learner's
objective land (layout only; the numbers come from :mod:`playground.recsys.objective_report`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.objectives_proxy import PROXIES, world
from components.page import LessonPage
from playground.recsys import objective_report as rep
from playground.recsys import objectives as ob


@cached()
def front(behaviour, weeks, k, seed, n):
    """Every weight on the simplex grid."""
    return ob.frontier(world(n, seed), behaviour, weeks=weeks, k=k, seed=seed)


def show(page: LessonPage, params: tuple, business: ob.Business, proxy: str, naive: ob.Run,
         production: ob.Run, mine: ob.Run | None) -> None:
    """The frontier chart and its caption; ``params`` are :func:`front`'s arguments; the three
    runs are marked on the chart (``mine`` is None when the learner's weights are unusable)."""
    with st.spinner("Simulating every weighting on the grid…"):
        table = front(*params)
    x_col, x_fmt = PROXIES[proxy][1:]
    fr = rep.frontier_of(table, x_col, business)
    y_col, best = fr.business_column, fr.best
    label = [f"click {r.w_click:.2f} · watch {r.w_watch:.2f} · survey {r.w_survey:.2f}"
             for r in table.itertuples()]
    fig = go.Figure()
    fig.add_scatter(x=table[x_col], y=table[y_col], mode="markers", text=label, name="weights on the grid",
                    marker=dict(color=table.w_survey, colorscale="Viridis", size=10,
                                colorbar=dict(title="survey<br>weight")),
                    hovertemplate="%{text}<br>" + proxy + " %{x:" + x_fmt + "}<br>" + business
                    + " %{y:.3f}<extra></extra>")
    fig.add_scatter(x=fr.line[x_col], y=fr.line[y_col], mode="lines", name="trade-off frontier",
                    line=dict(color="grey", dash="dot"))
    for name, result, symbol in (("naive", naive, "x"), ("production", production, "diamond"), ("yours", mine, "star")):
        if result is not None:
            fig.add_scatter(x=[getattr(result, x_col)], y=[result.business(business)], mode="markers", name=name,
                            marker=dict(symbol=symbol, size=16, line=dict(width=1, color="black")))
    fig.update_layout(height=500,
                      title=f"Trade-off frontier over {len(table)} weightings: {proxy} vs {business.lower()}",
                      xaxis_title=f"{proxy} over the run (proxy)", yaxis_title=business,
                      xaxis_tickformat=".0%" if proxy == "CTR" else "")
    page.chart(fig)
    page.record("Frontier points", str(fr.count))
    st.caption(f"{fr.count} of {len(table)} weightings are on the frontier. The best "
               f"{business.lower()} ({best[y_col]:.3f}) comes from click {best.w_click:.2f} · watch "
               f"{best.w_watch:.2f} · survey {best.w_survey:.2f}; moving right along the frontier buys {proxy} "
               f"with {business.lower()}.")
