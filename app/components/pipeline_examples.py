"""Lesson 2's two worked examples (a leaking join on one user × topic, clicks by position) and
the table of naive vs production steps (layout only; the numbers come from
:mod:`playground.recsys.pipeline`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.recsys import pipeline as pl


def show(page: LessonPage, log: pl.EventLog, eta: float, neg_per_pos: int) -> None:
    """Render the join and position examples side by side, then the steps table."""
    left, right = st.columns(2)
    example = log.cached("join_example", lambda: pl.join_example(log))
    jfig = go.Figure()
    jfig.add_scatter(x=example.ts, y=example.as_of, mode="lines+markers", line_shape="hv",
                     name="as-of join (merge_asof)")
    jfig.add_scatter(x=example.ts, y=example.latest, mode="lines", name="latest snapshot (naive)",
                     line=dict(dash="dash", color="#d62728"))
    clicked = example[example.click == 1]
    jfig.add_scatter(x=clicked.ts, y=clicked.latest, mode="markers", name="rows that were clicks",
                     marker=dict(symbol="star", size=13, color="#d62728"))
    jfig.update_layout(height=380, title=f"One user × topic, {len(example)} rows: their feature",
                       yaxis_title="user_topic_ctr")
    page.chart(jfig, container=left)
    left.caption(f"The naive join gives every row {example.latest.iloc[0]:.3f}, a value computed from "
                 f"these same rows' {int(example.click.sum())} clicks: the label is inside the feature.")
    by_pos = log.cached("position_ctr", lambda: pl.position_ctr(log))
    pfig = go.Figure()
    pfig.add_bar(x=by_pos.position, y=by_pos.ctr, name="logged CTR")
    pfig.add_scatter(x=by_pos.position, y=by_pos.relevance, mode="lines+markers",
                     name="CTR if every slot were seen (true relevance)")
    pfig.update_layout(height=380, title=f"Clicks by position (η = {eta:g})", xaxis_title="position",
                       yaxis_title="click rate", yaxis_tickformat=".0%")
    page.chart(pfig, container=right)
    ctr_ratio, relevance_ratio = pl.position_ratios(by_pos)
    right.caption(f"Position 1 is clicked {ctr_ratio:.1f}× as often as "
                  f"position {int(by_pos.position.iloc[-1])}, though its items are only "
                  f"{relevance_ratio:.2f}× as relevant: the old "
                  "ranker put popular items on top, so raw clicks teach popularity.")
    with st.expander("The pipeline steps, naive vs production"):
        st.markdown(
            "| Step | Naive | Production |\n|---|---|---|\n"
            "| Label leakage | `dwell` seconds (logged after the click) is a feature | only values known "
            "at request time |\n"
            "| Join | every row gets the latest snapshot (built after the rows) | `pd.merge_asof(rows, "
            "snapshots, by=key, direction='backward')` |\n"
            "| Train/serve skew | serving re-implements `user_topic_ctr` (unsmoothed, in %) | one "
            "shared feature definition |\n"
            "| Position bias | raw clicks, position ignored | position is a training feature, set to "
            "the top slot when serving |\n"
            f"| Negatives | {neg_per_pos} random catalogue items per click | impressed but not clicked |")
