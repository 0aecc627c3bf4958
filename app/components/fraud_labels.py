"""Lesson 13's selective-labels and threshold-transfer section (layout only; the numbers come from
:func:`playground.cases.fraud.selective_labels` and :func:`playground.cases.fraud.threshold_transfer`)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.cases import fraud


@cached("Retraining on approved-only labels, with and without exploration …")
def selective(frame: pd.DataFrame, threshold: float, explore: float, seed: int) -> fraud.SelectiveLabels:
    return fraud.selective_labels(frame, threshold, explore, seed)


@cached("Choosing the threshold on a validation week …")
def transfer(frame: pd.DataFrame, friction: float, fee: float, seed: int) -> fraud.ThresholdTransfer:
    return fraud.threshold_transfer(frame, friction, fee, seed)


def labels_section(page: LessonPage, tab, frame: pd.DataFrame, friction: float, fee: float, seed: int) -> list[str]:
    """Render section 5 in ``tab`` and return its formulas (with the current numbers) for "The
    math"; while the tab is closed only its controls (the retraining takes seconds)."""
    st.header("5 · Selective labels: a declined transaction never gets a label")
    st.caption(f"The model trained on days 0–{fraud.TRAIN_DAYS} declines for two weeks; only approved "
               "transactions ever get a chargeback label. Exploration approves a random share of would-be "
               "declines anyway, so their labels arrive; the retrained model weights them by 1/share (inverse "
               "propensity). Every model is scored on the week after the window, where the simulation knows all labels.")
    cols = st.columns(2)
    threshold = page.slider("sel_threshold", "Deployed decline threshold", 0.05, 0.95, 0.5, step=0.05,
                            container=cols[0])
    explore = page.slider("explore", "Exploration: share of would-be declines approved", 0.01, 0.5, 0.1,
                          step=0.01, container=cols[1])
    if page.deferred(tab):
        return []
    r = page.guard(selective, frame, threshold, explore, seed)
    formulas = []
    if r is not None:
        t = r.table
        c = st.columns(3)
        page.metric("Fraud in the window (truth)", f"{r.fraud_true}", container=c[0])
        page.metric("Fraud counted from approved labels", f"{r.fraud_naive}", container=c[1], headline=True)
        page.metric("IPS estimate with exploration", f"{r.fraud_ips:.0f}", container=c[2])
        c = st.columns(2)
        page.metric("Recall next week, retrained on approved only", f"{t.loc['approved only', 'recall next week']:.0%}",
                    container=c[0], headline=True,
                    delta=f"all labels: {t.loc['all labels (oracle)', 'recall next week']:.0%}", delta_color="off")
        page.metric("Recall next week, with exploration (IPS)",
                    f"{t.loc['approved + exploration, IPS-weighted', 'recall next week']:.0%}", container=c[1])
        fig = px.bar(t.reset_index(), x="training set", y="recall next week", height=300,
                     title=f"Recall at threshold {threshold:g} on the week after retraining")
        fig.update_layout(yaxis_tickformat=".0%")
        page.chart(fig)
        st.dataframe(t.style.format(precision=3))
        formulas.append(rf"\hat N_\text{{fraud}} = \sum_\text{{approved}} y_i + \frac{{1}}{{\varepsilon}}"
                        rf"\sum_\text{{explored}} y_i = {r.fraud_ips:.1f}\quad(\varepsilon = {explore:g};\ "
                        rf"\text{{truth }} {r.fraud_true},\ \text{{approved only }} {r.fraud_naive})")
    tt = page.guard(transfer, frame, friction, fee, seed)
    if tt is not None:
        st.subheader("The threshold is chosen on one week and paid for on the next")
        c = st.columns(3)
        page.metric("Threshold chosen on the validation week", f"{tt.threshold:.3f}", container=c[0])
        page.metric("Cost per 1k, validation week", f"${tt.validation:.0f}", container=c[1])
        page.metric("Cost per 1k, later week", f"${tt.later:.0f}", container=c[2], headline=True,
                    delta=f"its own best in hindsight: ${tt.later_best:.0f}", delta_color="off")
        formulas.append(rf"t^\star = \arg\min_t C_\text{{val}}(t) = {tt.threshold:.3f},\quad C_\text{{later}}(t^\star)"
                        rf" = \${tt.later:.0f} \ge \min_t C_\text{{later}}(t) = \${tt.later_best:.0f}\ \text{{per 1k}}")
    return formulas
