"""Lesson 7's "Check your own data" tab: the distribution detectors on an uploaded
reference/current CSV (layout only; the numbers come from :mod:`playground.monitoring.drift`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from components.upload import numeric_csv_upload
from playground.monitoring import drift as dr


def show(page: LessonPage, seed: int, psi_thr: float) -> None:
    """Render the tab."""
    st.markdown("Upload a CSV with a `reference` column (e.g. a feature at training time) and a "
                "`current` column (the same feature in production; the columns may differ in "
                "length). The same detectors run on it, with the thresholds set above.")
    own = numeric_csv_upload("Reference vs current CSV", ("reference", "current"), "drift_csv",
                             dr.example_pair(seed).to_csv(index=False))
    if own is None:
        return
    ref_values, cur_values = own["reference"].dropna(), own["current"].dropna()
    own_psi = dr.psi(ref_values, cur_values)
    own_d, own_p = dr.ks_test(ref_values, cur_values)
    u1, u2, u3 = st.columns(3)
    page.metric("Your data: PSI", f"{own_psi:.3f}", "alert" if own_psi > psi_thr else "no alert",
                delta_color="off", container=u1)
    page.metric("Your data: KS D", f"{own_d:.3f}", f"p = {own_p:.2g}", delta_color="off", container=u2)
    page.metric("Your data: Wasserstein", f"{dr.wasserstein(ref_values, cur_values):.3f}", container=u3)
    fig = go.Figure()
    fig.add_histogram(x=ref_values, name="reference", opacity=0.6, histnorm="probability density")
    fig.add_histogram(x=cur_values, name="current", opacity=0.6, histnorm="probability density")
    fig.update_layout(barmode="overlay", title="Your reference and current distributions", height=320)
    page.chart(fig)
