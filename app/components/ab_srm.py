"""Lesson 6's "SRM check" tab: the chi-square test of users per arm, typed or from the simulated
test (layout only; the numbers come from :mod:`playground.experiments.srm`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.experiments import novelty as nv
from playground.experiments import srm as sr


def show(page: LessonPage, tab, nov: nv.NoveltyResult | None, allocation: float) -> list[str]:
    """Render the tab; return its formula (with the current numbers) for "The math"."""
    c1, c2 = st.columns(2)
    counts_text = page.text("srm_counts", "Users per arm, comma-separated (empty: the simulated test)",
                            "", container=c1)
    share = page.slider("srm_share", "Intended share of the first arm", 0.05, 0.95, 0.5, step=0.05,
                        container=c2)
    fallback = None if nov is None else (nov.arm_totals(), 1 - allocation)
    srm = page.guard(sr.check_split, counts_text, share, fallback)
    if srm is None:
        return []
    if srm.observed.size != 2:
        st.caption(f"{srm.observed.size} arms: checking against an equal split.")
    source = "your counts" if counts_text.strip() else "the simulated novelty test (control, treatment)"
    m1, m2 = st.columns(2)
    page.metric("SRM chi-square", f"{srm.chi2:.2f}", container=m1)
    page.metric("SRM p-value", f"{srm.p_value:.2g}", container=m2, headline=tab.open)
    if srm.mismatch:
        page.verdict(False, headline=tab.open, text=f"Sample-ratio mismatch in {source} (p = {srm.p_value:.2g} < "
                     f"{srm.threshold:g}): assignment or logging is broken, so no metric from this test can be "
                     "trusted. Find the cause (bot filtering, a redirect, a crash in one arm) before reading it.")
    else:
        page.verdict(True, headline=tab.open,
                     text=f"No sample-ratio mismatch in {source} (p = {srm.p_value:.2g} ≥ {srm.threshold:g}).")
    fig = go.Figure()
    arms = [f"arm {i + 1}" for i in range(srm.observed.size)]
    fig.add_bar(x=arms, y=srm.observed, name="observed")
    fig.add_bar(x=arms, y=srm.expected, name="expected from the design")
    fig.update_layout(barmode="group", height=300, title="Users per arm", yaxis_title="users")
    page.chart(fig, hero=tab.open)
    return [rf"\chi^2 = \sum_i \frac{{(O_i - E_i)^2}}{{E_i}} = {srm.chi2:.2f},\ p = {srm.p_value:.2g}"]
