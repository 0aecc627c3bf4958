"""Lesson 6's "Offline metrics" tab: NDCG on logged clicks vs on true preferences (layout only;
the numbers come from :mod:`playground.experiments.offline_metrics`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.experiments import offline_metrics as om


@cached()
def offline_table(k: int, shown: int, pop: float, seed: int):
    return om.logged_feedback_example(shown=shown, popularity_weight=pop, seed=seed).table(k)


def show(page: LessonPage, tab, seed: int) -> list[str]:
    """Render the tab; return its formulas for "The math"."""
    c1, c2, c3 = st.columns(3)
    k_cut = page.slider("k", "Cut-off k", 1, 50, 10, container=c1)
    shown = page.slider("shown", "Slots the old system showed per user", 1, 50, 10, container=c2)
    pop = page.slider("pop", "How much the old ranking leaned on popularity", 0.0, 5.0, 2.0, step=0.5,
                      container=c3)
    table = page.guard(offline_table, k_cut, shown, pop, seed)
    if table is not None:
        ndcg, off_best, on_best = om.ndcg_winners(table)
        m1, m2 = st.columns(2)
        page.metric("Offline winner (NDCG@k on logs)", off_best, container=m1)
        page.metric("Winner on true preferences", on_best, container=m2, headline=tab.open)
        fig = go.Figure()
        for col in (om.OFFLINE, om.ONLINE):
            fig.add_bar(x=ndcg.index, y=ndcg[col], name=col)
        fig.update_layout(barmode="group", height=340, title=f"NDCG@{k_cut}: logged clicks vs true preferences")
        page.chart(fig, hero=tab.open)
        st.dataframe(table.round(3), hide_index=True)
        if off_best != on_best:
            st.warning(f"Offline and online disagree: '{off_best}' wins on logged clicks, "
                       f"'{on_best}' on what users actually like.")
        st.markdown(
            "Why offline gains may not transfer: logged labels exist only for items the old system "
            "showed (exposure/selection bias), so a model that imitates the old ranking looks best "
            "offline; position bias, feedback loops, novelty and latency are invisible offline. "
            "Offline metrics choose candidates; the A/B test decides.")
    return [r"\mathrm{NDCG@}k = \frac{\sum_{i\le k} rel_i/\log_2(i+1)}{\mathrm{IDCG@}k},\quad "
            r"\mathrm{AP} = \frac{1}{R}\sum_{i:\,rel_i>0} P@i"]
