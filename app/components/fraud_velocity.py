"""Lesson 13's third section: velocity features computed in a stream from the past only, against
a batch job that leaks the future (layout only; the numbers come from
:mod:`playground.cases.fraud`)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from components.cache import cached
from components.fraud_builds import stream
from components.page import LessonPage
from playground.cases import fraud

COLOURS = ["streaming", "streaming", "batch (leaky)", "batch (leaky)"]
"""Bar colour groups, in the order of :func:`playground.cases.fraud.leakage_check`'s keys."""


@cached("Training on batch (leaky) velocity features …")
def leakage(rate: float, drift: float, seed: int) -> dict[str, float]:
    return fraud.leakage_check(stream(rate, drift, seed), seed)


def _examples(test: pd.DataFrame) -> None:
    """The expander of velocity counts, transaction by transaction."""
    with st.expander("Velocity features, transaction by transaction"):
        st.markdown("Each count is the card's **earlier** transactions within the window (1 min, 1 h, "
                    "24 h), computed in event-time order: exactly what the feature store knows when the "
                    "payment arrives.")
        st.dataframe(fraud.velocity_sample(test), hide_index=True)
        means = fraud.velocity_means(test)
        st.caption("Mean velocity, legit vs fraud: " + ", ".join(
            f"{w}: {means.loc[0, w]:.2f} vs {means.loc[1, w]:.2f}" for w in fraud.WINDOWS))


def show(page: LessonPage, rate: float, drift: float, seed: int, test: pd.DataFrame | None) -> list[str]:
    """Render the section (``test``: the held-out rows, None when they could not be built); return
    its formulas for "The math"."""
    leak = page.guard(leakage, rate, drift, seed)
    if leak is None:
        return []
    cols = st.columns(3)
    page.metric("PR-AUC, streaming features", f"{leak['streaming features, online']:.3f}", container=cols[0],
                help="Counted in event-time order from the past only: offline = online.")
    page.metric("PR-AUC, batch features offline", f"{leak['batch features, offline']:.3f}", container=cols[1])
    page.metric("PR-AUC, batch features online", f"{leak['batch features, online']:.3f}", container=cols[2],
                delta=f"{fraud.batch_online_change(leak):+.3f} vs offline", headline=True)
    worse = "worse than" if leak["batch features, online"] < leak["streaming features, online"] else "no better than"
    st.caption("The naive pipeline counts a card's transactions per calendar minute / hour / day in a batch "
               "job: the first purchase of a fraud burst already 'sees' the ones that follow, so offline "
               "metrics look better than the streaming model's. Live, the feature store only knows the past: "
               f"the model trained on leaked counts ({leak['batch features, online']:.3f}) is {worse} the honest "
               f"one ({leak['streaming features, online']:.3f}).")
    fig = px.bar(x=list(leak), y=list(leak.values()), height=300, color=COLOURS,
                 title="PR-AUC on the held-out week: offline vs online")
    fig.update_layout(xaxis_title="", yaxis_title="PR-AUC", legend_title="")
    page.chart(fig)
    if test is not None:
        _examples(test)
    return [r"v_w(i) = \#\{\,j < i : \text{card}_j = \text{card}_i,\ t_i - w < t_j \le t_i\,\}"
            r"\quad\text{vs batch:}\ \#\{\,j \ne i : \text{card}_j = \text{card}_i,\ "
            r"\lfloor t_j / w \rfloor = \lfloor t_i / w \rfloor\,\}"]
