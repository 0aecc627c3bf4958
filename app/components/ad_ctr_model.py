"""Lesson 12's CTR-model tab: hashed features, a feature cross, logistic regression, calibration
per device and delayed conversions (layout only; the numbers come from
:mod:`playground.cases.ctr_model`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.cases import ctr_model

CTR_IMPRESSIONS = 40_000


@cached("Simulating an impression log and training the CTR model …")
def ctr(cross, bits, delay, seed) -> ctr_model.CtrExperiment:
    return ctr_model.ctr_experiment(CTR_IMPRESSIONS, delay, cross, bits, seed)


def show(page: LessonPage, tab, cross: bool, bits: int, delay: float, seed: int) -> list[str]:
    """Render the tab; return its formulas (with the current numbers) for "The math". While the tab
    is closed nothing is computed (the model trains for seconds; its controls are in the sidebar)."""
    if page.deferred(tab):
        return []
    fitted = page.guard(ctr, cross, bits, delay, seed)
    if fitted is None:
        return []
    res, delayed, base_ctr = fitted.result, fitted.delayed, fitted.base_ctr
    cols = st.columns(4)
    page.metric("Held-out log loss", f"{res.log_loss:.4f}", container=cols[0])
    page.metric("Normalised entropy", f"{res.normalised_entropy:.3f}", container=cols[1], headline=True,
                help="Log loss ÷ entropy of always predicting the training CTR: below 1 = better than the average.")
    page.metric("AUC", f"{res.auc:.3f}", container=cols[2])
    worst = res.worst_calibrated()
    page.metric("Worst device calibration", f"{res.calibration.loc[worst, 'predicted ÷ observed']:.2f}",
                container=cols[3], help=f"Predicted ÷ observed clicks on {worst} (1 = calibrated).")
    left, right = st.columns(2)
    left.dataframe(res.calibration.style.format({"predicted": "{:.1f}", "predicted ÷ observed": "{:.2f}"}),
                   width="stretch")
    left.caption(f"{CTR_IMPRESSIONS:,} simulated impressions over 7 days (CTR {base_ctr:.1%}); trained on "
                 "days 0–5, scored on day 6. Calibration per device: an auction multiplies every bid "
                 "by pCTR, so a segment at 1.2 is over-charged and over-served by 20 %.")
    fig = go.Figure()
    fig.add_bar(x=delayed.index, y=delayed["true_cvr"], name="true CVR")
    fig.add_bar(x=delayed.index, y=delayed["observed_cvr"], name="CVR visible at training time")
    fig.add_scatter(x=delayed.index, y=delayed["true_cvr"] * delayed["expected_share"], mode="lines+markers",
                    name="true × (1 − e^(−age/delay))")
    fig.update_layout(title="Delayed conversions: the freshest clicks look worst", height=320,
                      xaxis_title="impression day", yaxis_title="conversions per click")
    page.chart(fig, container=right)
    page.record("observed ÷ true CVR on the last day", f"{delayed['observed ÷ true'].iloc[-1]:.2f}")
    st.caption(f"A click converts after an exponential delay (mean {delay:g} days). Trained at the end of "
               f"day 6, yesterday's clicks show only {delayed['observed ÷ true'].iloc[-1]:.0%} of their "
               "conversions, so a conversion model learns that fresh traffic is bad. Fixes: wait for the "
               "attribution window, or weight / correct labels by the delay distribution.")
    return [
        rf"\mathrm{{NE}} = \frac{{-\frac1N\sum y\log p + (1-y)\log(1-p)}}{{-(\bar p\log\bar p + (1-\bar p)\log(1-\bar p))}}"
        rf" = \frac{{{res.log_loss:.4f}}}{{H({base_ctr:.4f})}} = {res.normalised_entropy:.3f}",
        r"x = \mathrm{hash}(\text{adv}, \text{site}, \text{device}, \text{hour}"
        + (r", \text{adv}\times\text{device}" if cross else "") + rf") \bmod 2^{{{bits}}},\quad"
        r"\mathrm{pCTR} = \sigma(w^\top x)",
        rf"\Pr(\text{{conversion seen by cut-off}} \mid \text{{age }} a) = 1 - e^{{-a/{delay:g}}}",
    ]
